// The network family: Packet faults: loss, blackholes, delay, rate, corruption, duplication, DNS.
#include "faults/family.hpp"
#include "network/abi.h"

#include "faults/network/device_holds.hpp"
#include "faults/network/net_cgroup_skb.hpp"
#include "faults/network/net_edt.hpp"
#include "faults/network/net_iface.hpp"
#include "faults/network/net_tc.hpp"
#include "faults/network/section.hpp"

namespace faultline::faults {
namespace {

class NetworkFamily final : public Family {
public:
  const policy::FaultSection& section() const override { return network_section(); }
  std::vector<const KernelBackend*> backends() const override {
    return {&net_cgroup_skb(), &net_edt(), &net_tc(), &net_iface()};
  }
  std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t /*sub*/) const override {
    switch (hook) {
    case FL_HOOK_NET_EGRESS: return "net egress";
    case FL_HOOK_NET_INGRESS: return "net ingress";
    case FL_HOOK_NET_SHAPE: return "net shape";
    case FL_HOOK_NET_TC: return "net tc";
    case FL_HOOK_IFACE_EGRESS: return "interface egress";
    case FL_HOOK_IFACE_INGRESS: return "interface ingress";
    case FL_HOOK_IFACE_SHAPE: return "interface shape";
    default: return std::nullopt;
    }
  }
  std::optional<std::string> describe_effect(std::uint32_t action, std::int32_t /*value*/) const override {
    switch (action) {
    case FL_ACT_DROP: return "drop";
    case FL_ACT_SHAPE: return "delay";
    case FL_ACT_CORRUPT: return "corrupt";
    case FL_ACT_DUPLICATE: return "duplicate";
    case FL_ACT_DNS_ANSWER: return "dns answer";
    default: return std::nullopt;
    }
  }
  Status after_recovery() const override { return compact_device_ledger(); }
};

} // namespace

const Family& network_family() {
  static const NetworkFamily kFamily;
  return kFamily;
}

} // namespace faultline::faults
