// Corrupt and duplicate scoped to a cgroup: a tc egress program (bpf/network/net_tc.bpf.c) on the
// devices the target sends by (clsact added where missing and removed again), which faults only
// packets whose socket is in a target cgroup.
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/network/network_spec.hpp"

namespace faultline::faults {

const KernelBackend& net_tc();

} // namespace faultline::faults
