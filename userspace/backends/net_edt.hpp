// Delay, jitter and rate scoped to a cgroup by Earliest Departure Time: a cgroup_skb egress
// program (fl_skb_shape in bpf/net.bpf.c) sets skb->tstamp, and fq, made the root qdisc of the
// devices the target sends by (edt_devices.hpp), holds each packet until then.
#pragma once

#include "backends/kernel_backend.hpp"

namespace faultline::backends {

const KernelBackend& net_edt();

} // namespace faultline::backends
