// Delay, jitter and rate scoped to a cgroup by Earliest Departure Time: a cgroup_skb egress
// program (fl_skb_shape in bpf/network/net.bpf.c) sets skb->tstamp, and fq, made the root qdisc of the
// devices the target sends by (edt_devices.hpp), holds each packet until then.
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/network/network_spec.hpp"

namespace faultline::faults {

const KernelBackend& net_edt();

} // namespace faultline::faults
