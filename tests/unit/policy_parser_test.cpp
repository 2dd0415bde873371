#include <fcntl.h>

// The policy language: a valid file parses into the expected typed form, and each kind of bad
// input is refused with one precise message: file:line:col, the field, and what would be valid.
#include <gtest/gtest.h>

#include <string>

#include "policy/parser.hpp"

namespace faultline::policy {
namespace {

// Builds a policy whose spec.faults list is `faults` (indented as list items at 4 spaces).
std::string with_faults(const std::string& faults) {
  return "apiVersion: faultline/v1\n"
         "kind: Experiment\n"
         "metadata:\n"
         "  name: demo\n"
         "spec:\n"
         "  duration: 30s\n"
         "  targets:\n"
         "    - cgroup: /sys/fs/cgroup/app\n"
         "  faults:\n" +
         faults;
}

// Builds a policy whose spec body (after `spec:`) is `spec`.
std::string with_spec(const std::string& spec) {
  return "apiVersion: faultline/v1\n"
         "kind: Experiment\n"
         "metadata:\n"
         "  name: demo\n"
         "spec:\n" +
         spec;
}

TEST(PolicyParser, FullPolicyParses) {
  const std::string text = R"(apiVersion: faultline/v1
kind: Experiment
metadata:
  name: checkout-db-degradation
  labels: {team: payments, risk: capacity}
spec:
  duration: 1m30s
  targets:
    - cgroup: /sys/fs/cgroup/checkout
    - pid: 1234
    - systemd: checkout.service
    - container: 0123456789abcdef
  selection: {mode: count, value: 2}
  faults:
    - name: db-slow
      network: {direction: egress, delay: 100ms, jitter: 20ms, peer: 10.0.0.0/8, port: 5432}
    - name: payments-lossy
      network: {loss: 5%, protocol: tcp, port: 443-444}
    - name: disk-errors
      file: {path: /var/lib/checkout/, ops: [open, write], errno: EIO}
      trigger: {probability: 10%}
    - name: refused
      syscall: {name: connect, errno: ECONNREFUSED, peer: 10.0.0.5, port: 5432}
      trigger: {every: 3, times: 10, after: 2, start: 5s}
    - name: crash
      process: {signal: SIGKILL, on: {syscall: unlinkat}}
      trigger: {after: 100, times: 1}
  dryRun: true
)";
  auto p = parse_policy(text, "full.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->name, "checkout-db-degradation");
  EXPECT_EQ(p->labels.at("team"), "payments");
  EXPECT_EQ(p->duration_ns, 90'000'000'000ull);
  ASSERT_EQ(p->targets.size(), 4u);
  EXPECT_EQ(p->targets[1].kind, TargetSpec::Kind::pid);
  EXPECT_EQ(p->targets[1].value, "1234");
  EXPECT_EQ(p->targets[1].location.line, 10);
  EXPECT_EQ(p->selection.mode, Selection::Mode::count);
  EXPECT_EQ(p->selection.value, 2u);
  ASSERT_EQ(p->faults.size(), 5u);
  const auto& slow = std::get<NetworkFault>(p->faults[0].spec);
  EXPECT_EQ(*slow.delay_ns, 100'000'000ull);
  EXPECT_EQ(*slow.jitter_ns, 20'000'000ull);
  EXPECT_EQ(slow.peer->v4(), 0x0a000000u);
  EXPECT_EQ(slow.peer->prefix, 8);
  EXPECT_EQ(slow.port.min, 5432);
  const auto& lossy = std::get<NetworkFault>(p->faults[1].spec);
  EXPECT_DOUBLE_EQ(*lossy.loss, 0.05);
  EXPECT_EQ(lossy.protocol, Protocol::tcp);
  EXPECT_EQ(lossy.port.max, 444);
  const auto& disk = std::get<FileFault>(p->faults[2].spec);
  ASSERT_EQ(disk.errs.size(), 1u);
  EXPECT_EQ(disk.errs[0].err, EIO);
  EXPECT_EQ(disk.ops.size(), 2u);
  EXPECT_DOUBLE_EQ(*p->faults[2].trigger.probability, 0.10);
  const auto& refused = p->faults[3];
  EXPECT_EQ(std::get<SyscallFault>(refused.spec).errs[0].err, ECONNREFUSED);
  EXPECT_EQ(refused.trigger.every, 3u);
  EXPECT_EQ(refused.trigger.times, 10u);
  EXPECT_EQ(refused.trigger.after, 2u);
  EXPECT_EQ(refused.trigger.start_ns, 5'000'000'000ull);
  EXPECT_EQ(std::get<ProcessFault>(p->faults[4].spec).signal, 9);
  EXPECT_TRUE(p->dry_run);
}

TEST(PolicyParser, DefaultsAreSafe) {
  auto p = parse_policy(with_faults("    - name: f\n      network: {loss: 1%}\n"), "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->selection.mode, Selection::Mode::all);
  EXPECT_FALSE(p->dry_run);
  EXPECT_EQ(std::get<NetworkFault>(p->faults[0].spec).direction, Direction::egress);
  EXPECT_FALSE(p->faults[0].trigger.probability.has_value());
}

TEST(PolicyParser, FileOpsDefaultToOpen) {
  auto p = parse_policy(with_faults("    - name: f\n      file: {path: /data/, errno: ENOSPC}\n"), "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& f = std::get<FileFault>(p->faults[0].spec);
  ASSERT_EQ(f.ops.size(), 1u);
  EXPECT_EQ(f.ops[0], FileOp::open);
}

TEST(PolicyParser, FreezeTakesADurationAndAStartOffset) {
  auto p =
      parse_policy(with_faults("    - name: pause\n      process: {freeze: 5s}\n      trigger: {start: 10s}\n"
                               "    - name: now\n      process: {freeze: 250ms}\n"),
                   "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& pause = std::get<ProcessFault>(p->faults[0].spec);
  EXPECT_EQ(pause.freeze_ns, 5'000'000'000ull);
  EXPECT_EQ(pause.signal, 0);
  EXPECT_EQ(p->faults[0].trigger.start_ns, 10'000'000'000ull);
  EXPECT_EQ(std::get<ProcessFault>(p->faults[1].spec).freeze_ns, 250'000'000ull);
}

TEST(PolicyParser, SyscallMixesFlagsAndAnyArchitecturesNames) {
  auto p = parse_policy(
      with_faults("    - name: f\n"
                  "      syscall: {name: [fsync, fdatasync], errno: {EIO: 70%, ENOSPC: 30%}}\n"
                  "    - name: g\n"
                  "      syscall: {name: openat, errno: EROFS, flags: [O_WRONLY, O_RDWR, O_CREAT]}\n"
                  "    - name: h\n"
                  "      syscall: {name: getppid, errno: EPERM}\n"),
      "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& f = std::get<SyscallFault>(p->faults[0].spec);
  EXPECT_EQ(f.names, (std::vector<std::string>{"fsync", "fdatasync"}));
  ASSERT_EQ(f.errs.size(), 2u);
  EXPECT_EQ(f.errs[0].err, EIO);
  EXPECT_DOUBLE_EQ(f.errs[0].weight, 0.7);
  EXPECT_EQ(f.errs[1].err, ENOSPC);
  const auto& g = std::get<SyscallFault>(p->faults[1].spec);
  ASSERT_TRUE(g.flags);
  EXPECT_EQ(g.flags->accmodes, (1u << O_WRONLY) | (1u << O_RDWR));
  EXPECT_EQ(g.flags->bits, static_cast<std::uint32_t>(O_CREAT));
  EXPECT_EQ(std::get<SyscallFault>(p->faults[2].spec).names[0], "getppid");
  // Weights are summed exactly, and multi-bit flags select by their own bit.
  auto thirds =
      parse_policy(with_faults("    - name: f\n      syscall: {name: openat, errno: {EIO: 33.33%, ENOSPC: "
                               "33.33%, EROFS: 33.34%}, flags: [O_TMPFILE, O_SYNC]}\n"),
                   "d.yaml");
  ASSERT_TRUE(thirds) << thirds.error().message;
  const auto& t = std::get<SyscallFault>(thirds->faults[0].spec);
  EXPECT_EQ(t.errs.size(), 3u);
  EXPECT_EQ(t.flags->bits & O_DIRECTORY, 0u) << "O_TMPFILE must not match every opendir";
  EXPECT_EQ(t.flags->bits & O_DSYNC, 0u) << "O_SYNC must not match every O_DSYNC open";
}

TEST(PolicyParser, Ipv6PeersAndGilbertElliott) {
  auto p =
      parse_policy(with_faults("    - name: v6\n      network: {loss: 1%, peer: \"2001:db8:0:1::/64\"}\n"
                               "    - name: bursts\n"
                               "      network: {loss: {model: gilbert-elliott, p: 1%, r: 30%, bad: 90%}}\n"),
                   "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& v6 = std::get<NetworkFault>(p->faults[0].spec);
  ASSERT_TRUE(v6.peer);
  EXPECT_EQ(v6.peer->family, 6);
  EXPECT_EQ(v6.peer->prefix, 64);
  EXPECT_EQ(v6.peer->addr[3], 0xb8);
  EXPECT_EQ(v6.peer->addr[7], 0x01);
  const auto& ge = std::get<NetworkFault>(p->faults[1].spec);
  ASSERT_TRUE(ge.loss_model);
  EXPECT_FALSE(ge.loss);
  EXPECT_DOUBLE_EQ(ge.loss_model->p, 0.01);
  EXPECT_DOUBLE_EQ(ge.loss_model->r, 0.30);
  EXPECT_DOUBLE_EQ(ge.loss_model->bad, 0.90);
  EXPECT_DOUBLE_EQ(ge.loss_model->good, 0.0) << "the good state loses nothing unless told";
}

TEST(PolicyParser, DnsNamesAreNormalised) {
  auto p = parse_policy(
      with_faults(
          "    - name: d\n      network: {dns: {names: [\"*.DB.Internal.\", api.example.com], action: delay, "
          "delay: 2s}}\n"),
      "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& n = std::get<NetworkFault>(p->faults[0].spec);
  ASSERT_TRUE(n.dns);
  EXPECT_EQ(n.dns->names, (std::vector<std::string>{"*.db.internal", "api.example.com"}));
  EXPECT_EQ(n.dns->action, DnsFault::Action::delay);
  EXPECT_EQ(n.dns->delay_ns, 2'000'000'000u);
}

TEST(PolicyParser, ResourceKnobs) {
  auto p = parse_policy(
      with_faults(
          "    - name: squeeze\n"
          "      resource: {cpu: 20%, memory: {high: 64Mi}, io: {device: /dev/vda, rbps: 1Mi, wiops: 100}}\n"
          "    - name: explicit\n"
          "      resource: {cpu: {quota: 5ms, period: 50ms}, io: {device: \"8:16\", wbps: 4Ki, riops: 1}}\n"
          "    - name: two-cpus\n"
          "      resource: {cpu: 150%}\n"
          "    - name: smallest\n"
          "      resource: {cpu: 1%, memory: {high: 1Mi}}\n"),
      "r.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& squeeze = std::get<ResourceFault>(p->faults[0].spec);
  ASSERT_TRUE(squeeze.cpu);
  EXPECT_EQ(squeeze.cpu->quota_us, 20000u) << "20% of one CPU per 100 ms period";
  EXPECT_EQ(squeeze.cpu->period_us, 100000u);
  EXPECT_EQ(*squeeze.memory_high, 64u << 20);
  ASSERT_TRUE(squeeze.io);
  EXPECT_EQ(squeeze.io->device, "/dev/vda");
  EXPECT_EQ(*squeeze.io->rbps, 1u << 20);
  EXPECT_FALSE(squeeze.io->wbps) << "a limit left out keeps its current value";
  EXPECT_FALSE(squeeze.io->riops);
  EXPECT_EQ(*squeeze.io->wiops, 100u);
  const auto& exp = std::get<ResourceFault>(p->faults[1].spec);
  EXPECT_EQ(exp.cpu->quota_us, 5000u);
  EXPECT_EQ(exp.cpu->period_us, 50000u);
  EXPECT_FALSE(exp.memory_high);
  EXPECT_EQ(exp.io->device, "8:16");
  EXPECT_EQ(*exp.io->wbps, 4096u);
  EXPECT_EQ(*exp.io->riops, 1u);
  EXPECT_EQ(std::get<ResourceFault>(p->faults[2].spec).cpu->quota_us, 150000u) << "more than one CPU";
  const auto& smallest = std::get<ResourceFault>(p->faults[3].spec);
  EXPECT_EQ(smallest.cpu->quota_us, 1000u) << "1% is the kernel's smallest quota, 1 ms per 100 ms";
  EXPECT_EQ(*smallest.memory_high, 1u << 20);
}

struct BadCase {
  const char* name;
  std::string text;
  std::string message; // the whole expected error
};

class PolicyParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(PolicyParserRejects, WithPreciseMessage) {
  auto p = parse_policy(GetParam().text, "bad.yaml");
  ASSERT_FALSE(p) << "accepted a bad policy";
  EXPECT_EQ(p.error().message, GetParam().message);
  EXPECT_EQ(p.error().code, 0) << "bad input is not a system error";
}

const std::string kF = "    - name: f\n"; // fault header at line 10

INSTANTIATE_TEST_SUITE_P(
    BadInput, PolicyParserRejects,
    ::testing::Values(
        BadCase{"not_yaml", "a: [1, 2", "bad.yaml:1:1: invalid YAML: end of sequence flow not found"},
        BadCase{"not_a_map", "- 1\n- 2\n",
                "bad.yaml:1:1: expected a faultline/v1 Experiment (a YAML map with apiVersion, kind, "
                "metadata, spec)"},
        BadCase{"wrong_api", "apiVersion: faultline/v2\nkind: Experiment\nmetadata: {name: a}\nspec: {}\n",
                "bad.yaml:1:13: apiVersion: unsupported apiVersion 'faultline/v2'; expected faultline/v1"},
        BadCase{"wrong_kind", "apiVersion: faultline/v1\nkind: Schedule\nmetadata: {name: a}\nspec: {}\n",
                "bad.yaml:2:7: kind: unsupported kind 'Schedule'; expected Experiment"},
        BadCase{"unknown_top_key", "apiVersion: faultline/v1\nkind: Experiment\nmetdata: {name: a}\n",
                "bad.yaml:3:1: unknown key 'metdata' (did you mean metadata?); valid keys: apiVersion, kind, "
                "metadata, spec"},
        BadCase{"missing_metadata", "apiVersion: faultline/v1\nkind: Experiment\nspec: {}\n",
                "bad.yaml:1:1: missing required key 'metadata'"},
        BadCase{"bad_experiment_name",
                "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: Bad_Name}\n",
                "bad.yaml:3:18: metadata.name: 'Bad_Name' is not a valid experiment name: use 1-63 lowercase "
                "letters, "
                "digits and '-', starting and ending with a letter or digit"},
        BadCase{"labels_not_map",
                "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: a, labels: [x]}\n",
                "bad.yaml:3:29: metadata.labels: expected a map of label: value"},
        BadCase{"missing_duration", with_spec("  targets: []\n"),
                "bad.yaml:6:3: spec: missing required key 'duration'"},
        BadCase{
            "bad_duration_unit", with_spec("  duration: 30 seconds\n"),
            "bad.yaml:6:13: spec.duration: '30 seconds' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m"},
        BadCase{"zero_duration", with_spec("  duration: 0s\n"),
                "bad.yaml:6:13: spec.duration: must be longer than 0s"},
        BadCase{"huge_duration", with_spec("  duration: 25h\n"),
                "bad.yaml:6:13: spec.duration: must be at most 24h: experiments are bounded"},
        BadCase{"targets_not_list", with_spec("  duration: 1s\n  targets: {cgroup: /x}\n"),
                "bad.yaml:7:12: spec.targets: expected a list, found a map"},
        BadCase{"empty_targets", with_spec("  duration: 1s\n  targets: []\n"),
                "bad.yaml:7:12: spec.targets: at least one target is required"},
        BadCase{"two_target_kinds", with_spec("  duration: 1s\n  targets:\n    - {cgroup: /a, pid: 1}\n"),
                "bad.yaml:8:7: spec.targets[0]: a target needs exactly one of cgroup, pid, systemd, "
                "container, interface"},
        BadCase{
            "unknown_target_kind", with_spec("  duration: 1s\n  targets:\n    - pod: web\n"),
            "bad.yaml:8:7: spec.targets[0]: unknown key 'pod' (did you mean pid?); valid keys: cgroup, pid, "
            "systemd, container, interface"},
        BadCase{"empty_cgroup", with_spec("  duration: 1s\n  targets:\n    - cgroup: ''\n"),
                "bad.yaml:8:15: spec.targets[0].cgroup: must not be empty"},
        BadCase{
            "safety_not_bool",
            with_spec("  duration: 1s\n  safety: {allowHostWide: yes-please}\n  targets: []\n"),
            "bad.yaml:7:27: spec.safety.allowHostWide: 'yes-please' is not a boolean; write true or false"},
        BadCase{
            "safety_unknown_key",
            with_spec("  duration: 1s\n  safety: {allowHostwide: true}\n  targets: []\n"),
            "bad.yaml:7:12: spec.safety: unknown key 'allowHostwide' (did you mean allowHostWide?); valid "
            "keys: allowHostWide"},
        BadCase{"pid_not_number", with_spec("  duration: 1s\n  targets:\n    - pid: abc\n"),
                "bad.yaml:8:12: spec.targets[0].pid: 'abc' is not a whole number in 0..4194304"},
        BadCase{"bad_systemd_unit", with_spec("  duration: 1s\n  targets:\n    - systemd: checkout\n"),
                "bad.yaml:8:16: spec.targets[0].systemd: 'checkout' is not a systemd unit (name.service, "
                ".scope or .slice)"},
        BadCase{"bad_container_id", with_spec("  duration: 1s\n  targets:\n    - container: xyz\n"),
                "bad.yaml:8:18: spec.targets[0].container: 'xyz' is not a container id (12 to 64 lowercase "
                "hex digits)"},
        BadCase{"bad_selection_mode",
                with_spec("  duration: 1s\n  targets:\n    - pid: 1\n  selection: {mode: some}\n"),
                "bad.yaml:9:21: spec.selection.mode: unknown selection mode 'some'; expected all, count or "
                "percent"},
        BadCase{"count_without_value",
                with_spec("  duration: 1s\n  targets:\n    - pid: 1\n  selection: {mode: count}\n"),
                "bad.yaml:9:14: spec.selection: missing required key 'value'"},
        BadCase{"percent_out_of_range",
                with_spec(
                    "  duration: 1s\n  targets:\n    - pid: 1\n  selection: {mode: percent, value: 150%}\n"),
                "bad.yaml:9:37: spec.selection.value: '150%' is out of range; expected 0%..100%"},
        BadCase{"missing_faults", with_spec("  duration: 1s\n  targets:\n    - pid: 1\n"),
                "bad.yaml:6:3: spec: missing required key 'faults'"},
        BadCase{"empty_faults", with_spec("  duration: 1s\n  targets:\n    - pid: 1\n  faults: []\n"),
                "bad.yaml:9:11: spec.faults: at least one fault is required"},
        BadCase{"fault_without_family", with_faults(kF),
                "bad.yaml:10:7: spec.faults[0]: a fault needs exactly one of network, syscall, file, "
                "process, resource "
                "(found 0)"},
        BadCase{"fault_two_families",
                with_faults(kF + "      network: {loss: 1%}\n      file: {path: /a, errno: EIO}\n"),
                "bad.yaml:10:7: spec.faults[0]: a fault needs exactly one of network, syscall, file, "
                "process, resource "
                "(found 2)"},
        BadCase{"fault_missing_name", with_faults("    - network: {loss: 1%}\n"),
                "bad.yaml:10:7: spec.faults[0]: missing required key 'name'"},
        BadCase{"duplicate_fault_names",
                with_faults(kF + "      network: {loss: 1%}\n    - name: f\n      network: {loss: 2%}\n"),
                "bad.yaml:12:13: spec.faults[1].name: duplicate fault name 'f'"},
        BadCase{"duplicate_key", with_faults(kF + "      network: {loss: 1%, loss: 2%}\n"),
                "bad.yaml:11:27: spec.faults[0].network: duplicate key 'loss'"},
        BadCase{
            "loss_without_percent", with_faults(kF + "      network: {loss: 5}\n"),
            "bad.yaml:11:23: spec.faults[0].network.loss: '5' is not a percentage; write e.g. 5% or 0.5%"},
        BadCase{"loss_over_100", with_faults(kF + "      network: {loss: 150%}\n"),
                "bad.yaml:11:23: spec.faults[0].network.loss: '150%' is out of range; expected 0%..100%"},
        BadCase{
            "dns_bad_name", with_faults(kF + "      network: {dns: {names: [\"db internal\"]}}\n"),
            "bad.yaml:11:31: spec.faults[0].network.dns.names[0]: 'db internal' is not a DNS name faultline "
            "can match (letters, digits, '-', '_', dots; at most 62 characters; a leading '*.' for every "
            "name under a domain)"},
        BadCase{"dns_with_loss", with_faults(kF + "      network: {loss: 5%, dns: {names: [a.b]}}\n"),
                "bad.yaml:11:32: spec.faults[0].network.dns: dns is a fault of its own: its action says what "
                "happens to the matching queries"},
        BadCase{"dns_delay_without_delay",
                with_faults(kF + "      network: {dns: {names: [a.b], action: delay}}\n"),
                "bad.yaml:11:22: spec.faults[0].network.dns: action: delay needs a delay (e.g. delay: 2s)"},
        BadCase{"corrupt_bad_checksum",
                with_faults(kF + "      network: {corrupt: {probability: 5%, checksum: maybe}}\n"),
                "bad.yaml:11:54: spec.faults[0].network.corrupt.checksum: unknown checksum 'maybe'; expected "
                "valid (the stack accepts the damaged data) or broken (the receiver's stack drops it)"},
        BadCase{"corrupt_map_without_probability",
                with_faults(kF + "      network: {corrupt: {checksum: broken}}\n"),
                "bad.yaml:11:26: spec.faults[0].network.corrupt: missing required key 'probability'"},
        BadCase{
            "dns_unknown_action", with_faults(kF + "      network: {dns: {names: [a.b], action: refuse}}\n"),
            "bad.yaml:11:45: spec.faults[0].network.dns.action: unknown DNS action 'refuse'; expected drop, "
            "delay, nxdomain or servfail"},
        BadCase{
            "delay_past_fq_horizon", with_faults(kF + "      network: {delay: 12s}\n"),
            "bad.yaml:11:24: spec.faults[0].network.delay: '12s' is too long: at most 5s (fq, which holds "
            "delayed packets, drops what is due more than 10 s ahead; to cut a peer off, use blackhole or "
            "loss)"},
        BadCase{
            "interface_bad_name",
            "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: x}\nspec:\n  duration: 1s\n"
            "  targets:\n    - interface: eth0/../x\n  faults:\n    - name: f\n      network: {loss: 1%}\n",
            "bad.yaml:7:18: spec.targets[0].interface: 'eth0/../x' is not a network device name (1 to 15 "
            "characters, no '/' or spaces)"},
        BadCase{"network_no_effect", with_faults(kF + "      network: {port: 80}\n"),
                "bad.yaml:11:16: spec.faults[0].network: no effect given; set one of loss, blackhole, delay, "
                "rate, connectDelay, corrupt, duplicate, dns"},
        BadCase{
            "connect_delay_not_tcp",
            with_faults(kF + "      network: {connectDelay: 100ms, protocol: udp}\n"),
            "bad.yaml:11:48: spec.faults[0].network.protocol: connectDelay applies to TCP connections only"},
        BadCase{"connect_delay_with_delay",
                with_faults(kF + "      network: {delay: 5ms, connectDelay: 100ms}\n"),
                "bad.yaml:11:43: spec.faults[0].network.connectDelay: connectDelay delays only the SYN of "
                "each new "
                "TCP connection; put delay and rate in a fault of their own"},
        BadCase{
            "loss_and_blackhole", with_faults(kF + "      network: {loss: 5%, blackhole: true}\n"),
            "bad.yaml:11:16: spec.faults[0].network: loss and blackhole conflict: blackhole already drops "
            "everything"},
        BadCase{
            "blackhole_not_bool", with_faults(kF + "      network: {blackhole: yes}\n"),
            "bad.yaml:11:28: spec.faults[0].network.blackhole: 'yes' is not a boolean; write true or false"},
        BadCase{"bad_direction", with_faults(kF + "      network: {loss: 1%, direction: outbound}\n"),
                "bad.yaml:11:38: spec.faults[0].network.direction: unknown direction 'outbound'; expected "
                "egress, "
                "ingress or both"},
        BadCase{"jitter_without_delay", with_faults(kF + "      network: {jitter: 5ms, rate: 1mbit}\n"),
                "bad.yaml:11:25: spec.faults[0].network.jitter: jitter needs a delay to vary around"},
        BadCase{"jitter_over_delay", with_faults(kF + "      network: {delay: 5ms, jitter: 10ms}\n"),
                "bad.yaml:11:37: spec.faults[0].network.jitter: jitter must not exceed delay"},
        BadCase{"bad_rate", with_faults(kF + "      network: {rate: fast}\n"),
                "bad.yaml:11:23: spec.faults[0].network.rate: 'fast' is not a rate; write e.g. 1mbit, "
                "500kbit, 10mbps"},
        BadCase{"bad_peer", with_faults(kF + "      network: {loss: 1%, peer: 10.0.0.300}\n"),
                "bad.yaml:11:33: spec.faults[0].network.peer: '10.0.0.300' is not an IPv4 or IPv6 address or "
                "CIDR (e.g. "
                "10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{"cidr_host_bits", with_faults(kF + "      network: {loss: 1%, peer: 10.0.0.1/8}\n"),
                "bad.yaml:11:33: spec.faults[0].network.peer: '10.0.0.1/8' is not an IPv4 or IPv6 address or "
                "CIDR (e.g. "
                "10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{
            "ipv6_host_bits", with_faults(kF + "      network: {loss: 1%, peer: \"2001:db8::1/64\"}\n"),
            "bad.yaml:11:33: spec.faults[0].network.peer: '2001:db8::1/64' is not an IPv4 or IPv6 address or "
            "CIDR (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{
            "ipv6_prefix_too_long", with_faults(kF + "      network: {loss: 1%, peer: \"2001:db8::/129\"}\n"),
            "bad.yaml:11:33: spec.faults[0].network.peer: '2001:db8::/129' is not an IPv4 or IPv6 address or "
            "CIDR (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{"unknown_loss_model",
                with_faults(kF + "      network: {loss: {model: markov, p: 1%, r: 5%}}\n"),
                "bad.yaml:11:31: spec.faults[0].network.loss.model: unknown loss model 'markov'; expected "
                "gilbert-elliott (or write loss: 5% for independent loss)"},
        BadCase{"ge_without_r", with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%}}\n"),
                "bad.yaml:11:23: spec.faults[0].network.loss: missing required key 'r'"},
        BadCase{
            "ge_r_zero", with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%, r: 0%}}\n"),
            "bad.yaml:11:58: spec.faults[0].network.loss.r: r = 0% never leaves the bad state once in it; "
            "give r > 0%"},
        BadCase{
            "ge_with_probability",
            with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%, r: 5%}}\n"
                             "      trigger: {probability: 5%}\n"),
            "bad.yaml:12:30: spec.faults[0].trigger.probability: a gilbert-elliott loss model decides which "
            "packets drop; trigger.probability does not combine with it (trigger.start does)"},
        BadCase{
            "port_out_of_range", with_faults(kF + "      network: {loss: 1%, port: 70000}\n"),
            "bad.yaml:11:33: spec.faults[0].network.port: '70000' is not a port or range; write e.g. 5432 or "
            "8000-8080 (1..65535)"},
        BadCase{
            "port_range_reversed", with_faults(kF + "      network: {loss: 1%, port: 90-80}\n"),
            "bad.yaml:11:33: spec.faults[0].network.port: '90-80' is not a port or range; write e.g. 5432 or "
            "8000-8080 (1..65535)"},
        BadCase{"icmp_with_port", with_faults(kF + "      network: {loss: 1%, protocol: icmp, port: 80}\n"),
                "bad.yaml:11:49: spec.faults[0].network.port: ICMP has no ports"},
        BadCase{"unknown_protocol", with_faults(kF + "      network: {loss: 1%, protocol: sctp}\n"),
                "bad.yaml:11:37: spec.faults[0].network.protocol: unknown protocol 'sctp'; expected tcp, udp "
                "or icmp"},
        BadCase{"unknown_network_key", with_faults(kF + "      network: {los: 1%}\n"),
                "bad.yaml:11:17: spec.faults[0].network: unknown key 'los' (did you mean loss?); valid keys: "
                "direction, loss, blackhole, delay, jitter, rate, corrupt, duplicate, connectDelay, "
                "dns, protocol, peer, port"},
        BadCase{"errno_typo", with_faults(kF + "      file: {path: /data/, errno: EIOO}\n"),
                "bad.yaml:11:35: spec.faults[0].file.errno: unknown errno 'EIOO' (did you mean EIO?)"},
        BadCase{"file_relative_path", with_faults(kF + "      file: {path: data/, errno: EIO}\n"),
                "bad.yaml:11:20: spec.faults[0].file.path: 'data/' must be an absolute path"},
        BadCase{"file_missing_errno", with_faults(kF + "      file: {path: /data/}\n"),
                "bad.yaml:11:13: spec.faults[0].file: missing required key 'errno'"},
        BadCase{"file_unknown_op", with_faults(kF + "      file: {path: /d/, ops: [chmod], errno: EIO}\n"),
                "bad.yaml:11:31: spec.faults[0].file.ops[0]: unknown file operation 'chmod'; expected "
                "open, read, write, mmap, truncate, unlink, rename or mkdir"},
        BadCase{"file_op_twice", with_faults(kF + "      file: {path: /d/, ops: [open, open], errno: EIO}\n"),
                "bad.yaml:11:37: spec.faults[0].file.ops[1]: 'open' is listed twice"},
        BadCase{"file_long_path",
                with_faults(kF + "      file: {path: /" + std::string(130, 'a') + ", errno: EIO}\n"),
                "bad.yaml:11:20: spec.faults[0].file.path: path prefixes are limited to 127 bytes"},
        BadCase{
            "syscall_typo", with_faults(kF + "      syscall: {name: conect, errno: ECONNREFUSED}\n"),
            "bad.yaml:11:23: spec.faults[0].syscall.name: unknown syscall 'conect' (did you mean connect?)"},
        BadCase{"syscall_peer_on_read",
                with_faults(kF + "      syscall: {name: read, errno: EIO, peer: 10.0.0.1}\n"),
                "bad.yaml:11:47: spec.faults[0].syscall.peer: peer filters apply only to connect, bind, "
                "sendto and sendmsg"},
        BadCase{"syscall_flags_on_write",
                with_faults(kF + "      syscall: {name: write, errno: EIO, flags: [O_WRONLY]}\n"),
                "bad.yaml:11:49: spec.faults[0].syscall.flags: flags filters apply only to open and openat"},
        BadCase{
            "syscall_unknown_flag",
            with_faults(kF + "      syscall: {name: openat, errno: EIO, flags: [O_WRITE]}\n"),
            "bad.yaml:11:51: spec.faults[0].syscall.flags[0]: unknown open flag 'O_WRITE'; expected "
            "O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECT, O_SYNC or O_TMPFILE"},
        BadCase{
            "syscall_path_on_read", with_faults(kF + "      syscall: {name: read, errno: EIO, path: /d}\n"),
            "bad.yaml:11:47: spec.faults[0].syscall.path: read takes no path argument; path filters apply "
            "to syscalls that do (open, openat, unlink, mkdir, rename, truncate, stat, execve, ...)"},
        BadCase{"syscall_relative_path",
                with_faults(kF + "      syscall: {name: [mkdir, mkdirat], errno: EROFS, path: data}\n"),
                "bad.yaml:11:61: spec.faults[0].syscall.path: 'data' must be an absolute path (it is matched "
                "against the path argument as the caller wrote it)"},
        BadCase{
            "syscall_long_path",
            with_faults(kF + "      syscall: {name: unlink, errno: EIO, path: /" + std::string(123, 'a') +
                        "}\n"),
            "bad.yaml:11:49: spec.faults[0].syscall.path: syscall path prefixes are limited to 123 bytes"},
        BadCase{"errno_mix_not_100",
                with_faults(kF + "      syscall: {name: write, errno: {EIO: 70%, ENOSPC: 20%}}\n"),
                "bad.yaml:11:37: spec.faults[0].syscall.errno: the weights add up to 90%; they must add up "
                "to 100%"},
        BadCase{"errno_mix_typo",
                with_faults(kF + "      syscall: {name: write, errno: {EIO: 70%, ENOSPCE: 30%}}\n"),
                "bad.yaml:11:57: spec.faults[0].syscall.errno.ENOSPCE: unknown errno 'ENOSPCE' (did you mean "
                "ENOSPC?)"},
        BadCase{"syscall_listed_twice",
                with_faults(kF + "      syscall: {name: [fsync, fsync], errno: EIO}\n"),
                "bad.yaml:11:31: spec.faults[0].syscall.name[1]: 'fsync' is listed twice"},
        BadCase{
            "signal_typo", with_faults(kF + "      process: {signal: SIGKIL, on: {syscall: read}}\n"),
            "bad.yaml:11:25: spec.faults[0].process.signal: unknown signal 'SIGKIL' (did you mean SIGKILL?)"},
        BadCase{"process_without_on", with_faults(kF + "      process: {signal: SIGKILL}\n"),
                "bad.yaml:11:16: spec.faults[0].process: missing required key 'on'"},
        BadCase{"freeze_and_signal",
                with_faults(kF + "      process: {freeze: 5s, signal: SIGKILL, on: {syscall: read}}\n"),
                "bad.yaml:11:37: spec.faults[0].process.signal: a fault either freezes or sends a signal; "
                "'signal' does not combine with freeze (make two faults)"},
        BadCase{"freeze_without_duration", with_faults(kF + "      process: {freeze: }\n"),
                "bad.yaml:11:25: spec.faults[0].process.freeze: freeze needs a duration: how long the target "
                "stays frozen, e.g. freeze: 5s"},
        BadCase{"freeze_as_flag", with_faults(kF + "      process: {freeze: true}\n"),
                "bad.yaml:11:25: spec.faults[0].process.freeze: 'true' is not a duration; write e.g. 250ms, "
                "30s, 5m, 1h30m"},
        BadCase{"freeze_zero", with_faults(kF + "      process: {freeze: 0s}\n"),
                "bad.yaml:11:25: spec.faults[0].process.freeze: '0s' freezes nothing; give a duration above "
                "zero"},
        BadCase{"freeze_negative", with_faults(kF + "      process: {freeze: -5s}\n"),
                "bad.yaml:11:25: spec.faults[0].process.freeze: '-5s': a freeze lasts a positive duration"},
        BadCase{"freeze_with_every",
                with_faults(kF + "      process: {freeze: 5s}\n      trigger: {every: 2, start: 1s}\n"),
                "bad.yaml:12:24: spec.faults[0].trigger.every: a freeze happens once, at the fault's start; "
                "trigger.every does not apply to it (trigger.start does)"},
        BadCase{"process_neither", with_faults(kF + "      process: {}\n"),
                "bad.yaml:11:16: spec.faults[0].process: a process fault needs signal (with on: {syscall: "
                "NAME}) or freeze (how long, e.g. freeze: 5s)"},
        BadCase{"resource_no_effect", with_faults(kF + "      resource: {}\n"),
                "bad.yaml:11:17: spec.faults[0].resource: no effect given; set cpu, memory or io"},
        BadCase{
            "resource_unknown_key", with_faults(kF + "      resource: {cpus: 20%}\n"),
            "bad.yaml:11:18: spec.faults[0].resource: unknown key 'cpus' (did you mean cpu?); valid keys: "
            "cpu, memory, io"},
        BadCase{"cpu_without_percent", with_faults(kF + "      resource: {cpu: 20}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: '20' is not a share of one CPU; write e.g. 20% "
                "(150% = one and a half CPUs), or {quota: 20ms, period: 100ms}"},
        BadCase{
            "cpu_below_one_percent", with_faults(kF + "      resource: {cpu: 0.5%}\n"),
            "bad.yaml:11:23: spec.faults[0].resource.cpu: '0.5%' is below 1%: cpu.max's smallest quota is "
            "1 ms per 100 ms"},
        BadCase{"cpu_past_any_host", with_faults(kF + "      resource: {cpu: 200000%}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: '200000%' is more than 1000 CPUs: it would "
                "limit nothing"},
        BadCase{"cpu_quota_too_small", with_faults(kF + "      resource: {cpu: {quota: 500us}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.cpu.quota: '500us' is below cpu.max's smallest "
                "quota, 1ms"},
        BadCase{"cpu_quota_sub_microsecond", with_faults(kF + "      resource: {cpu: {quota: 1500500ns}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.cpu.quota: '1500500ns': cpu.max counts whole "
                "microseconds"},
        BadCase{
            "cpu_period_too_long", with_faults(kF + "      resource: {cpu: {quota: 10ms, period: 2s}}\n"),
            "bad.yaml:11:45: spec.faults[0].resource.cpu.period: '2s' is out of range; the kernel takes a "
            "period of 1ms..1s"},
        BadCase{"cpu_without_quota", with_faults(kF + "      resource: {cpu: {period: 10ms}}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: missing required key 'quota'"},
        BadCase{"memory_bare_size", with_faults(kF + "      resource: {memory: 64Mi}\n"),
                "bad.yaml:11:26: spec.faults[0].resource.memory: write memory: {high: 64Mi}: memory.high, "
                "above which the kernel throttles the target and reclaims its memory"},
        BadCase{"memory_max_not_supported", with_faults(kF + "      resource: {memory: {max: 64Mi}}\n"),
                "bad.yaml:11:27: spec.faults[0].resource.memory: unknown key 'max'; valid keys: high"},
        BadCase{"memory_high_in_bytes", with_faults(kF + "      resource: {memory: {high: 64}}\n"),
                "bad.yaml:11:33: spec.faults[0].resource.memory.high: '64' is below 1Mi, too little for any "
                "process to run (a bare number is bytes: did you mean 64Mi?)"},
        BadCase{"memory_high_tiny", with_faults(kF + "      resource: {memory: {high: 512Ki}}\n"),
                "bad.yaml:11:33: spec.faults[0].resource.memory.high: '512Ki' is below 1Mi, too little for "
                "any process to run"},
        BadCase{"io_without_device", with_faults(kF + "      resource: {io: {rbps: 1Mi}}\n"),
                "bad.yaml:11:22: spec.faults[0].resource.io: missing required key 'device'"},
        BadCase{"io_bad_device", with_faults(kF + "      resource: {io: {device: sda, rbps: 1Mi}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.io.device: 'sda' is not a block device: write "
                "MAJOR:MINOR (8:0) or its path (/dev/sda)"},
        BadCase{"io_no_limit", with_faults(kF + "      resource: {io: {device: /dev/sda}}\n"),
                "bad.yaml:11:22: spec.faults[0].resource.io: no limit given; set rbps, wbps, riops or wiops"},
        BadCase{"io_rate_as_bits",
                with_faults(kF + "      resource: {io: {device: /dev/sda, wbps: 10mbit}}\n"),
                "bad.yaml:11:47: spec.faults[0].resource.io.wbps: '10mbit' is not a size; write e.g. 256Mi, "
                "1Gi, 500M"},
        BadCase{"io_bps_too_small", with_faults(kF + "      resource: {io: {device: /dev/sda, rbps: 100}}\n"),
                "bad.yaml:11:47: spec.faults[0].resource.io.rbps: '100' bytes per second is below 4Ki: a "
                "single page would wait a second"},
        BadCase{"io_iops_zero", with_faults(kF + "      resource: {io: {device: \"8:0\", riops: 0}}\n"),
                "bad.yaml:11:45: spec.faults[0].resource.io.riops: must be at least 1"},
        BadCase{"resource_with_trigger",
                with_faults(kF + "      resource: {cpu: 50%}\n      trigger: {every: 2}\n"),
                "bad.yaml:12:16: spec.faults[0].trigger: resource faults take no trigger"},
        BadCase{
            "probability_out_of_range",
            with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {probability: 101%}\n"),
            "bad.yaml:12:30: spec.faults[0].trigger.probability: '101%' is out of range; expected 0%..100%"},
        BadCase{
            "every_zero",
            with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {every: 0}\n"),
            "bad.yaml:12:24: spec.faults[0].trigger.every: must be at least 1 (1 = every matching event)"},
        BadCase{"times_negative",
                with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {times: -1}\n"),
                "bad.yaml:12:24: spec.faults[0].trigger.times: '-1' is not a whole number in 0..1000000000"},
        BadCase{"start_after_end",
                with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {start: 31s}\n"),
                "bad.yaml:12:24: spec.faults[0].trigger.start: the start offset must be shorter than "
                "spec.duration"},
        BadCase{"loss_and_probability",
                with_faults(kF + "      network: {loss: 5%}\n      trigger: {probability: 5%}\n"),
                "bad.yaml:12:30: spec.faults[0].trigger.probability: conflicts with network.loss, which "
                "already is "
                "the drop probability"},
        BadCase{"unknown_trigger_key",
                with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {probabilty: 5%}\n"),
                "bad.yaml:12:17: spec.faults[0].trigger: unknown key 'probabilty' (did you mean "
                "probability?); valid "
                "keys: probability, every, after, times, start"},
        BadCase{"dry_run_not_bool",
                with_spec("  duration: 1s\n  targets:\n    - pid: 1\n  faults:\n"
                          "    - name: f\n      network: {loss: 1%}\n  dryRun: maybe\n"),
                "bad.yaml:12:11: spec.dryRun: 'maybe' is not a boolean; write true or false"},
        BadCase{"stop_conditions_unknown", with_spec("  duration: 1s\n  stopConditions: []\n"),
                "bad.yaml:7:3: spec: unknown key 'stopConditions'; valid keys: duration, targets, selection, "
                "faults, safety, dryRun"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

// Hostile and malformed input: each refused with a clear, short, printable message; none may
// crash, hang or throw (tests/fuzz/policy_fuzz.cpp keeps looking for more).
std::string fault_spec(const std::string& fault) {
  return with_spec("  duration: 1s\n  targets: [{cgroup: a}]\n  faults:\n    - name: f\n" + fault);
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, PolicyParserRejects,
    ::testing::Values(
        BadCase{"truncated_flow", "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: x",
                "bad.yaml:3:1: invalid YAML: end of map flow not found"},
        BadCase{"negative_duration", with_spec("  duration: -5s\n"),
                "bad.yaml:6:13: spec.duration: '-5s' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m"},
        BadCase{
            "duration_past_uint64", with_spec("  duration: 99999999999999999999999h\n"),
            "bad.yaml:6:13: spec.duration: '99999999999999999999999h' is not a duration; write e.g. 250ms, "
            "30s, 5m, 1h30m"},
        BadCase{"duration_past_double", with_spec("  duration: 1" + std::string(400, '0') + "s\n"),
                "bad.yaml:6:13: spec.duration: '1" + std::string(400, '0') +
                    "s' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m"},
        BadCase{
            "nan_loss", fault_spec("      network: {loss: .nan}\n"),
            "bad.yaml:10:23: spec.faults[0].network.loss: '.nan' is not a percentage; write e.g. 5% or 0.5%"},
        BadCase{"inf_loss", fault_spec("      network: {loss: .inf%}\n"),
                "bad.yaml:10:23: spec.faults[0].network.loss: '.inf%' is not a percentage; write e.g. 5% or "
                "0.5%"},
        BadCase{"size_past_uint64",
                fault_spec("      resource: {memory: {high: 99999999999999999999999Gi}}\n"),
                "bad.yaml:10:33: spec.faults[0].resource.memory.high: '99999999999999999999999Gi' is not a "
                "size; write e.g. 256Mi, 1Gi, 500M"},
        BadCase{"rate_past_uint64", fault_spec("      network: {rate: 99999999999999999999999gbit}\n"),
                "bad.yaml:10:23: spec.faults[0].network.rate: '99999999999999999999999gbit' is not a rate; "
                "write e.g. 1mbit, 500kbit, 10mbps"},
        BadCase{
            "deep_flow_nesting",
            with_spec("  duration: 1s\n  targets: " + std::string(5000, '[') + std::string(5000, ']') + "\n"),
            "bad.yaml:7:10012: invalid YAML: nested too deeply (or not text)"},
        BadCase{
            "nul_byte",
            std::string("apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: \"de\\0mo\"\n"),
            "bad.yaml:4:9: metadata.name: 'de\\x00mo' holds a control character or invalid UTF-8 at byte 2"},
        BadCase{
            "invalid_utf8",
            std::string("apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: d\xc3\x28mo\n"),
            "bad.yaml:4:9: metadata.name: 'd\\xc3(mo' holds a control character or invalid UTF-8 at byte 1"},
        BadCase{"huge_string",
                "apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: " + std::string(10000, 'a') +
                    "\n",
                "bad.yaml:4:9: metadata.name: a value of 10000 bytes "
                "('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'); "
                "values are at most 1024 bytes"},
        BadCase{"over_a_mebibyte", std::string(2 << 20, '#'),
                "bad.yaml: 2097152 bytes; a policy is at most 1048576 bytes"},
        BadCase{"empty_file", "",
                "bad.yaml:1:1: expected a faultline/v1 Experiment (a YAML map with apiVersion, kind, "
                "metadata, spec)"},
        BadCase{"second_document", with_spec("  duration: 1s\n---\napiVersion: faultline/v1\n"),
                "bad.yaml:6:3: spec: missing required key 'targets'"},
        BadCase{"spec_is_a_list",
                "apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: demo\nspec: []\n",
                "bad.yaml:5:7: spec: expected a map, found a list"},
        BadCase{"duration_is_a_map", with_spec("  duration: {a: 1}\n"),
                "bad.yaml:6:13: spec.duration: expected a value, found a map"},
        BadCase{"every_negative", fault_spec("      network: {loss: 1%}\n      trigger: {every: -1}\n"),
                "bad.yaml:11:24: spec.faults[0].trigger.every: '-1' is not a whole number in 0..1000000000"},
        BadCase{"times_too_big",
                fault_spec("      network: {loss: 1%}\n      trigger: {times: 1000000001}\n"),
                "bad.yaml:11:24: spec.faults[0].trigger.times: '1000000001' is not a whole number in "
                "0..1000000000"},
        BadCase{"pid_too_big", with_spec("  duration: 1s\n  targets: [{pid: 99999999999}]\n"),
                "bad.yaml:7:19: spec.targets[0].pid: '99999999999' is not a whole number in 0..4194304"},
        BadCase{"tab_indent", "apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n\tname: demo\n",
                "bad.yaml:4:6: invalid YAML: illegal map value"},
        BadCase{"alias_bomb",
                "apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: demo\n  labels:\n"
                "    a: &a [x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                "    c: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
                "bad.yaml:6:8: metadata.labels.a: expected a value, found a list"},
        BadCase{
            "selection_rounds_to_zero",
            with_spec(
                "  duration: 1s\n  targets: [{cgroup: a}]\n  selection: {mode: percent, value: 0.001%}\n"),
            "bad.yaml:8:37: spec.selection.value: must be more than 0%"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

} // namespace
} // namespace faultline::policy
