// Per-packet cost of the cgroup_skb programs, on the machine itself: BPF_PROG_TEST_RUN runs the
// real program on a 46-byte UDP packet (IPv4) a million times per case and the kernel reports
// the mean ns per run. Cases side by side in one process, so only ratios matter:
//   empty       a cgroup_skb program that returns 1 (the floor for any cgroup_skb hook)
//   disarmed    faultline loaded, kill switch off
//   no-rule     armed, rules exist but not for this packet's cgroup
//   filtered    a rule for this cgroup whose port filter excludes the packet
//   loss-10     a matching 10%-loss rule (probability only: no shared atomics)
//   every-10    a matching rule with every: 10 (shared atomics, exact across CPUs)
//   gilbert     a matching Gilbert-Elliott rule
//   delay       a matching 20 ms delay rule (fl_skb_shape: departure time + socket storage)
// Prints JSON to stdout. (A test run has its own zeroed cgroup storage: the packet's "cgroup" is
// id 0, so rules for it are put on cgroup id 0.)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/abi_encode.hpp"
#include "engine/compiled_rules.hpp"
#include "kernel/fault_programs.hpp"
#include "network/abi.h"
#include "util/clock.hpp"

using namespace faultline;

namespace {

constexpr std::uint32_t kRepeat = 1'000'000;

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
  udp.len = htons(sizeof(udphdr) + 4);
  ip.tot_len = htons(static_cast<std::uint16_t>(sizeof(iphdr) + sizeof(udphdr) + 4));
  ip.saddr = htonl(0xc0000201);
  ip.daddr = htonl(0xc0000202);
  std::vector<std::uint8_t> pkt(sizeof(eth) + sizeof(ip) + sizeof(udp) + 4, 0);
  std::memcpy(pkt.data(), &eth, sizeof(eth));
  std::memcpy(pkt.data() + sizeof(eth), &ip, sizeof(ip));
  std::memcpy(pkt.data() + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
  return pkt;
}

// Mean ns per run, or -1.
double ns_per_packet(int prog_fd) {
  std::vector<std::uint8_t> pkt = udp_packet();
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt.data(), .data_size_in = static_cast<__u32>(pkt.size()),
              .repeat = kRepeat);
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) return -1;
  return static_cast<double>(opts.duration);
}

int empty_program() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1}, // r0 = 1
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  return bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "fl_empty", "GPL", insns, 2, nullptr);
}

fl_rule rule(std::uint32_t id, fl_action action, const fl_net_rule& part = {}) {
  fl_rule r{};
  r.rule_id = id;
  r.effect.action = action;
  engine::set_family_part(r, part);
  r.trigger.deadline_ns = monotonic_ns() + 3'600'000'000'000ull;
  r.trigger.probability = FL_PROB_ALWAYS;
  return r;
}

} // namespace

int main() {
  kernel::LoadOptions load;
  load.programs = {"fl_skb_egress", "fl_skb_shape"};
  auto programs = kernel::FaultPrograms::load(load);
  if (!programs) {
    std::fprintf(stderr, "%s\n", programs.error().describe().c_str());
    return 1;
  }
  const int egress = programs->program_fd("fl_skb_egress");
  const int shape = programs->program_fd("fl_skb_shape");
  std::vector<std::pair<std::string, double>> results;
  const int empty = empty_program();
  results.emplace_back("empty", empty >= 0 ? ns_per_packet(empty) : -1);
  results.emplace_back("disarmed", ns_per_packet(egress));

  auto run_with = [&](const std::string& name, std::uint64_t cgroup, fl_hook hook, const fl_rule& r, int fd) {
    engine::CompiledRules rules;
    if (!rules.add(cgroup, 0, hook, 0, r) || !programs->apply(rules)) {
      results.emplace_back(name, -1);
      return;
    }
    results.emplace_back(name, ns_per_packet(fd));
  };
  run_with("no-rule", 12345, FL_HOOK_NET_EGRESS, rule(1, FL_ACT_DROP), egress);
  fl_net_rule port{};
  port.match.peer.port_min = port.match.peer.port_max = 5432;
  fl_rule filtered = rule(2, FL_ACT_DROP, port);
  run_with("filtered", 0, FL_HOOK_NET_EGRESS, filtered, egress);
  fl_rule loss = rule(3, FL_ACT_DROP);
  loss.trigger.probability = engine::probability_threshold(0.10);
  run_with("loss-10", 0, FL_HOOK_NET_EGRESS, loss, egress);
  fl_rule every = rule(4, FL_ACT_DROP);
  every.trigger.every = 10;
  run_with("every-10", 0, FL_HOOK_NET_EGRESS, every, egress);
  fl_net_rule burst{};
  burst.effect.loss = {FL_LOSS_GILBERT_ELLIOTT,
                       engine::probability_threshold(0.01),
                       engine::probability_threshold(0.30),
                       FL_PROB_ALWAYS,
                       0,
                       0};
  fl_rule ge = rule(5, FL_ACT_DROP, burst);
  run_with("gilbert", 0, FL_HOOK_NET_EGRESS, ge, egress);
  fl_net_rule shaped{};
  shaped.effect.delay_ns = 20'000'000;
  fl_rule delay = rule(6, FL_ACT_SHAPE, shaped);
  run_with("delay", 0, FL_HOOK_NET_SHAPE, delay, shape);

  std::printf("{\"repeat\": %u, \"ns_per_packet\": {", kRepeat);
  for (size_t i = 0; i < results.size(); ++i)
    std::printf("%s\"%s\": %.1f", i ? ", " : "", results[i].first.c_str(), results[i].second);
  std::printf("}}\n");
  return 0;
}
