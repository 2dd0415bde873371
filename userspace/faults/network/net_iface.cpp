#include "faults/network/net_iface.hpp"

#include "faultline_bpf.programs.hpp"

#include "faults/network/device_changes.hpp"
#include "faults/network/net_match.hpp"

namespace faultline::faults {
namespace {

DeviceChange iface_change(int egress_fd, int ingress_fd) {
  return tc_filters_change("tc-iface", {{kIfaceEgressFilter, egress_fd}, {kIfaceIngressFilter, ingress_fd}});
}

// The tc filters on the device, and the shaping qdisc tree where something is delayed: the holds
// go first (the tree last, after the program stops stamping packets).
class IfaceAttached final : public Attached {
public:
  explicit IfaceAttached(std::unique_ptr<DeviceChange> change) : change_(std::move(change)) {}
  const DeviceChange& change() const { return *change_; }
  void keep(std::unique_ptr<DeviceHold> tc, std::unique_ptr<DeviceHold> tree) {
    tree_ = std::move(tree);
    tc_ = std::move(tc);
  }

private:
  std::unique_ptr<DeviceChange> change_;
  std::unique_ptr<DeviceHold> tree_;
  std::unique_ptr<DeviceHold> tc_; // declared last: released first
};

class NetIface final : public KernelBackend {
public:
  std::string_view name() const override { return "net.iface"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "interface targets (host-level drills): loss, blackhole, delay, corrupt, duplicate and DNS faults "
           "on "
           "every packet of one device, tc egress and ingress";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  engine::TargetKind target_kind() const override { return engine::TargetKind::interface; }
  std::vector<fl_hook> hooks() const override {
    return {FL_HOOK_IFACE_EGRESS, FL_HOOK_IFACE_INGRESS, FL_HOOK_IFACE_SHAPE};
  }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    if (n.loss_model)
      return "bursty (Gilbert-Elliott) loss keeps its state per cgroup target; on an interface use "
             "independent loss (loss: N%)";
    if (n.jitter_ns || n.rate_bps)
      return "jitter and rate keep per-flow and per-target pacing state that an interface target has not; "
             "on an interface use delay (or target the cgroups that send)";
    const bool egress_only = shapes(n) || n.corrupt || n.duplicate || answers(n);
    if (egress_only && n.direction != Direction::egress)
      return "delay, corrupt, duplicate and DNS answers act on what leaves the device (egress); loss and "
             "blackhole also on what it receives";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    std::vector<engine::HookRule> out;
    for (const auto& match : dns_matches(n)) {
      auto rule = [&](fl_hook hook, fl_action action, std::optional<double> probability,
                      const fl_net_effect& effect = {}) {
        fl_rule r = net_rule(action, match, effect);
        r.trigger = engine::make_trigger(fault.trigger, probability, ctx);
        out.push_back({hook, 0, r});
      };
      if (drops(n)) { // Bernoulli loss is the trigger's probability; blackhole and dns drop always
        if (n.direction != Direction::ingress) rule(FL_HOOK_IFACE_EGRESS, FL_ACT_DROP, n.loss);
        if (n.direction != Direction::egress) rule(FL_HOOK_IFACE_INGRESS, FL_ACT_DROP, n.loss);
      }
      if (n.corrupt) {
        fl_net_effect effect{};
        if (n.corrupt_breaks_checksum) effect.corrupt_flags = FL_CORRUPT_BAD_CSUM;
        rule(FL_HOOK_IFACE_EGRESS, FL_ACT_CORRUPT, n.corrupt, effect);
      }
      if (n.duplicate) rule(FL_HOOK_IFACE_EGRESS, FL_ACT_DUPLICATE, n.duplicate);
      if (answers(n)) {
        fl_net_effect effect{};
        effect.dns_rcode = n.dns->action == DnsFault::Action::nxdomain ? 3 : 2;
        rule(FL_HOOK_IFACE_EGRESS, FL_ACT_DNS_ANSWER, std::nullopt, effect);
      }
      if (shapes(n)) {
        fl_net_effect effect{};
        effect.delay_ns = shape_delay_ns(n);
        rule(FL_HOOK_IFACE_SHAPE, FL_ACT_SHAPE, std::nullopt, effect);
      }
    }
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& tc = features.status(kernel::Feature::tc);
    if (!tc.supported) return {false, "no tc BPF programs here: " + tc.detail};
    return {true, "tc: " + tc.detail};
  }
  std::vector<std::string> programs() const override {
    return {program::fl_iface_egress, program::fl_iface_ingress};
  }

  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                                           fl_hook hook, std::uint32_t /*sub*/) const override {
    if (!target.is_interface()) return make_error(EINVAL, "net.iface serves interface targets only");
    const int egress = programs.program_fd(program::fl_iface_egress);
    const int ingress = programs.program_fd(program::fl_iface_ingress);
    if (egress < 0 || ingress < 0) return make_error(EOPNOTSUPP, "the interface tc programs were not loaded");
    auto attached =
        std::make_unique<IfaceAttached>(std::make_unique<DeviceChange>(iface_change(egress, ingress)));
    std::unique_ptr<DeviceHold> tree;
    if (hook == FL_HOOK_IFACE_SHAPE) { // the tree before the program can stamp a departure time
      auto held = hold_device(shape_change(), static_cast<int>(target.ifindex));
      if (!held)
        return make_error(held.error().code, "cannot install the shaping qdisc tree on {} for delay: {}",
                          target.spec, held.error().message);
      tree = std::move(*held);
    }
    auto tc = hold_device(attached->change(), static_cast<int>(target.ifindex));
    if (!tc)
      return make_error(tc.error().code, "cannot set up tc on {}: {}", target.spec, tc.error().message);
    attached->keep(std::move(*tc), std::move(tree));
    return std::unique_ptr<Attached>(std::move(attached));
  }

  Result<std::vector<std::string>> recover() const override { return recover_devices(iface_change(-1, -1)); }
};

} // namespace

const KernelBackend& net_iface() {
  static const NetIface kBackend;
  return kBackend;
}

} // namespace faultline::faults
