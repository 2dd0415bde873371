// Resource faults: cpu.max, memory.high and io.max written on each target cgroup (cgroup v2), no
// BPF program. The old values are journaled and put back exactly by cgroup_knobs: on stop, at
// the deadline, on shutdown, or at the next start after faultline was killed.
#pragma once

#include <string>

#include "faults/kernel_backend.hpp"
#include "faults/resource/resource_spec.hpp"

namespace faultline::faults {

const KernelBackend& resource_cgroup();

// The "MAJ:MIN" of a whole block device named as "MAJ:MIN" or by its path (/dev/vda), checked
// against `sysfs`/dev/block. A partition is refused with the disk it is on: io.max limits disks.
Result<std::string> block_device_number(const std::string& device, const std::string& sysfs = "/sys");

} // namespace faultline::faults
