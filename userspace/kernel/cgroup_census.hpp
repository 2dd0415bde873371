// Who lives in a cgroup's subtree, as far as the safety guard cares: init, kernel threads and
// this process itself. Read from /proc and cgroup.procs at the moment of the check.
#pragma once

#include <sys/types.h>

#include <string>

#include "kernel/cgroup.hpp"
#include "util/result.hpp"

namespace faultline::kernel {

struct CgroupCensus {
  bool holds_init = false; // pid 1 is in the subtree
  bool holds_self = false; // this process is in the subtree (it is our cgroup or an ancestor)
  pid_t kernel_thread = 0; // a kernel thread found in the subtree (0 = none)
};

// `path` must be canonical (CgroupFs::resolve's output).
Result<CgroupCensus> take_census(const CgroupFs& fs, const std::string& path);

// Is `path` the cgroup `root` or inside it? (canonical paths, component boundaries)
bool path_within(const std::string& path, const std::string& root);

} // namespace faultline::kernel
