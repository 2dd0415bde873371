// The network family's compile step: each fault to its backend's rules, hooks and ABI fields.
#include "compiler_test.hpp"
#include "network/abi.h"
#include <arpa/inet.h>

namespace faultline::engine {
namespace {

using namespace compile_test;

// The network part of a compiled rule, as the programs read it.
fl_net_rule net_of(const fl_rule& r) { return family_part<fl_net_rule>(r); }

TEST(Compiler, LossBecomesDropRulePerTargetWithDeadline) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: loss\n      network: {loss: 25%, protocol: udp, peer: 192.0.2.0/24, "
                           "port: 9000-9010}\n"),
                     kTargets, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 2u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_EGRESS);
  EXPECT_EQ(r.effect.action, FL_ACT_DROP);
  EXPECT_EQ(r.trigger.probability, 1073741824u); // 25% of 2^32
  EXPECT_EQ(r.trigger.deadline_ns, kNow + 10'000'000'000ull);
  EXPECT_EQ(r.trigger.start_ns, kNow);
  EXPECT_EQ(net_of(r).match.protocol, 17);
  EXPECT_EQ(net_of(r).match.peer.family, FL_FAMILY_IPV4);
  EXPECT_EQ(net_of(r).match.peer.prefix, 24);
  EXPECT_EQ(net_of(r).match.peer.addr[0], htonl(0xc0000200));
  EXPECT_EQ(net_of(r).match.peer.mask[0], htonl(0xffffff00));
  EXPECT_EQ(net_of(r).match.peer.mask[1], 0u) << "an IPv4 rule compares only the first word";
  EXPECT_EQ(net_of(r).match.peer.port_min, 9000);
  EXPECT_EQ(net_of(r).match.peer.port_max, 9010);
  EXPECT_EQ(exp->entries[1].target.cgroup_id, 222u);
  EXPECT_EQ(ids.in_use(), 1u);
}

TEST(Compiler, BlackholeBothDirectionsUsesTwoHooksAndAlwaysFires) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: hang\n      network: {blackhole: true, direction: both}\n      "
                           "trigger: {start: 2s, times: 5}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 2u);
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_EGRESS);
  EXPECT_EQ(exp->entries[1].hook, FL_HOOK_NET_INGRESS);
  EXPECT_EQ(exp->entries[0].rule.trigger.probability, FL_PROB_ALWAYS);
  EXPECT_EQ(exp->entries[0].rule.trigger.start_ns, kNow + 2'000'000'000ull);
  EXPECT_EQ(exp->entries[0].rule.trigger.times, 5u);
  EXPECT_NE(exp->entries[0].rule.rule_id, exp->entries[1].rule.rule_id);
  EXPECT_EQ(exp->faults[0].rule_ids.size(), 2u);
}

TEST(Compiler, DelayJitterRateBecomeOneShapeRule) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: slow\n      network: {delay: 20ms, jitter: 5ms, rate: 8mbit, peer: "
                           "\"2001:db8::/32\"}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_SHAPE);
  EXPECT_EQ(exp->entries[0].backend->name(), "net.edt");
  EXPECT_EQ(r.effect.action, FL_ACT_SHAPE);
  EXPECT_EQ(net_of(r).effect.delay_ns, 20'000'000u);
  EXPECT_EQ(net_of(r).effect.jitter_ns, 5'000'000u);
  EXPECT_EQ(net_of(r).effect.rate_bps, 1'000'000u) << "8 mbit/s is 1,000,000 bytes/s";
  EXPECT_EQ(r.trigger.probability, FL_PROB_ALWAYS);
  EXPECT_EQ(net_of(r).match.peer.family, FL_FAMILY_IPV6);
  EXPECT_EQ(net_of(r).match.peer.prefix, 32);
  EXPECT_EQ(net_of(r).match.peer.addr[0], htonl(0x20010db8));
  EXPECT_EQ(net_of(r).match.peer.mask[0], 0xffffffffu);
  EXPECT_EQ(net_of(r).match.peer.mask[1], 0u);
}

TEST(Compiler, ConnectDelayShapesOnlyTcpSyns) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: slow-connect\n      network: {connectDelay: 250ms, port: 5432}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_SHAPE);
  EXPECT_EQ(r.effect.action, FL_ACT_SHAPE);
  EXPECT_EQ(net_of(r).effect.delay_ns, 250'000'000u);
  EXPECT_EQ(net_of(r).match.protocol, 6);
  EXPECT_EQ(net_of(r).match.syn_only, 1);
  EXPECT_EQ(net_of(r).match.peer.port_min, 5432);
}

