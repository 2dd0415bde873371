#include "backends/net_cgroup_skb.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace faultline::backends {
namespace {

std::uint8_t protocol_number(policy::Protocol p) {
  switch (p) {
  case policy::Protocol::tcp: return 6;
  case policy::Protocol::udp: return 17;
  case policy::Protocol::icmp: return FL_IPPROTO_ICMP_ANY; // ICMP and ICMPv6
  case policy::Protocol::any: break;
  }
  return 0;
}

fl_net_match net_match(const policy::NetworkFault& n) {
  fl_net_match m{};
  m.protocol = protocol_number(n.protocol);
  if (n.peer) {
    m.family = n.peer->family == 6 ? FL_FAMILY_IPV6 : FL_FAMILY_IPV4;
    m.prefix = n.peer->prefix;
    // The mask as bytes in network order over the same 16 bytes as the address.
    std::array<std::uint8_t, 16> mask{};
    for (unsigned bit = 0; bit < n.peer->prefix; ++bit)
      mask[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    std::memcpy(m.peer, n.peer->addr.data(), sizeof(m.peer));
    std::memcpy(m.mask, mask.data(), sizeof(m.mask));
  }
  m.port_min = n.port.min;
  m.port_max = n.port.max;
  return m;
}

fl_loss_model gilbert_elliott(const policy::GilbertElliott& ge) {
  fl_loss_model m{};
  m.kind = FL_LOSS_GILBERT_ELLIOTT;
  m.p = engine::probability_threshold(ge.p);
  m.r = engine::probability_threshold(ge.r);
  m.loss_bad = engine::probability_threshold(ge.bad);
  m.loss_good = engine::probability_threshold(ge.good);
  return m;
}

bool shapes(const policy::NetworkFault& n) { return n.delay_ns || n.rate_bps; }
bool drops(const policy::NetworkFault& n) { return n.loss || n.loss_model || n.blackhole; }

class NetCgroupSkb final : public KernelBackend {
public:
  std::string_view name() const override { return "net.cgroup_skb"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "silent and bursty loss, blackholes, delay, jitter and rate (EDT with fq), IPv4 and IPv6 filters; "
           "cgroup_skb programs attached to each target cgroup";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = std::get<policy::NetworkFault>(fault.spec);
    if (n.corrupt || n.duplicate)
      return "corrupt and duplicate need a tc program, which this faultline release does not have yet; loss, "
             "blackhole, delay, jitter and rate are supported";
    if (shapes(n) && drops(n))
      return "loss and delay/rate in one fault: write them as two faults on the same target (they apply in "
             "order: the drop first)";
    if (shapes(n) && n.direction != policy::Direction::egress)
      return "delay and rate shape what the target sends (egress): a departure time means nothing to a "
             "packet already received; to slow what it receives, shape the sender's egress";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = std::get<policy::NetworkFault>(fault.spec);
    fl_rule r{};
    r.net = net_match(n);
    if (shapes(n)) {
      r.effect.action = FL_ACT_SHAPE;
      r.effect.delay_ns = n.delay_ns.value_or(0);
      r.effect.jitter_ns = n.jitter_ns.value_or(0);
      r.effect.rate_bps = n.rate_bps.value_or(0) / 8; // policy rates are bits per second
      r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
      return {{FL_HOOK_NET_EGRESS, 0, r}};
    }
    r.effect.action = FL_ACT_DROP;
    if (n.loss_model) r.effect.loss = gilbert_elliott(*n.loss_model);
    // Bernoulli loss is the trigger's probability; blackhole and Gilbert-Elliott fire on every packet.
    r.trigger = engine::make_trigger(fault.trigger, n.loss ? n.loss : std::optional<double>{}, ctx);
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
