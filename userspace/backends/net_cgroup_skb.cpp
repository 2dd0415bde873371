#include "backends/net_cgroup_skb.hpp"

#include <arpa/inet.h>

namespace faultline::backends {
namespace {

std::uint8_t protocol_number(policy::Protocol p) {
  switch (p) {
  case policy::Protocol::tcp: return 6;
  case policy::Protocol::udp: return 17;
  case policy::Protocol::icmp: return 1;
  case policy::Protocol::any: break;
  }
  return 0;
}

class NetCgroupSkb final : public KernelBackend {
public:
  std::string_view name() const override { return "net.cgroup_skb"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "packet loss and blackholes, cgroup_skb programs attached to each target cgroup";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = std::get<policy::NetworkFault>(fault.spec);
    if (n.delay_ns || n.rate_bps || n.corrupt || n.duplicate)
      return "delay, rate, corrupt and duplicate are not supported by this faultline release; loss and "
             "blackhole are";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = std::get<policy::NetworkFault>(fault.spec);
    fl_rule r{};
    r.effect.action = FL_ACT_DROP;
    r.trigger = engine::make_trigger(fault.trigger, n.blackhole ? std::optional<double>{} : n.loss, ctx);
    r.net.protocol = protocol_number(n.protocol);
    if (n.peer) {
      const std::uint32_t mask = n.peer->prefix == 0 ? 0 : ~0u << (32 - n.peer->prefix);
      r.net.peer_addr = htonl(n.peer->addr & mask);
      r.net.peer_mask = htonl(mask);
    }
    r.net.port_min = n.port.min;
    r.net.port_max = n.port.max;
    std::vector<engine::HookRule> out;
    if (n.direction != policy::Direction::ingress) out.push_back({FL_HOOK_NET_EGRESS, 0, r});
    if (n.direction != policy::Direction::egress) out.push_back({FL_HOOK_NET_INGRESS, 0, r});
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& skb = features.status(kernel::Feature::cgroup_skb);
    return {skb.supported, skb.supported
                               ? "cgroup_skb: " + skb.detail
                               : "this kernel cannot scope packet faults to a cgroup: " + skb.detail};
  }
  std::vector<std::string> programs() const override { return {"fl_skb_egress", "fl_skb_ingress"}; }
  Result<kernel::Link> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                              fl_hook hook) const override {
    return programs.attach_cgroup_skb({target.path, target.cgroup_id, target.level}, hook);
  }
};

} // namespace

const KernelBackend& net_cgroup_skb() {
  static const NetCgroupSkb kBackend;
  return kBackend;
}

} // namespace faultline::backends
