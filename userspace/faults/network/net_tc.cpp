#include "faults/network/net_tc.hpp"

#include "faultline_bpf.programs.hpp"

#include "faults/network/device_changes.hpp"
#include "faults/network/net_match.hpp"

namespace faultline::faults {
namespace {

DeviceChange tc_change(int prog_fd) { return tc_filters_change("tc", {{kCgroupEgressFilter, prog_fd}}); }

// Owns the change (the hold refers to it) and the hold; the hold goes first.
class TcAttached final : public Attached {
public:
  explicit TcAttached(std::unique_ptr<DeviceChange> change) : change_(std::move(change)) {}
  const DeviceChange& change() const { return *change_; }
  void keep(std::unique_ptr<DeviceHold> hold) { hold_ = std::move(hold); }
  void refresh() override {
    if (hold_) hold_->extend();
  }

private:
  std::unique_ptr<DeviceChange> change_;
  std::unique_ptr<DeviceHold> hold_;
};

class NetTc final : public KernelBackend {
public:
  std::string_view name() const override { return "net.tc"; }
  std::string_view family() const override { return "network"; }
  std::string_view summary() const override {
    return "corrupt (payload bit flips), duplicate and DNS failure answers (nxdomain, servfail): tc egress "
           "on "
           "the target's devices, scoped by the socket's cgroup";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_NET_TC}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    if (!n.corrupt && !n.duplicate && !answers(n))
      return "it only corrupts, duplicates and answers DNS queries with a failure";
    if (drops(n) || shapes(n))
      return "corrupt/duplicate with loss or delay in one fault: write them as separate faults on the same "
             "target";
    if (n.direction != Direction::egress)
      return "corrupt and duplicate act on what the target sends (egress); for what it receives, fault the "
             "sender";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& n = policy::spec_of<NetworkFault>(fault);
    std::vector<engine::HookRule> out;
    auto rule = [&](fl_action action, double probability, const fl_net_effect& effect = {}) {
      fl_rule r = net_rule(action, net_match(n), effect);
      r.trigger = engine::make_trigger(fault.trigger, probability, ctx);
      out.push_back({FL_HOOK_NET_TC, 0, r});
    };
    if (n.corrupt) {
      fl_net_effect effect{};
      if (n.corrupt_breaks_checksum) effect.corrupt_flags = FL_CORRUPT_BAD_CSUM;
      rule(FL_ACT_CORRUPT, *n.corrupt, effect);
    }
    if (n.duplicate) rule(FL_ACT_DUPLICATE, *n.duplicate);
    if (answers(n)) {
      const std::uint16_t rcode = n.dns->action == DnsFault::Action::nxdomain ? 3 : 2;
      for (const auto& match : dns_matches(n)) {
        fl_net_effect effect{};
        effect.dns_rcode = rcode;
        fl_rule r = net_rule(FL_ACT_DNS_ANSWER, match, effect);
        r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
        out.push_back({FL_HOOK_NET_TC, 0, r});
      }
    }
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& tc = features.status(kernel::Feature::tc);
    if (!tc.supported) return {false, "no tc BPF programs here: " + tc.detail};
    return {true, "tc: " + tc.detail};
  }
  std::vector<std::string> programs() const override { return {program::fl_tc_egress}; }

  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                                           fl_hook, std::uint32_t /*sub*/) const override {
    const int fd = programs.program_fd(program::fl_tc_egress);
    if (fd < 0) return make_error(EOPNOTSUPP, "the tc egress program was not loaded");
    auto attached = std::make_unique<TcAttached>(std::make_unique<DeviceChange>(tc_change(fd)));
    auto hold = hold_devices(attached->change(), target.path);
    if (!hold)
      return make_error(hold.error().code, "cannot set up tc for corrupt/duplicate/dns answers: {}",
                        hold.error().message);
    attached->keep(std::move(*hold));
    return std::unique_ptr<Attached>(std::move(attached));
  }

  Result<std::vector<std::string>> recover() const override { return recover_devices(tc_change(-1)); }
};

} // namespace

const KernelBackend& net_tc() {
  static const NetTc kBackend;
  return kBackend;
}

} // namespace faultline::faults
