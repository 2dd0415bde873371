// Where `faultline exec` puts its commands: <cgroup2>/faultline.exec/run-<faultline pid>, under
// one faultline-owned parent, so nothing is created at the root of the hierarchy and what a
// SIGKILLed faultline left behind can be found and removed at the next start.
#pragma once

#include <sys/types.h>

#include <string>

#include "kernel/cgroup.hpp"
#include "util/result.hpp"

namespace faultline::cli {

inline constexpr const char* kExecParent = "faultline.exec";

// Creates the parent if missing; returns its path.
Result<std::string> exec_parent(const kernel::CgroupFs& fs);

// Removes run-<pid> cgroups whose faultline is gone (their processes are killed first).
// Returns how many were removed. Never touches the cgroup of a faultline that is still running.
int sweep_stale_exec_cgroups(const std::string& parent);

// Kills every process in a cgroup (cgroup.kill where the kernel has it) and waits for it to empty.
void kill_cgroup_processes(const std::string& cgroup);

} // namespace faultline::cli
