#include "backends/edt_devices.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "kernel/qdisc.hpp"
#include "util/log.hpp"

namespace faultline::backends {
namespace {

using kernel::UniqueFd;

struct DeviceKey {
  std::uint64_t netns = 0; // inode of the network namespace
  int ifindex = 0;
  bool operator<(const DeviceKey& o) const {
    return netns != o.netns ? netns < o.netns : ifindex < o.ifindex;
  }
};

struct Installed {
  int refs = 0;
  std::string name;
  std::shared_ptr<UniqueFd> netns; // kept open: the namespace outlives the processes we found it by
};

std::mutex g_mu;
std::map<DeviceKey, Installed> g_installed; // fq this process installed and still holds

std::string state_dir() {
  const char* dir = std::getenv("FAULTLINE_STATE_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/run/faultline";
}

// Appends one line and fsyncs it, under an flock so a daemon and `faultline exec` never
// interleave. The directory is created (0700) if missing and never re-moded.
Status ledger_append(const std::string& line) {
  ::mkdir(state_dir().c_str(), 0700);
  UniqueFd fd(::open(fq_ledger_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return make_error(errno, "cannot open the fq ledger {}", fq_ledger_path());
  ::flock(fd.get(), LOCK_EX);
  const std::string text = line + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.get()) != 0)
    return make_error(errno, "cannot write the fq ledger {}", fq_ledger_path());
  return {};
}

// Runs fn inside the network namespace `ns` on a thread of its own (setns is per thread).
Status in_netns_fd(int ns, const std::function<Status(kernel::Rtnetlink&)>& fn) {
  return kernel::in_netns(fmt::format("/proc/self/fd/{}", ns), [&]() -> Status {
    auto nl = kernel::Rtnetlink::open();
    if (!nl) return nl.error();
    return fn(*nl);
  });
}

void collect_pids(const std::string& dir, std::vector<pid_t>& out) {
  std::ifstream procs(dir + "/cgroup.procs");
  pid_t pid = 0;
  while (procs >> pid)
    out.push_back(pid);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d))
    if (e->d_type == DT_DIR && e->d_name[0] != '.') collect_pids(dir + "/" + e->d_name, out);
  ::closedir(d);
}

// The network namespaces of the target's processes (inode -> an open handle).
std::map<std::uint64_t, std::shared_ptr<UniqueFd>> namespaces_of(const std::string& cgroup_path) {
  std::vector<pid_t> pids;
  collect_pids(cgroup_path, pids);
  std::vector<std::string> paths;
  paths.reserve(pids.size() + 1);
  for (pid_t pid : pids)
    paths.push_back(fmt::format("/proc/{}/ns/net", pid));
  if (paths.empty()) paths.emplace_back("/proc/self/ns/net"); // no process yet: it will start here
  std::map<std::uint64_t, std::shared_ptr<UniqueFd>> out;
  for (const auto& p : paths) {
    auto ino = kernel::netns_inode(p);
    if (!ino || out.count(*ino)) continue; // a process that exited meanwhile has no namespace to shape
    auto fd = std::make_shared<UniqueFd>(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd->valid()) out.emplace(*ino, std::move(fd));
  }
  return out;
}

// Deletes our fq if it is still the root, and records that. Called with g_mu held.
void restore_locked(const DeviceKey& key, const Installed& dev) {
  auto st = in_netns_fd(dev.netns->get(), [&](kernel::Rtnetlink& nl) -> Status {
    auto root = nl.root_qdisc(key.ifindex);
    if (!root) return root.error();
    if (root->kind != "fq") return {}; // someone replaced it since: theirs now, leave it
    return nl.delete_root(key.ifindex);
  });
  if (!st)
    log::warn("cannot restore the root qdisc of {} (netns {}): {}", dev.name, key.netns,
              st.error().describe());
  if (auto rec = ledger_append(fmt::format("restore {} {}", key.netns, key.ifindex)); !rec)
    log::warn("{}", rec.error().describe());
}

class Hold final : public FqHold {
public:
  ~Hold() override {
    std::lock_guard lock(g_mu);
    for (const auto& key : keys_) {
      auto it = g_installed.find(key);
      if (it == g_installed.end() || --it->second.refs > 0) continue;
      restore_locked(key, it->second);
      g_installed.erase(it);
    }
  }
  void add(const DeviceKey& key) { keys_.push_back(key); }

private:
  std::vector<DeviceKey> keys_;
};

// One namespace: holds our fq where it already is, installs it where the default is.
Status hold_in(std::uint64_t ino, const std::shared_ptr<UniqueFd>& ns, Hold& hold) {
  return in_netns_fd(ns->get(), [&](kernel::Rtnetlink& nl) -> Status {
    auto devices = nl.devices();
    if (!devices) return devices.error();
    for (const auto& dev : *devices) {
      const DeviceKey key{ino, dev.ifindex};
      if (auto it = g_installed.find(key); it != g_installed.end()) {
        it->second.refs += 1;
        hold.add(key);
        continue;
      }
      auto root = nl.root_qdisc(dev.ifindex);
      if (!root) return root.error();
      if (root->kind == "fq") continue; // fq already: honours departure times; not ours to touch
      if (root->handle != 0)
        return make_error(
            EBUSY,
            "device {} (netns {}) has a root qdisc set up by someone else ({} {:x}:); faultline "
            "will not replace it, since it could not put it back exactly. Delay and rate need fq "
            "as the root qdisc: make it fq, or remove it",
            dev.name, ino, root->kind, root->handle >> 16);
      // Intent first: a crash between these two steps still leaves a ledger entry to undo.
      if (auto st = ledger_append(fmt::format("install {} {} {}", ino, dev.ifindex, dev.name)); !st)
        return st;
      g_installed[key] = Installed{1, dev.name, ns};
      hold.add(key);
      if (auto handle = nl.install_root_fq(dev.ifindex); !handle)
        return make_error(handle.error().code, "device {}: {}", dev.name, handle.error().describe());
    }
    return {};
  });
}

} // namespace

