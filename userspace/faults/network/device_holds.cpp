#include "faults/network/device_holds.hpp"

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
#include <tuple>

#include "kernel/ledger.hpp"
#include "util/log.hpp"

namespace faultline::faults {
namespace {

using kernel::UniqueFd;

struct DeviceKey {
  std::string kind;
  std::uint64_t netns = 0; // inode of the network namespace
  int ifindex = 0;
  bool operator<(const DeviceKey& o) const {
    return std::tie(kind, netns, ifindex) < std::tie(o.kind, o.netns, o.ifindex);
  }
};

struct Changed {
  int refs = 0;
  std::string name;
  std::string token;
  std::shared_ptr<UniqueFd> netns; // kept open: the namespace outlives the processes we found it by
};

std::mutex g_mu;
std::map<DeviceKey, Changed> g_changed; // what this process changed and still holds

struct LedgerEntry {
  std::string owner; // "PID:STARTTIME" of the process that made the change ("" in old lines)
  std::string name;
  std::string token;
  std::string line; // as written
};

// The ledger's installs without a later restore by the same owner, per (device, owner): two
// processes may hold one device, and one's restore says nothing about the other's install.
using PendingKey = std::pair<DeviceKey, std::string>;
std::map<PendingKey, LedgerEntry> pending_entries(std::istream& in) {
  std::map<PendingKey, LedgerEntry> pending;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string op;
    DeviceKey key;
    LedgerEntry e;
    if (!(words >> op >> key.kind >> key.netns >> key.ifindex)) continue; // a torn last line
    std::vector<std::string> rest;
    for (std::string w; words >> w;) {
      if (w.rfind("owner=", 0) == 0)
        e.owner = w.substr(6);
      else
        rest.push_back(w);
    }
    if (!rest.empty()) e.name = rest[0];
    if (rest.size() > 1) e.token = rest[1];
    e.line = line;
    if (op == "install") {
      pending[{key, e.owner}] = std::move(e);
    } else if (op == "restore") {
      pending.erase({key, e.owner});
      if (e.owner.empty()) // a line from before owners: it closed whatever was open
        std::erase_if(pending,
                      [&](const auto& p) { return !(p.first.first < key) && !(key < p.first.first); });
    }
  }
  return pending;
}

Status ledger_append(const std::string& line) { return kernel::append_durably(device_ledger_path(), line); }

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

// Open handles on the network namespaces at `paths`, by inode (the first path of each wins).
std::map<std::uint64_t, std::shared_ptr<UniqueFd>> open_namespaces(const std::vector<std::string>& paths,
                                                                   const std::set<std::uint64_t>* only) {
  std::map<std::uint64_t, std::shared_ptr<UniqueFd>> out;
  for (const auto& p : paths) {
    auto ino = kernel::netns_inode(p);
    if (!ino || out.count(*ino) || (only != nullptr && !only->count(*ino))) continue; // exited meanwhile
    auto fd = std::make_shared<UniqueFd>(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd->valid()) out.emplace(*ino, std::move(fd));
  }
  return out;
}

// The namespaces of the cgroup's processes (its subtree's). `or_own`: this process's namespace
// when it has none yet (a start on an empty cgroup: its first process will most likely start
// here; a later rescan finds where it really went).
std::map<std::uint64_t, std::shared_ptr<UniqueFd>> namespaces_of(const std::string& cgroup_path,
                                                                 bool or_own) {
  std::vector<pid_t> pids;
  collect_pids(cgroup_path, pids);
  std::vector<std::string> paths;
  paths.reserve(pids.size() + 1);
  for (pid_t pid : pids)
    paths.push_back(fmt::format("/proc/{}/ns/net", pid));
  if (paths.empty() && or_own) paths.emplace_back("/proc/self/ns/net");
  return open_namespaces(paths, nullptr);
}

// Undoes one change and records that. Called with g_mu held.
void restore_locked(const DeviceChange& change, const DeviceKey& key, const Changed& dev,
                    const std::string& owner) {
  auto st = in_netns_fd(dev.netns->get(),
                        [&](kernel::Rtnetlink& nl) { return change.restore(nl, key.ifindex, dev.token); });
  if (!st && st.error().code != ENODEV && st.error().code != ENOENT) {
    // Left open in the ledger: the next start tries again (a device that is gone is done).
    log::warn("cannot restore {} on {} (netns {}): {}", change.kind, dev.name, key.netns,
              st.error().describe());
    return;
  }
  if (auto rec =
          ledger_append(fmt::format("restore {} {} {} owner={}", key.kind, key.netns, key.ifindex, owner));
      !rec)
    log::warn("{}", rec.error().describe());
}

// Another running faultline process (an exec beside the daemon) that holds this change on this
// device, or "". Two processes cannot share a device change: each would undo it under the other.
std::string other_live_owner(const DeviceKey& key) {
  std::ifstream in(device_ledger_path());
  if (!in) return {};
  for (const auto& [pkey, entry] : pending_entries(in))
    if (!(pkey.first < key) && !(key < pkey.first) && kernel::owner_alive(entry.owner)) return entry.owner;
  return {};
}

// Holds `change` on one device: ours already (shared, one more reference), or made now. Returns
// whether the hold now has it (false: nothing to do there). Called with g_mu held, inside the
// device's namespace.
Result<bool> hold_one(const DeviceChange& change, const DeviceKey& key, const kernel::NetDevice& dev,
                      const std::shared_ptr<UniqueFd>& ns, kernel::Rtnetlink& nl) {
  if (auto it = g_changed.find(key); it != g_changed.end()) {
    it->second.refs += 1;
    return true;
  }
  if (auto other = other_live_owner(key); !other.empty())
    return make_error(EBUSY,
                      "device {}: another faultline process (pid {}) has its {} change there; "
                      "run one faultline (daemon or exec) per device at a time",
                      dev.name, other.substr(0, other.find(':')), change.kind);
  // Intent first: a crash during the change still leaves a ledger entry to undo.
  if (auto st = ledger_append(fmt::format("install {} {} {} owner={} {}", change.kind, key.netns, key.ifindex,
                                          kernel::self_owner(), dev.name));
      !st)
    return st.error();
  auto token = change.install(nl, dev);
  if (!token || !*token) {
    // Refused or failed: undo whatever half of it is there (restore with no token touches only
    // what is recognisably ours), then close the ledger line. Nothing done: nothing to undo.
    if (!token) (void)change.restore(nl, key.ifindex, "");
    if (auto st = ledger_append(fmt::format("restore {} {} {} owner={}", change.kind, key.netns, key.ifindex,
                                            kernel::self_owner()));
        !st)
      return st.error();
    if (!token) return make_error(token.error().code, "device {}: {}", dev.name, token.error().message);
    return false;
  }
  g_changed[key] = Changed{1, dev.name, "", ns};
  g_changed[key].token = **token;
  if (!g_changed[key].token.empty())
    if (auto st = ledger_append(fmt::format("install {} {} {} owner={} {} {}", change.kind, key.netns,
                                            key.ifindex, kernel::self_owner(), dev.name, **token));
        !st)
      return st.error();
  return true;
}

class Hold final : public DeviceHold {
public:
  // `cgroup_path` empty: one device named at the start, nothing to extend to.
  Hold(const DeviceChange& change, std::string cgroup_path)
      : change_(change), cgroup_path_(std::move(cgroup_path)) {}
  ~Hold() override {
    std::lock_guard lock(g_mu);
    for (const auto& key : keys_) {
      auto it = g_changed.find(key);
      if (it == g_changed.end() || --it->second.refs > 0) continue;
      restore_locked(change_, key, it->second, kernel::self_owner());
      g_changed.erase(it);
    }
  }

