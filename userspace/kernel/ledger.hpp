// What the ledgers of changes that must outlive a killed process share (devices.log for
// device_holds, knobs.log for cgroup_knobs): where they live, how a line names the process that
// wrote it, and appends that are on disk before the change they announce is made.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/result.hpp"

namespace faultline::kernel {

// FAULTLINE_STATE_DIR, default /run/faultline: the ledgers' directory.
std::string state_dir();

// A process as a ledger names it, "PID:STARTTIME" (pids are reused; the start time in clock
// ticks since boot, from /proc/PID/stat, is not). Empty when the process is gone.
std::string process_owner(pid_t pid);
// This process (computed again after a fork).
std::string self_owner();
// Is the process that wrote `owner` another one that is still running? (Then its changes are
// its own to undo: a daemon starting beside a running `faultline exec` must leave the exec's.)
bool owner_alive(const std::string& owner);

// Appends one line to `path` and fsyncs it, under an flock so concurrent faultline processes
// never interleave. Its directory is created (0700) if missing and never re-moded.
Status append_durably(const std::string& path, const std::string& line);

} // namespace faultline::kernel
