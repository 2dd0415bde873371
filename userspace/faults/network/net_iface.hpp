// Interface targets (`targets: [{interface: eth0}]`, host-level drills): every packet of one
// network device of faultlined's namespace, whatever process sends or receives it. tc programs
// on the device's egress and ingress (bpf/network/net_tc.bpf.c, fl_iface_*), keyed by the device instead
// of a cgroup; fq as its root qdisc only while something is delayed. Host-wide by nature: the
// safety guard requires spec.safety.allowHostWide.
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/network/network_spec.hpp"

namespace faultline::faults {

const KernelBackend& net_iface();

} // namespace faultline::faults
