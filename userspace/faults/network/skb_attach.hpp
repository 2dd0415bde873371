// The family's cgroup_skb attachments: a program attached to a target cgroup, told which cgroup it
// serves.
#pragma once

#include <string>

#include "kernel/cgroup.hpp"
#include "kernel/fault_programs.hpp"
#include "util/result.hpp"

namespace faultline::faults {

// Attaches `program` (fl_skb_egress, fl_skb_ingress or fl_skb_shape) to the cgroup and writes the
// attachment's storage (fl_attach_cgrp in bpf/network/net.bpf.c): which cgroup it serves. The
// storage exists from the attach on and finds no rules until this write; the link detaches when
// dropped, and nothing stays attached on failure.
Result<kernel::Link> attach_skb(kernel::FaultPrograms& programs, const kernel::CgroupInfo& cgroup,
                                const std::string& program);

} // namespace faultline::faults
