// The device changes the network backends make (held and restored by device_holds):
//   shape    the shaping tree as the root qdisc, where departure times are set (net.edt)
//   fq       fq as the root qdisc (net.iface delay; recovery of older ledgers)
//   tc       faultline's tc filters in a clsact qdisc (net.tc, net.iface)
// Kept in one place so a restore can see every filter faultline may have on a device: the
// clsact faultline added is removed only when none of them is left.
#pragma once

#include <bpf/libbpf.h>

#include <string>
#include <vector>

#include "faultline/abi.h"
#include "faults/network/device_holds.hpp"
#include "network/abi.h"

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

// The root fq that versions before the shaping tree installed (ledger kind "fq"): nothing makes
// it any more (no install), recovery still undoes what a killed older process left.
const DeviceChange& fq_change();

// The shaping tree as the root qdisc (net.edt), in place of a bare fq so that a delayed bulk TCP
// flow is not throttled by TCP Small Queues (an skb that waits in fq still counts against its
// socket; netem releases it at enqueue):
//   prio fa19: bands 4, every priority to band 1, no filters
//     fa19:1  fq fa1a:                   everything else: bystanders, rate-only pacing, packets
//                                        the program leaves alone (deadline passed, detached)
//     fa19:4  netem fa1b: latency 64 ns  skb->priority FL_SHAPE_RELEASE_PRIORITY (a delay)
//               fa1b:1  fq fa1c:         holds each packet until skb->tstamp, as the root fq did
// Installed only over the kernel's default root (handle 0), which deleting ours brings back
// exactly; any other root qdisc is refused by name. Where the kernel has no sch_prio or
// sch_netem, a root fq as before (token "fq"): delay still exact, bulk TCP under delay limited.
const DeviceChange& shape_change();

// The shaping tree's handles (majors) and its queue limit in packets: netem counts its child's
// packets in its own limit, so netem and the child fq hold as many (10,000, fq's default limit:
// about 6 Gbit/s of MTU-sized packets per flow under 20 ms, more with GSO).
inline constexpr std::uint32_t kShapeRootHandle = FL_SHAPE_QDISC_MAJOR << 16;
inline constexpr std::uint32_t kShapeFqHandle = 0xfa1au << 16;
inline constexpr std::uint32_t kShapeNetemHandle = 0xfa1bu << 16;
inline constexpr std::uint32_t kShapeHoldHandle = 0xfa1cu << 16;
inline constexpr std::uint32_t kShapeLimit = 10000;

struct TcProgram {
  TcFilter filter;
  int prog_fd; // -1 when only restoring (recovery)
};
// clsact (if missing) plus these filters; the ledger kind names the set. The token says whether
// the clsact was ours ("clsact") or already there ("filter").
DeviceChange tc_filters_change(std::string kind, const std::vector<TcProgram>& programs);

} // namespace faultline::faults
