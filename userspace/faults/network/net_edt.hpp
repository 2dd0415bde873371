// Delay, jitter and rate scoped to a cgroup by Earliest Departure Time: a cgroup_skb egress
// program (fl_skb_shape in bpf/network/net.bpf.c) sets skb->tstamp, and fq holds each packet
// until then. The root qdisc of the devices the target sends by is faultline's prio tree
// (shape_change in device_changes.hpp): delayed packets pass a netem band first, which releases
// them from their socket's budget, so a bulk TCP flow is not throttled to a few packets per RTT.
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/network/network_spec.hpp"

namespace faultline::faults {

const KernelBackend& net_edt();

} // namespace faultline::faults
