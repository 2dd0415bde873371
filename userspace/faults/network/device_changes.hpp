// The device changes the network backends make (held and restored by device_holds):
//   fq       fq as the root qdisc, where departure times are set (net.edt, net.iface delay)
//   tc       faultline's tc filters in a clsact qdisc (net.tc, net.iface)
// Kept in one place so a restore can see every filter faultline may have on a device: the
// clsact faultline added is removed only when none of them is left.
#pragma once

#include <bpf/libbpf.h>

#include <string>
#include <vector>

#include "faults/network/device_holds.hpp"

namespace faultline::faults {

// One faultline tc filter: where it sits. Fixed, so a restore (also after a crash) finds it.
struct TcFilter {
  bpf_tc_attach_point point;
  std::uint32_t handle;
  std::uint32_t priority;
};
inline constexpr TcFilter kCgroupEgressFilter{BPF_TC_EGRESS, 0xfa17, 0xfa17};  // net.tc
inline constexpr TcFilter kIfaceEgressFilter{BPF_TC_EGRESS, 0xfa18, 0xfa18};   // net.iface
inline constexpr TcFilter kIfaceIngressFilter{BPF_TC_INGRESS, 0xfa18, 0xfa18}; // net.iface

// fq as the root qdisc: only where the kernel's default was (handle 0), which deleting ours
// brings back exactly; a device that already has fq is used as it is; an administrator's qdisc
// is refused, since it could not be put back exactly.
const DeviceChange& fq_change();

struct TcProgram {
  TcFilter filter;
  int prog_fd; // -1 when only restoring (recovery)
};
// clsact (if missing) plus these filters; the ledger kind names the set. The token says whether
// the clsact was ours ("clsact") or already there ("filter").
DeviceChange tc_filters_change(std::string kind, const std::vector<TcProgram>& programs);

} // namespace faultline::faults
