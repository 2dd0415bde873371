#include "kernel/cgroup_census.hpp"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace faultline::kernel {
namespace {

constexpr unsigned long kPfKthread = 0x00200000; // PF_KTHREAD, include/linux/sched.h

// Field 9 of /proc/PID/stat is the task's flags; field 2 (comm) may hold spaces and ')'.
bool is_kernel_thread(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  unsigned long flags = 0;
  for (int i = 3; i <= 9 && rest >> field; ++i)
    if (i == 9) std::from_chars(field.data(), field.data() + field.size(), flags);
  return (flags & kPfKthread) != 0;
}

} // namespace

bool path_within(const std::string& path, const std::string& root) {
  if (path == root) return true;
  if (root == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

Result<CgroupCensus> take_census(const CgroupFs& fs, const std::string& path) {
  CgroupCensus c;
  if (auto init = fs.path_of_pid(1)) c.holds_init = path_within(*init, path);
  auto self = fs.path_of_pid(::getpid());
  if (!self) return self.error();
  c.holds_self = path_within(*self, path);
  // Kernel threads: every process of the subtree (cgroup.procs of each descendant).
  std::vector<std::string> dirs{path};
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  for (const auto& dir : dirs) {
    std::ifstream procs(dir + "/cgroup.procs");
    pid_t pid = 0;
    while (procs >> pid) {
      if (is_kernel_thread(pid)) {
        c.kernel_thread = pid;
        return c;
      }
    }
  }
  return c;
}

} // namespace faultline::kernel
