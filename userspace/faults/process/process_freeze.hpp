// Process freeze: the whole target cgroup frozen through cgroup v2's freezer (cgroup.freeze = 1)
// from the fault's start offset for its duration, no BPF. The old value is journaled first
// (freeze.log, through cgroup_knobs) and put back on time, on stop, at the deadline, on shutdown,
// or at the next start after faultline was killed.
#pragma once

#include <string>

#include "faults/kernel_backend.hpp"
#include "faults/process/process_spec.hpp"

namespace faultline::faults {

const KernelBackend& process_freeze();

// FAULTLINE_STATE_DIR (default /run/faultline) + "/freeze.log".
std::string freeze_ledger_path();

} // namespace faultline::faults
