// Cgroup-scoped packet loss, end to end through the real kernel: the target cgroup's datagrams
// are dropped at the configured rate, a sibling control cgroup's are not, and the kill switch
// and the deadline both stop the loss. Runs on the machine itself (root) and in the VM.
#include <gtest/gtest.h>

#include <optional>

#include "kernel/fault_programs.hpp"
#include "support/child.hpp"
#include "support/fixtures.hpp"
#include "support/netns.hpp"
#include "support/udp.hpp"

namespace faultline::testing {
namespace {

constexpr int kDatagrams = 2000;
constexpr std::uint16_t kTargetPort = 9101;
constexpr std::uint16_t kControlPort = 9102;

class CgroupSkbDrop : public ::testing::Test {
protected:
  void SetUp() override {
    auto cgroups = TestCgroups::create("drop");
    ASSERT_TRUE(cgroups) << cgroups.error().describe();
    cgroups_.emplace(std::move(*cgroups));
    auto net = NetnsPair::create("drop");
    ASSERT_TRUE(net) << net.error().describe();
    net_.emplace(std::move(*net));
    auto programs = kernel::FaultPrograms::load({});
    ASSERT_TRUE(programs) << programs.error().describe();
    programs_.emplace(std::move(*programs));
    if (attach_enabled()) {
      auto link = programs_->attach_cgroup_skb(cgroups_->target_info, FL_HOOK_NET_EGRESS);
      ASSERT_TRUE(link) << link.error().describe();
      link_ = std::move(*link);
    }
  }

  void apply_drop(double probability, std::uint64_t lifetime_ns = 60'000'000'000ull,
                  std::uint32_t flags = 0) {
    engine::CompiledRules rules;
    fl_rule rule = make_rule(7, FL_ACT_DROP, probability, lifetime_ns);
    rule.flags = flags;
    ASSERT_TRUE(rules.add(cgroups_->target_info.id, cgroups_->target_info.level, FL_HOOK_NET_EGRESS, rule));
    auto st = programs_->apply(rules);
    ASSERT_TRUE(st) << st.error().describe();
  }

  struct Received {
    long target_sent = 0;
    long target = 0;
    long control = 0;
  };

  // Target and control each send kDatagrams across the veth pair; the receiver counts per port.
  Received exchange() {
    Received r;
    std::optional<kernel::UniqueFd> rx_target;
    std::optional<kernel::UniqueFd> rx_control;
    {
      auto guard = NetnsGuard::enter(net_->ns_b());
      EXPECT_TRUE(guard) << guard.error().describe();
      auto t = open_receiver(NetnsPair::kAddrB, kTargetPort);
      auto c = open_receiver(NetnsPair::kAddrB, kControlPort);
      EXPECT_TRUE(t && c);
      if (!t || !c) return r;
      rx_target.emplace(std::move(*t));
      rx_control.emplace(std::move(*c));
    }
    auto sent = run_in_child({cgroups_->target->path(), net_->ns_a()},
                             [] { return send_datagrams(NetnsPair::kAddrB, kTargetPort, kDatagrams); });
    EXPECT_TRUE(sent) << sent.error().describe();
    auto control_sent = run_in_child({cgroups_->control->path(), net_->ns_a()}, [] {
      return send_datagrams(NetnsPair::kAddrB, kControlPort, kDatagrams);
    });
    EXPECT_TRUE(control_sent) << control_sent.error().describe();
    EXPECT_EQ(control_sent ? *control_sent : -1, kDatagrams) << "the control's sends must all succeed";
    r.target_sent = sent ? *sent : -1;
    r.target = drain_datagrams(rx_target->get());
    r.control = drain_datagrams(rx_control->get());
    return r;
  }

  std::optional<TestCgroups> cgroups_;
  std::optional<NetnsPair> net_;
  std::optional<kernel::FaultPrograms> programs_;
  kernel::Link link_;
};

TEST_F(CgroupSkbDrop, TargetLosesConfiguredFractionControlLosesNone) {
  constexpr double kLoss = 0.30;
  apply_drop(kLoss);
  const Received r = exchange();
  const Bounds b = binomial_bounds(kDatagrams, kLoss);
  const long lost = kDatagrams - r.target;
  RecordProperty("target_lost", static_cast<int>(lost));
  EXPECT_GE(lost, b.low) << "target received " << r.target << " of " << kDatagrams;
  EXPECT_LE(lost, b.high) << "target received " << r.target << " of " << kDatagrams;
  EXPECT_EQ(r.control, kDatagrams) << "the control cgroup must lose nothing";
  // The sender saw exactly the injected drops as failed sends, and the counters agree.
  EXPECT_EQ(r.target_sent, r.target);
  auto stats = programs_->rule_stats(7);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->matched, static_cast<std::uint64_t>(kDatagrams));
  EXPECT_EQ(stats->injected, static_cast<std::uint64_t>(lost));
}

TEST_F(CgroupSkbDrop, KillSwitchStopsLossImmediately) {
  apply_drop(1.0);
  const Received before = exchange();
  EXPECT_EQ(before.target, 0) << "100% loss must drop every datagram";
  ASSERT_TRUE(programs_->disarm());
  const Received after = exchange();
  EXPECT_EQ(after.target, kDatagrams) << "after the kill switch nothing may be dropped";
  EXPECT_EQ(after.control, kDatagrams);
}

TEST_F(CgroupSkbDrop, ApplySwapsWholeTable) {
  apply_drop(1.0);
  EXPECT_EQ(exchange().target, 0);
  engine::CompiledRules empty;
  ASSERT_TRUE(programs_->apply(empty));
  EXPECT_EQ(exchange().target, kDatagrams) << "an empty policy must remove the old rules";
  apply_drop(1.0);
  EXPECT_EQ(exchange().target, 0) << "a re-applied policy must be live again";
}

TEST_F(CgroupSkbDrop, DryRunCountsWithoutDropping) {
  constexpr double kLoss = 0.30;
  apply_drop(kLoss, 60'000'000'000ull, FL_RULE_DRY_RUN);
  const Received r = exchange();
  EXPECT_EQ(r.target, kDatagrams) << "a dry run must not drop anything";
  auto stats = programs_->rule_stats(7);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->matched, static_cast<std::uint64_t>(kDatagrams))
      << "the programs must still see the traffic";
  const Bounds b = binomial_bounds(kDatagrams, kLoss);
  EXPECT_GE(static_cast<double>(stats->injected), b.low) << "would-be injections are counted";
  EXPECT_LE(static_cast<double>(stats->injected), b.high);
}

TEST_F(CgroupSkbDrop, NoFaultOutlivesItsDeadline) {
  apply_drop(1.0, 200'000'000ull); // 200 ms
  ::usleep(400'000);
  const Received r = exchange();
  EXPECT_EQ(r.target, kDatagrams) << "a rule past its deadline must be inert even if never removed";
  auto expired = programs_->global_stat(FL_STAT_DEADLINE_EXPIRED);
  ASSERT_TRUE(expired);
  EXPECT_GE(*expired, static_cast<std::uint64_t>(kDatagrams));
}

} // namespace
} // namespace faultline::testing
