// Trigger semantics inside the kernel, exactly: the real cgroup_skb program is run with
// BPF_PROG_TEST_RUN on a crafted UDP packet, one event at a time, and the verdict of every
// event is compared with what after/every/times/start/deadline mean. (A test run has its own
// zeroed cgroup storage, so the program reads the rules of cgroup id 0: the tests put them there.)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>
#include <vector>

#include "kernel/fault_programs.hpp"
#include "network/abi.h" // the vehicle: network drop rules
#include "support/fixtures.hpp"
#include "util/clock.hpp"

namespace faultline::testing {
namespace {

constexpr std::uint32_t kRule = 11;

// Built in aligned structs and copied in: the IP header sits at offset 14 of the buffer.
std::vector<std::uint8_t> udp_packet() {
  ethhdr eth{};
  eth.h_proto = htons(ETH_P_IP);
  iphdr ip{};
  ip.version = 4;
  ip.ihl = 5;
  ip.ttl = 64;
  ip.protocol = IPPROTO_UDP;
  udphdr udp{};
  udp.source = htons(40000);
  udp.dest = htons(9000);
  udp.len = htons(sizeof(udphdr) + 8);
  ip.tot_len = htons(static_cast<std::uint16_t>(sizeof(iphdr) + sizeof(udphdr) + 8));
  ip.saddr = htonl(0xc0000201); // 192.0.2.1
  ip.daddr = htonl(0xc0000202); // 192.0.2.2
  std::vector<std::uint8_t> pkt(sizeof(eth) + sizeof(ip) + sizeof(udp) + 8, 0);
  std::memcpy(pkt.data(), &eth, sizeof(eth));
  std::memcpy(pkt.data() + sizeof(eth), &ip, sizeof(ip));
  std::memcpy(pkt.data() + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
  return pkt;
}

class Triggers : public ::testing::Test {
protected:
  void SetUp() override {
    auto programs = kernel::FaultPrograms::load({.programs = {"fl_skb_egress", "fl_skb_ingress"}});
    ASSERT_TRUE(programs) << programs.error().describe();
    programs_.emplace(std::move(*programs));
    fd_ = programs_->program_fd("fl_skb_egress");
    ASSERT_GE(fd_, 0);
  }

  // A rule id new to the live table starts with fresh trigger state and counters.
  void apply(const fl_trigger& trigger, std::uint32_t id = kRule) {
    fl_rule rule = make_rule(id, FL_ACT_DROP, 1.0);
    rule.trigger.every = trigger.every;
    rule.trigger.after = trigger.after;
    rule.trigger.times = trigger.times;
    if (trigger.start_ns) rule.trigger.start_ns = trigger.start_ns;
    if (trigger.deadline_ns) rule.trigger.deadline_ns = trigger.deadline_ns;
    engine::CompiledRules rules;
    ASSERT_TRUE(rules.add(0, 0, FL_HOOK_NET_EGRESS, rule));
    auto st = programs_->apply(rules);
    ASSERT_TRUE(st) << st.error().describe();
  }

  // Runs the program once per event; returns the 1-based events it dropped.
  std::vector<int> run(int events) {
    std::vector<std::uint8_t> pkt = udp_packet();
    std::vector<int> dropped;
    for (int i = 1; i <= events; ++i) {
      LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt.data(),
                  .data_size_in = static_cast<__u32>(pkt.size()), .repeat = 1);
      EXPECT_EQ(bpf_prog_test_run_opts(fd_, &opts), 0) << std::strerror(errno);
      if ((opts.retval & 1) == 0) dropped.push_back(i); // 0 or 2 (drop + congestion notification)
    }
    return dropped;
  }

  std::optional<kernel::FaultPrograms> programs_;
  int fd_ = -1;
};

TEST_F(Triggers, AfterEveryTimesAreExact) {
  fl_trigger t{};
  t.after = 10;
  t.every = 3;
  t.times = 5;
  apply(t);
  // Skip 10, then every 3rd of the rest (events 13, 16, ...), at most 5 times.
  EXPECT_EQ(run(60), (std::vector<int>{13, 16, 19, 22, 25}));
  auto stats = programs_->rule_stats(kRule);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->matched, 60u);
  EXPECT_EQ(stats->injected, 5u);
}

TEST_F(Triggers, EveryAloneAndTimesAlone) {
  fl_trigger every{};
  every.every = 4;
  apply(every);
  EXPECT_EQ(run(12), (std::vector<int>{4, 8, 12}));
  fl_trigger times{};
  times.times = 2;
  apply(times, kRule + 1);
  EXPECT_EQ(run(5), (std::vector<int>{1, 2})) << "times caps the injections";
}

TEST_F(Triggers, NothingBeforeStartNothingFromDeadline) {
  fl_trigger later{};
  later.start_ns = monotonic_ns() + 3'600'000'000'000ull; // an hour from now
  apply(later);
  EXPECT_TRUE(run(20).empty()) << "a rule is inert before its start";
  fl_trigger past{};
  past.start_ns = 1;
  past.deadline_ns = monotonic_ns() - 1; // already expired
  apply(past, kRule + 1);
  auto expired_before = programs_->global_stat(FL_STAT_DEADLINE_EXPIRED);
  ASSERT_TRUE(expired_before);
  EXPECT_TRUE(run(20).empty()) << "a rule is inert from its deadline on, even if nobody removes it";
  auto expired_after = programs_->global_stat(FL_STAT_DEADLINE_EXPIRED);
  ASSERT_TRUE(expired_after);
  EXPECT_EQ(*expired_after - *expired_before, 20u) << "every event past the deadline is counted";
}

TEST_F(Triggers, KillSwitchStopsAtOnce) {
  fl_trigger always{};
  apply(always);
  EXPECT_EQ(run(3).size(), 3u);
  ASSERT_TRUE(programs_->disarm());
  EXPECT_TRUE(run(10).empty());
}

} // namespace
} // namespace faultline::testing
