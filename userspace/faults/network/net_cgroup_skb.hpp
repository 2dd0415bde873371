// Packet loss and blackholes scoped to a cgroup: cgroup_skb egress/ingress programs attached to
// each target cgroup (bpf/network/net.bpf.c).
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/network/network_spec.hpp"

namespace faultline::faults {

const KernelBackend& net_cgroup_skb();

} // namespace faultline::faults
