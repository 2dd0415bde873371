#include "cli/exec_cgroups.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "util/log.hpp"

namespace faultline::cli {
namespace {

bool is_live_faultline(pid_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  return comm && std::getline(comm, name) && name == "faultline";
}

bool is_empty(const std::string& cgroup) {
  std::ifstream procs(cgroup + "/cgroup.procs");
  pid_t pid = 0;
  return !(procs >> pid);
}

} // namespace

Result<std::string> exec_parent(const kernel::CgroupFs& fs) {
  const std::string parent = fs.mount_point() + "/" + kExecParent;
  if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST)
    return make_error(errno, "cannot create the exec parent cgroup {}", parent);
  return parent;
}

void kill_cgroup_processes(const std::string& cgroup) {
  // cgroup.kill (5.14+) kills the whole subtree at once, new forks included.
  std::ofstream(cgroup + "/cgroup.kill") << "1" << std::flush;
  for (int attempt = 0; attempt < 500 && !is_empty(cgroup); ++attempt) {
    std::ifstream procs(cgroup + "/cgroup.procs");
    pid_t pid = 0;
    while (procs >> pid)
      ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int sweep_stale_exec_cgroups(const std::string& parent) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory(ec) || name.rfind("run-", 0) != 0) continue;
    pid_t owner = 0;
    const auto [ptr, err] = std::from_chars(name.data() + 4, name.data() + name.size(), owner);
    if (err != std::errc() || ptr != name.data() + name.size()) continue;
    if (is_live_faultline(owner)) continue;
    const std::string path = entry.path().string();
    kill_cgroup_processes(path);
    if (::rmdir(path.c_str()) == 0) {
      log::info("removed {}: its faultline exec (pid {}) is gone", path, owner);
      ++removed;
    } else {
      log::warn("cannot remove stale exec cgroup {}: {}", path, std::strerror(errno));
    }
  }
  return removed;
}

} // namespace faultline::cli
