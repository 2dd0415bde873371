#include "kernel/cgroup.hpp"

#include "kernel/cgroup_level.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace faultline::kernel {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in{std::string(text)};
  while (std::getline(in, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::uint32_t depth_of(std::string_view path) { return static_cast<std::uint32_t>(split(path, '/').size()); }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

Result<CgroupFs> CgroupFs::from_mountinfo(std::string_view mountinfo) {
  // Fields: id parent maj:min root mount-point options [optional...] - fstype source super-opts
  std::string chosen_point;
  std::string chosen_root;
  for (const auto& line : split(mountinfo, '\n')) {
    std::vector<std::string> fields = split(line, ' ');
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-")
      ++dash;
    if (dash + 1 >= fields.size() || fields.size() < 5 || fields[dash + 1] != "cgroup2") continue;
    // Prefer the conventional location when several cgroup2 mounts exist.
    if (chosen_point.empty() || fields[4] == "/sys/fs/cgroup") {
      chosen_point = fields[4];
      chosen_root = fields[3];
    }
  }
  if (chosen_point.empty())
    return make_error(ENOENT, "no cgroup v2 hierarchy is mounted (looked for fstype cgroup2 in "
                              "/proc/self/mountinfo); mount one with `mount -t cgroup2 none /sys/fs/cgroup`");
  return CgroupFs(chosen_point, chosen_root);
}

Result<CgroupFs> CgroupFs::discover() {
  const std::string text = read_file("/proc/self/mountinfo");
  if (text.empty()) return make_error(errno, "cannot read /proc/self/mountinfo");
  return from_mountinfo(text);
}

Result<std::uint32_t> CgroupFs::level_of(std::string_view absolute_path) const {
  const std::string_view mp = mount_point_;
  if (absolute_path.substr(0, mp.size()) != mp ||
      (absolute_path.size() > mp.size() && absolute_path[mp.size()] != '/'))
    return make_error(EINVAL, "{} is not under the cgroup v2 mount {}", absolute_path, mount_point_);
  return depth_of(mount_root_) + depth_of(absolute_path.substr(mp.size()));
}

Result<CgroupInfo> CgroupFs::resolve(std::string_view path) const {
  std::string given(path);
  if (given.empty() || given.front() != '/') given = mount_point_ + "/" + given;
  // Canonical form: ".", "..", symlinks and trailing '/' resolved, so "." is seen as the root
  // it is, and the same cgroup always has the same path.
  char canonical[PATH_MAX];
  if (::realpath(given.c_str(), canonical) == nullptr)
    return make_error(errno == ENOENT ? ENOENT : errno, "no cgroup {}", given);
  const std::string absolute = canonical;
  struct statfs fs {};
  if (::statfs(absolute.c_str(), &fs) != 0) return make_error(errno, "cannot statfs {}", absolute);
  if (fs.f_type != CGROUP2_SUPER_MAGIC)
    return make_error(EINVAL, "{} is not a cgroup v2 directory (it is on no cgroup2 filesystem)", absolute);
  auto level = level_of(absolute); // also checks the path lies under our mount
  if (!level) return level.error();
  // The kernel's count wins: inside a cgroup namespace the path under-counts.
  auto kernel_level = kernel_cgroup_level(absolute);
  if (!kernel_level) return kernel_level.error();
  if (*kernel_level) *level = **kernel_level;
  if (*level >= 32)
    return make_error(EINVAL, "cgroup {} is {} levels deep; faultline targets at most 31", absolute, *level);
  auto id = cgroup_id_of(absolute);
  if (!id) return id.error();
  return CgroupInfo{absolute, *id, *level};
}

Result<std::string> CgroupFs::path_of_pid(pid_t pid) const {
  const std::string file = fmt::format("/proc/{}/cgroup", pid);
  std::ifstream in(file);
  if (!in) return make_error(ESRCH, "no process {} (cannot read {})", pid, file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) {
      std::string rel = line.substr(3);
      // Paths in /proc/PID/cgroup are relative to our cgroup namespace root = the mount root.
      return rel == "/" ? mount_point_ : mount_point_ + rel;
    }
  }
  return make_error(ENOENT, "process {} has no cgroup v2 membership in {}", pid, file);
}

Result<std::uint64_t> cgroup_id_of(const std::string& path) {
  struct {
    file_handle handle;
    std::uint64_t id;
  } fh{};
  fh.handle.handle_bytes = sizeof(std::uint64_t);
  int mount_id = 0;
  if (::name_to_handle_at(AT_FDCWD, path.c_str(), &fh.handle, &mount_id, 0) != 0)
    return make_error(errno, "cannot resolve the cgroup id of {}", path);
  std::uint64_t id = 0;
  std::memcpy(&id, fh.handle.f_handle, sizeof(id));
  return id;
}

Status move_to_cgroup(const std::string& cgroup_path, pid_t pid) {
  const std::string procs = cgroup_path + "/cgroup.procs";
  std::ofstream out(procs);
  out << pid << std::flush;
  if (!out) return make_error(errno ? errno : EIO, "cannot move pid {} into {}", pid, procs);
  return {};
}

Result<ScopedCgroup> ScopedCgroup::create(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return make_error(errno, "cannot create cgroup {}", path);
  return ScopedCgroup(path);
}

ScopedCgroup::~ScopedCgroup() {
  if (path_.empty()) return;
  // Children first (depth-first), then kill what is left and wait for the kernel to empty it.
  std::error_code ec;
  std::vector<std::string> dirs;
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  dirs.push_back(path_);
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (::rmdir(d->c_str()) == 0 || errno == ENOENT) break;
      std::stringstream procs(read_file(*d + "/cgroup.procs"));
      pid_t pid = 0;
      while (procs >> pid)
        ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

} // namespace faultline::kernel
