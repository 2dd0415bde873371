// cgroup v2: where the unified hierarchy is mounted, and the id and depth of a cgroup (what the
// BPF side compares against bpf_*_ancestor_cgroup_id).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace faultline::kernel {

struct CgroupInfo {
  std::string path;        // absolute path under the cgroup2 mount
  std::uint64_t id = 0;    // kernfs id, as bpf_get_current_cgroup_id() reports it
  std::uint32_t level = 0; // depth below the hierarchy's root (root = 0)
};

class CgroupFs {
public:
  // Finds the cgroup2 mount in /proc/self/mountinfo (/sys/fs/cgroup on most hosts, a
  // /sys/fs/cgroup/unified hybrid layout on others).
  static Result<CgroupFs> discover();
  // The same from mountinfo text, for tests.
  static Result<CgroupFs> from_mountinfo(std::string_view mountinfo);

  const std::string& mount_point() const { return mount_point_; }

  // Resolves an absolute path (or one relative to the mount point) to its id and level.
  Result<CgroupInfo> resolve(std::string_view path) const;
  // The cgroup v2 path of a process (from /proc/PID/cgroup).
  Result<std::string> path_of_pid(pid_t pid) const;
  // Level of an absolute path below the mount point, counting the mount's own root depth.
  Result<std::uint32_t> level_of(std::string_view absolute_path) const;

private:
  CgroupFs(std::string mount_point, std::string mount_root)
      : mount_point_(std::move(mount_point)), mount_root_(std::move(mount_root)) {}
  std::string mount_point_;
  std::string mount_root_; // the mount's root within the hierarchy ("/" unless namespaced)
};

// Reads the cgroup id of a path with name_to_handle_at (the kernfs node id).
Result<std::uint64_t> cgroup_id_of(const std::string& path);

// Moves a process into a cgroup.
Status move_to_cgroup(const std::string& cgroup_path, pid_t pid);

// A cgroup this process made and removes again: on destruction every process left in it is
// killed and the directory removed, so a failed test leaves nothing behind.
class ScopedCgroup {
public:
  static Result<ScopedCgroup> create(const std::string& path);
  ScopedCgroup(ScopedCgroup&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScopedCgroup& operator=(ScopedCgroup&&) = delete;
  ScopedCgroup(const ScopedCgroup&) = delete;
  ScopedCgroup& operator=(const ScopedCgroup&) = delete;
  ~ScopedCgroup();

  const std::string& path() const { return path_; }

private:
  explicit ScopedCgroup(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

} // namespace faultline::kernel
