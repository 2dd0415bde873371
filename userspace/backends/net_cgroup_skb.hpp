// Packet loss and blackholes scoped to a cgroup: cgroup_skb egress/ingress programs attached to
// each target cgroup (bpf/net.bpf.c).
#pragma once

#include "backends/kernel_backend.hpp"

namespace faultline::backends {

const KernelBackend& net_cgroup_skb();

} // namespace faultline::backends