  // One namespace (one device of it when `only` is set): holds our change where it already is,
  // makes it where needed; stops at the first device it cannot change (a start is refused whole).
  Status take(std::uint64_t ino, const std::shared_ptr<UniqueFd>& ns,
              std::optional<int> only = std::nullopt) {
    return in_netns_fd(ns->get(), [&](kernel::Rtnetlink& nl) -> Status {
      auto devices = nl.devices();
      if (!devices) return devices.error();
      bool found = false;
      for (const auto& dev : *devices) {
        if (only && dev.ifindex != *only) continue;
        found = true;
        const DeviceKey key{change_.kind, ino, dev.ifindex};
        if (keys_.count(key)) continue;
        auto held = hold_one(change_, key, dev, ns, nl);
        if (!held) return held.error();
        if (*held) keys_.insert(key);
      }
      if (only && !found) return make_error(ENODEV, "no network device with index {}", *only);
      return {};
    });
  }

  void extend() override {
    if (cgroup_path_.empty()) return;
    std::lock_guard lock(g_mu);
    for (const auto& entry : namespaces_of(cgroup_path_, false)) {
      const std::uint64_t ino = entry.first; // a structured binding cannot be captured (clang)
      const std::shared_ptr<UniqueFd>& ns = entry.second;
      (void)in_netns_fd(ns->get(), [&](kernel::Rtnetlink& nl) -> Status {
        auto devices = nl.devices();
        if (!devices) return devices.error();
        for (const auto& dev : *devices) {
          const DeviceKey key{change_.kind, ino, dev.ifindex};
          if (keys_.count(key) || refused_.count(key)) continue;
          auto held = hold_one(change_, key, dev, ns, nl);
          if (!held) {
            // The experiment runs on; its counters say what this device misses (unapplied).
            log::warn("{} on device {} (netns {}), which the target reached after the start: {}; left alone",
                      change_.kind, dev.name, ino, held.error().message);
            refused_.insert(key);
            continue;
          }
          if (*held) {
            keys_.insert(key);
            log::info("{} on device {} (netns {}), which the target reached after the start", change_.kind,
                      dev.name, ino);
          }
        }
        return {};
      });
    }
  }

private:
  const DeviceChange& change_;
  std::string cgroup_path_;
  std::set<DeviceKey> keys_;
  std::set<DeviceKey> refused_; // late devices it could not change: logged once, not retried
};

} // namespace

