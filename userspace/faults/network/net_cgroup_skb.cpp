#include "faults/network/net_cgroup_skb.hpp"

#include "faultline_bpf.programs.hpp"

#include "faults/network/net_match.hpp"
#include "faults/network/skb_attach.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace faultline::faults {
namespace {

fl_loss_model gilbert_elliott(const GilbertElliott& ge) {
  fl_loss_model m{};
  m.kind = FL_LOSS_GILBERT_ELLIOTT;
  m.p = engine::probability_threshold(ge.p);
  m.r = engine::probability_threshold(ge.r);
  m.loss_bad = engine::probability_threshold(ge.bad);
  m.loss_good = engine::probability_threshold(ge.good);
  return m;
}

class NetCgroupSkb final : public KernelBackend {
public:
  std::string_view name() const override { return "net.cgroup_skb"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "silent and bursty loss, blackholes, IPv4 and IPv6 filters: cgroup_skb programs attached to each "
           "target cgroup";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    if (n.corrupt || n.duplicate) return "it does not corrupt or duplicate packets";
    if (shapes(n)) return "it does not delay or pace packets";
    if (answers(n)) return "it does not answer DNS queries (nxdomain, servfail)";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    std::vector<engine::HookRule> out;
    for (const auto& match : dns_matches(n)) {
      fl_net_effect effect{};
      if (n.loss_model) effect.loss = gilbert_elliott(*n.loss_model);
      fl_rule r = net_rule(FL_ACT_DROP, match, effect);
      // Bernoulli loss is the trigger's probability; blackhole, dns drop and Gilbert-Elliott fire on
      // every packet.
      r.trigger = engine::make_trigger(fault.trigger, n.loss ? n.loss : std::optional<double>{}, ctx);
      if (n.direction != Direction::ingress) out.push_back({FL_HOOK_NET_EGRESS, 0, r});
      if (n.direction != Direction::egress) out.push_back({FL_HOOK_NET_INGRESS, 0, r});
    }
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& skb = features.status(kernel::Feature::cgroup_skb);
    return {skb.supported, skb.supported
                               ? "cgroup_skb: " + skb.detail
                               : "this kernel cannot scope packet faults to a cgroup: " + skb.detail};
  }
  std::vector<std::string> programs() const override {
    return {program::fl_skb_egress, program::fl_skb_ingress};
  }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                                           fl_hook hook, std::uint32_t /*sub*/) const override {
    return hold_link(
        attach_skb(programs, {target.path, target.cgroup_id, target.level},
                   hook == FL_HOOK_NET_INGRESS ? program::fl_skb_ingress : program::fl_skb_egress));
  }
};

} // namespace

const KernelBackend& net_cgroup_skb() {
  static const NetCgroupSkb kBackend;
  return kBackend;
}

} // namespace faultline::faults
