// Corrupt and duplicate scoped to a cgroup: a tc egress program (bpf/net_tc.bpf.c) on the
// devices the target sends by (clsact added where missing and removed again), which faults only
// packets whose socket is in a target cgroup.
#pragma once

#include "backends/kernel_backend.hpp"

namespace faultline::backends {

const KernelBackend& net_tc();

} // namespace faultline::backends
