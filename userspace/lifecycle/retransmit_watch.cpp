#include "lifecycle/retransmit_watch.hpp"

#include <algorithm>
#include <variant>

namespace faultline::lifecycle {

Status check_retransmits_countable(Host& host, const policy::Policy& policy,
                                   const std::vector<engine::Target>& targets) {
  const auto cgroup =
      std::find_if(targets.begin(), targets.end(), [](const auto& t) { return !t.is_interface(); });
  for (const auto& c : policy.stop_conditions) {
    const auto* counter = std::get_if<policy::CounterCheck>(&c.check);
    if (counter == nullptr || counter->metric != policy::CounterCheck::Metric::tcp_retransmits) continue;
    if (cgroup == targets.end())
      return make_error(EINVAL,
                        "{}:{}:{}: stop condition '{}': tcpRetransmits counts a cgroup's sockets, and "
                        "this experiment targets only devices",
                        policy.file, c.location.line, c.location.column, c.name);
    if (auto n = host.tcp_retransmits(*cgroup); !n)
      return make_error(n.error().code,
                        "{}:{}:{}: stop condition '{}': cannot count TCP retransmits here: {}", policy.file,
                        c.location.line, c.location.column, c.name, n.error().message);
  }
  return {};
}

Result<std::uint64_t> count_retransmits(Host& host, const std::vector<engine::Target>& targets) {
  std::uint64_t total = 0;
  bool any = false;
  for (const auto& t : targets) {
    if (t.is_interface() || std::any_of(targets.begin(), targets.end(),
                                        [&t](const auto& a) { return engine::is_ancestor(a, t); }))
      continue;
    auto n = host.tcp_retransmits(t);
    if (!n) return n.error();
    total += *n;
    any = true;
  }
  if (!any)
    return make_error(EINVAL, "tcpRetransmits counts a cgroup's sockets, and the targets are only devices");
  return total;
}

Result<std::uint64_t> count_policy_retransmits(Host& host, const policy::Policy& policy) {
  std::vector<engine::Target> targets;
  for (const auto& t : policy.targets) {
    auto found = host.resolve(t);
    if (!found) return make_error(found.error().code, "target '{}': {}", t.value, found.error().message);
    targets.insert(targets.end(), found->begin(), found->end());
  }
  return count_retransmits(host, targets);
}

} // namespace faultline::lifecycle
