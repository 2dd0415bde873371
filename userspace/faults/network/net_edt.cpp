#include "faults/network/net_edt.hpp"

#include "faultline_bpf.programs.hpp"

#include "faults/network/device_changes.hpp"
#include "faults/network/net_match.hpp"
#include "faults/network/skb_attach.hpp"

namespace faultline::faults {
namespace {

// The program's link and the qdisc tree's hold, released in that order: the program stops
// stamping packets before the tree goes.
class ShapeAttached final : public Attached {
public:
  ShapeAttached(std::unique_ptr<DeviceHold> fq, kernel::Link link)
      : fq_(std::move(fq)), link_(std::move(link)) {}
  // Until the tree is on a late device, the program counts the target's delayed packets there
  // as unapplied (it reads the device's root qdisc) instead of stamping them.
  void refresh() override { fq_->extend(); }

private:
  std::unique_ptr<DeviceHold> fq_;
  kernel::Link link_;
};

class NetEdt final : public KernelBackend {
public:
  std::string_view name() const override { return "net.edt"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "delay, jitter and rate by departure time (skb->tstamp in cgroup_skb egress; a prio tree on the "
           "target's devices whose netem band releases delayed packets from their socket and whose fq "
           "holds them; put back on stop, deadline or the next start)";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_NET_SHAPE}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    if (!shapes(n)) return "it only delays and paces (delay, jitter, rate, connectDelay)";
    if (drops(n) || n.corrupt || n.duplicate)
      return "loss, corrupt or duplicate with delay/rate in one fault: write them as separate faults on the "
             "same target";
    if (n.direction != Direction::egress)
      return "delay and rate shape what the target sends (egress): a departure time means nothing to a "
             "packet "
             "already received; to slow what it receives, shape the sender's egress";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    std::vector<engine::HookRule> out;
    for (const auto& match : dns_matches(n)) {
      fl_net_effect effect{};
      effect.delay_ns = shape_delay_ns(n);
      effect.jitter_ns = n.jitter_ns.value_or(0);
      effect.rate_bps = n.rate_bps.value_or(0) / 8; // policy rates are bits per second
      fl_rule r = net_rule(FL_ACT_SHAPE, match, effect);
      r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
      out.push_back({FL_HOOK_NET_SHAPE, 0, r});
    }
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& skb = features.status(kernel::Feature::cgroup_skb);
    if (!skb.supported) return {false, "this kernel cannot scope packet faults to a cgroup: " + skb.detail};
    const auto& fq = features.status(kernel::Feature::fq_qdisc);
    if (!fq.supported) return {false, fq.detail};
    const auto& prio = features.status(kernel::Feature::prio_qdisc);
    const auto& netem = features.status(kernel::Feature::netem_qdisc);
    if (!prio.supported || !netem.supported)
      return {true, "cgroup_skb and " + fq.detail +
                        "; bulk TCP under delay is limited by TCP Small Queues: " +
                        (prio.supported ? netem.detail : prio.detail)};
    return {true, "cgroup_skb, " + fq.detail + ", " + prio.detail + ", " + netem.detail};
  }
  std::vector<std::string> programs() const override { return {program::fl_skb_shape}; }

  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                                           fl_hook /*hook*/, std::uint32_t /*sub*/) const override {
    auto fq = hold_devices(shape_change(), target.path);
    if (!fq)
      return make_error(fq.error().code, "cannot install the shaping qdisc tree for delay/rate: {}",
                        fq.error().message);
    auto link = attach_skb(programs, {target.path, target.cgroup_id, target.level}, program::fl_skb_shape);
    if (!link) return link.error(); // the hold, released here, restores the devices
    return std::unique_ptr<Attached>(std::make_unique<ShapeAttached>(std::move(*fq), std::move(*link)));
  }

  // Both kinds: "fq" lines come from versions before the tree (and from net.iface's delay).
  Result<std::vector<std::string>> recover() const override {
    auto shape = recover_devices(shape_change());
    if (!shape) return shape.error();
    auto fq = recover_devices(fq_change());
    if (!fq) return fq.error();
    shape->insert(shape->end(), fq->begin(), fq->end());
    return shape;
  }
};

} // namespace

const KernelBackend& net_edt() {
  static const NetEdt kBackend;
  return kBackend;
}

} // namespace faultline::faults