std::string device_ledger_path() { return kernel::state_dir() + "/devices.log"; }

Result<std::unique_ptr<DeviceHold>> hold_devices(const DeviceChange& change, const std::string& cgroup_path) {
  auto hold = std::make_unique<Hold>(change, cgroup_path);
  std::unique_lock lock(g_mu);
  for (const auto& [ino, ns] : namespaces_of(cgroup_path, true)) {
    if (auto st = hold->take(ino, ns); !st) {
      lock.unlock(); // the hold's destructor restores what this call changed, under the lock
      hold.reset();
      return st.error();
    }
  }
  return std::unique_ptr<DeviceHold>(std::move(hold));
}

Result<std::unique_ptr<DeviceHold>> hold_device(const DeviceChange& change, int ifindex) {
  auto hold = std::make_unique<Hold>(change, "");
  std::unique_lock lock(g_mu);
  auto own = open_namespaces({"/proc/self/ns/net"}, nullptr);
  if (own.empty()) return make_error(ENOENT, "cannot open faultlined's network namespace");
  const auto& [ino, ns] = *own.begin();
  if (auto st = hold->take(ino, ns, ifindex); !st) {
    lock.unlock(); // the hold's destructor restores what this call changed, under the lock
    hold.reset();
    return st.error();
  }
  return std::unique_ptr<DeviceHold>(std::move(hold));
}

Status compact_device_ledger() {
  UniqueFd fd(::open(device_ledger_path().c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid())
    return errno == ENOENT ? Status{} : make_error(errno, "cannot open {}", device_ledger_path());
  ::flock(fd.get(), LOCK_EX); // appenders wait, then append to this same file
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::pread(fd.get(), buf, sizeof(buf), static_cast<off_t>(text.size()))) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  std::istringstream in(text);
  std::string kept;
  for (const auto& [key, entry] : pending_entries(in))
    kept += entry.line + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), kept.data(), kept.size(), 0) != static_cast<ssize_t>(kept.size()) ||
      ::fsync(fd.get()) != 0)
    return make_error(errno, "cannot rewrite {}", device_ledger_path());
  return {};
}

Result<std::vector<std::string>> recover_devices(const DeviceChange& change) {
  std::ifstream in(device_ledger_path());
  if (!in) return std::vector<std::string>{}; // nothing was ever changed
  std::map<PendingKey, LedgerEntry> pending;
  for (auto& [key, entry] : pending_entries(in))
    if (key.first.kind == change.kind && !kernel::owner_alive(entry.owner))
      pending.emplace(key, std::move(entry));
  std::set<std::uint64_t> wanted;
  for (const auto& [key, p] : pending)
    wanted.insert(key.first.netns);
  // Find the namespaces that still exist by their inode: any process in them will do.
  std::vector<std::string> paths;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
        paths.push_back(fmt::format("/proc/{}/ns/net", e->d_name));
    ::closedir(d);
  }
  const auto found = open_namespaces(paths, &wanted);
  std::vector<std::string> restored;
  std::lock_guard lock(g_mu);
  for (const auto& [pkey, p] : pending) {
    const DeviceKey& key = pkey.first;
    auto ns = found.find(key.netns);
    if (ns == found.end()) {
      restored.push_back(fmt::format("{} (netns {}): namespace gone, nothing to restore", p.name, key.netns));
      if (auto st = ledger_append(
              fmt::format("restore {} {} {} owner={}", key.kind, key.netns, key.ifindex, p.owner));
          !st)
        return st.error();
      continue;
    }
    restore_locked(change, key, Changed{0, p.name, p.token, ns->second}, p.owner);
    restored.push_back(fmt::format("{} (netns {}): {} undone", p.name, key.netns, change.kind));
  }
  return restored;
}

} // namespace faultline::faults