std::string fq_ledger_path() { return state_dir() + "/fq-devices.log"; }

Result<std::unique_ptr<FqHold>> hold_fq_for(const std::string& cgroup_path) {
  auto hold = std::make_unique<Hold>();
  std::unique_lock lock(g_mu);
  for (const auto& [ino, ns] : namespaces_of(cgroup_path)) {
    if (auto st = hold_in(ino, ns, *hold); !st) {
      lock.unlock(); // the hold's destructor restores what this call installed, under the lock
      hold.reset();
      return make_error(st.error().code, "cannot prepare fq for delay/rate: {}", st.error().describe());
    }
  }
  return std::unique_ptr<FqHold>(std::move(hold));
}

Result<std::vector<std::string>> recover_fq_devices() {
  std::ifstream in(fq_ledger_path());
  if (!in) return std::vector<std::string>{}; // nothing was ever installed
  std::map<DeviceKey, std::string> pending;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string op;
    DeviceKey key;
    std::string name;
    if (!(words >> op >> key.netns >> key.ifindex)) continue; // a torn last line: nothing done yet
    words >> name;
    if (op == "install")
      pending[key] = name;
    else if (op == "restore")
      pending.erase(key);
  }
  std::vector<std::string> restored;
  std::set<std::uint64_t> wanted;
  for (const auto& [key, name] : pending)
    wanted.insert(key.netns);
  // Find the namespaces that still exist by their inode: any process in them will do.
  std::map<std::uint64_t, std::shared_ptr<UniqueFd>> found;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      const std::string p = fmt::format("/proc/{}/ns/net", e->d_name);
      auto ino = kernel::netns_inode(p);
      if (!ino || !wanted.count(*ino) || found.count(*ino)) continue;
      auto fd = std::make_shared<UniqueFd>(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd->valid()) found.emplace(*ino, std::move(fd));
    }
    ::closedir(d);
  }
  std::lock_guard lock(g_mu);
  for (const auto& [key, name] : pending) {
    auto ns = found.find(key.netns);
    if (ns == found.end()) {
      restored.push_back(fmt::format("{} (netns {}): namespace gone, nothing to restore", name, key.netns));
    } else {
      restore_locked(key, Installed{0, name, ns->second});
      restored.push_back(fmt::format("{} (netns {}): fq removed, default qdisc back", name, key.netns));
      continue; // restore_locked recorded it
    }
    if (auto st = ledger_append(fmt::format("restore {} {}", key.netns, key.ifindex)); !st) return st.error();
  }
  if (g_installed.empty()) ::truncate(fq_ledger_path().c_str(), 0); // all settled: start afresh
  return restored;
}

} // namespace faultline::backends
