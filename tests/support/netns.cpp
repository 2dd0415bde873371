#include "support/netns.hpp"

#include <fcntl.h>
#include <sched.h>

#include <cstdlib>
#include <utility>

namespace faultline::testing {

Status run_command(const std::string& command) {
  const int rc = std::system(command.c_str());
  if (rc != 0) return make_error(0, "`{}` failed (status {})", command, rc);
  return {};
}

Result<NetnsPair> NetnsPair::create(const std::string& tag) {
  const std::string a = "fl-" + tag + "-a";
  const std::string b = "fl-" + tag + "-b";
  // Leftovers of a crashed earlier run with the same tag go first.
  (void)run_command("ip netns del " + a + " 2>/dev/null; ip netns del " + b + " 2>/dev/null; true");
  NetnsPair pair(a, b);
  const std::string cmds[] = {
      "ip netns add " + a,
      "ip netns add " + b,
      "ip link add flva netns " + a + " type veth peer name flvb netns " + b,
      "ip -n " + a + " addr add " + kAddrA + "/24 dev flva",
      "ip -n " + b + " addr add " + kAddrB + "/24 dev flvb",
      "ip -n " + a + " addr add " + kAddr6A + "/64 dev flva nodad",
      "ip -n " + b + " addr add " + kAddr6B + "/64 dev flvb nodad",
      "ip -n " + a + " link set flva up",
      "ip -n " + b + " link set flvb up",
      "ip -n " + a + " link set lo up",
      "ip -n " + b + " link set lo up",
  };
  for (const auto& cmd : cmds)
    if (auto st = run_command(cmd); !st) return st.error();
  // Ready when both families answer: on a busy machine IPv6 (link-local DAD, neighbour
  // discovery) can lag the link coming up, and a test must not measure that as loss.
  for (const char* peer : {kAddrB, kAddr6B}) {
    const std::string probe = "ip netns exec " + a + " ping -c 1 -W 1 " + peer + " >/dev/null 2>&1";
    bool ready = false;
    for (int i = 0; i < 120 && !ready; ++i)
      ready = static_cast<bool>(run_command(probe));
    if (!ready) return make_error(ETIMEDOUT, "the veth pair never answered {} ping", peer);
  }
  return pair;
}

NetnsPair::NetnsPair(NetnsPair&& other) noexcept
    : ns_a_(std::exchange(other.ns_a_, {})), ns_b_(std::exchange(other.ns_b_, {})) {}

NetnsPair::~NetnsPair() {
  if (!ns_a_.empty()) (void)run_command("ip netns del " + ns_a_ + " 2>/dev/null");
  if (!ns_b_.empty()) (void)run_command("ip netns del " + ns_b_ + " 2>/dev/null");
}

Result<NetnsGuard> NetnsGuard::enter(const std::string& name) {
  kernel::UniqueFd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original.valid()) return make_error(errno, "cannot open the current netns");
  const std::string path = "/run/netns/" + name;
  kernel::UniqueFd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.valid()) return make_error(errno, "cannot open {}", path);
  if (::setns(target.get(), CLONE_NEWNET) != 0) return make_error(errno, "setns({})", path);
  return NetnsGuard(std::move(original));
}

NetnsGuard::~NetnsGuard() {
  if (original_.valid()) ::setns(original_.get(), CLONE_NEWNET);
}

} // namespace faultline::testing