TEST(Compiler, GilbertElliottCarriesItsChain) {
  RuleIdAllocator ids;
  auto exp =
      compile(parse("    - name: bursts\n      network: {loss: {model: gilbert-elliott, p: 25%, r: 50%}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(r.effect.action, FL_ACT_DROP);
  EXPECT_EQ(net_of(r).effect.loss.kind, FL_LOSS_GILBERT_ELLIOTT);
  EXPECT_EQ(net_of(r).effect.loss.p, 1073741824u);
  EXPECT_EQ(net_of(r).effect.loss.r, 2147483648u);
  EXPECT_EQ(net_of(r).effect.loss.loss_bad, FL_PROB_ALWAYS);
  EXPECT_EQ(net_of(r).effect.loss.loss_good, 0u);
  EXPECT_EQ(r.trigger.probability, FL_PROB_ALWAYS) << "the chain decides, not the trigger";
}

TEST(Compiler, RefusesShapingThatCannotWork) {
  RuleIdAllocator ids;
  auto both = compile(parse("    - name: x\n      network: {loss: 5%, delay: 10ms}\n"), kTargets, all_caps(),
                      ids, kNow);
  ASSERT_FALSE(both);
  EXPECT_EQ(
      both.error().message,
      "p.yaml:9:7: fault 'x': no backend can inject it here (net.cgroup_skb: it does not delay or pace "
      "packets; net.edt: loss, corrupt or duplicate with delay/rate in one fault: write them as separate "
      "faults on the same target; net.tc: it only corrupts, duplicates and answers DNS queries with a "
      "failure)");
  auto ingress = compile(parse("    - name: x\n      network: {delay: 10ms, direction: ingress}\n"), kTargets,
                         all_caps(), ids, kNow);
  ASSERT_FALSE(ingress);
  EXPECT_NE(ingress.error().message.find("delay and rate shape what the target sends (egress)"),
            std::string::npos)
      << ingress.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(Compiler, DnsFailureAnswersGoToTcOneRulePerName) {
  RuleIdAllocator ids;
  auto nx = compile(parse("    - name: nx\n      network: {dns: {names: [\"*.db.internal\", a.b], action: "
                          "nxdomain}}\n"),
                    {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(nx) << nx.error().message;
  ASSERT_EQ(nx->entries.size(), 2u) << "one rule per name";
  for (const auto& e : nx->entries) {
    EXPECT_EQ(e.backend->name(), "net.tc");
    EXPECT_EQ(e.hook, FL_HOOK_NET_TC);
    EXPECT_EQ(e.rule.effect.action, FL_ACT_DNS_ANSWER);
    EXPECT_EQ(net_of(e.rule).effect.dns_rcode, 3u) << "NXDOMAIN";
    EXPECT_EQ(net_of(e.rule).match.protocol, 17u);
    EXPECT_EQ(net_of(e.rule).match.peer.port_min, 53u);
  }
  EXPECT_EQ(
      std::string(net_of(nx->entries[0].rule).match.dns_name, net_of(nx->entries[0].rule).match.dns_len),
      std::string("\x02"
                  "db"
                  "\x08"
                  "internal",
                  12) +
          '\0')
      << "wire form";
  EXPECT_EQ(net_of(nx->entries[0].rule).match.dns_flags, FL_DNS_SUFFIX);
  EXPECT_EQ(
      std::string(net_of(nx->entries[1].rule).match.dns_name, net_of(nx->entries[1].rule).match.dns_len),
      std::string("\x01"
                  "a"
                  "\x01"
                  "b",
                  4) +
          '\0');
  release_ids(*nx, ids);
  auto sf = compile(parse("    - name: sf\n      network: {dns: {names: [a.b], action: servfail}}\n"),
                    {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(sf) << sf.error().message;
  EXPECT_EQ(net_of(sf->entries[0].rule).effect.dns_rcode, 2u) << "SERVFAIL";
  release_ids(*sf, ids);
  // Where tc is missing, the refusal names the one backend that could answer.
  auto no_tc = compile(parse("    - name: nx\n      network: {dns: {names: [a.b], action: nxdomain}}\n"),
                       {kTargets[0]}, registry({"net.tc"}), ids, kNow);
  ASSERT_FALSE(no_tc);
  EXPECT_NE(no_tc.error().message.find("(net.tc: this kernel cannot run it"), std::string::npos)
      << no_tc.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

// An interface target next to a cgroup target: each gets its own backend's rules, keyed by the
// device for the interface.
TEST(Compiler, InterfaceTargetsGetDeviceRules) {
  RuleIdAllocator ids;
  Target dev{"interface:eth0", FL_IFACE_TARGET_BIT | 2, 0, {}, {}};
  dev.ifindex = 2;
  auto exp = compile(parse("    - name: flaky\n      network: {loss: 10%, direction: both}\n"
                           "    - name: slow\n      network: {delay: 20ms, port: 443}\n"),
                     {kTargets[0], dev}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  std::map<std::string, std::vector<fl_hook>> by_backend;
  for (const auto& e : exp->entries) {
    by_backend[std::string(e.backend->name())].push_back(e.hook);
    EXPECT_EQ(e.target.cgroup_id, e.backend->name() == "net.iface" ? (FL_IFACE_TARGET_BIT | 2) : 111u);
  }
  EXPECT_EQ(by_backend["net.cgroup_skb"], (std::vector<fl_hook>{FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS}));
  EXPECT_EQ(by_backend["net.edt"], (std::vector<fl_hook>{FL_HOOK_NET_SHAPE}));
  EXPECT_EQ(by_backend["net.iface"],
            (std::vector<fl_hook>{FL_HOOK_IFACE_EGRESS, FL_HOOK_IFACE_INGRESS, FL_HOOK_IFACE_SHAPE}));
  for (const auto& e : exp->entries) {
    if (e.hook == FL_HOOK_IFACE_INGRESS) {
      EXPECT_EQ(e.rule.effect.action, FL_ACT_DROP);
      EXPECT_EQ(e.rule.trigger.probability, probability_threshold(0.10));
    }
    if (e.hook == FL_HOOK_IFACE_SHAPE) {
      EXPECT_EQ(e.rule.effect.action, FL_ACT_SHAPE);
      EXPECT_EQ(net_of(e.rule).effect.delay_ns, 20'000'000u);
      EXPECT_EQ(net_of(e.rule).match.peer.port_min, 443u);
    }
  }
  release_ids(*exp, ids);
  // What an interface cannot keep state for is refused with the reason; file faults need a cgroup.
  auto ge = compile(parse("    - name: b\n      network: {loss: {model: gilbert-elliott, p: 1%, r: 30%}}\n"),
                    {dev}, all_caps(), ids, kNow);
  ASSERT_FALSE(ge);
  EXPECT_EQ(ge.error().message,
            "p.yaml:9:7: fault 'b': no backend can inject it here (net.iface: bursty (Gilbert-Elliott) loss "
            "keeps its state per cgroup target; on an interface use independent loss (loss: N%))");
  auto file =
      compile(parse("    - name: f\n      file: {path: /d/, errno: EIO}\n"), {dev}, all_caps(), ids, kNow);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message,
            "p.yaml:9:7: fault 'f': file faults cannot target a network interface; target a cgroup");
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(Compiler, CorruptChecksumChoice) {
  RuleIdAllocator ids;
  auto broken =
      compile(parse("    - name: flip\n      network: {corrupt: {probability: 2%, checksum: broken}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(broken) << broken.error().message;
  EXPECT_EQ(broken->entries[0].rule.effect.action, FL_ACT_CORRUPT);
  EXPECT_EQ(net_of(broken->entries[0].rule).effect.corrupt_flags, FL_CORRUPT_BAD_CSUM);
  EXPECT_EQ(broken->entries[0].rule.trigger.probability, probability_threshold(0.02));
  release_ids(*broken, ids);
  auto valid =
      compile(parse("    - name: flip\n      network: {corrupt: {probability: 2%, checksum: valid}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(valid) << valid.error().message;
  EXPECT_EQ(net_of(valid->entries[0].rule).effect.corrupt_flags, 0u);
  release_ids(*valid, ids);
}

TEST(Compiler, CorruptDuplicateGoToTc) {
  RuleIdAllocator ids;
  auto corrupt = compile(parse("    - name: flip\n      network: {corrupt: 1%, duplicate: 2%}\n"), kTargets,
                         all_caps(), ids, kNow);
  ASSERT_TRUE(corrupt) << corrupt.error().message;
  ASSERT_EQ(corrupt->entries.size(), 4u) << "two rules (corrupt, duplicate) on two targets";
  EXPECT_EQ(corrupt->entries[0].hook, FL_HOOK_NET_TC);
  EXPECT_EQ(corrupt->entries[0].backend->name(), "net.tc");
  EXPECT_EQ(corrupt->entries[0].rule.effect.action, FL_ACT_CORRUPT);
  EXPECT_EQ(corrupt->entries[2].rule.effect.action, FL_ACT_DUPLICATE);
  EXPECT_EQ(corrupt->entries[0].rule.trigger.probability, probability_threshold(0.01));
  release_ids(*corrupt, ids);
  EXPECT_EQ(ids.in_use(), 0u);
}

} // namespace
} // namespace faultline::engine
