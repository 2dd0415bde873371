// The policy language: a valid file parses into the expected typed form, and each kind of bad
// input is refused with one precise message: file:line:col, the field, and what would be valid.
// Document-level cases here; each fault family's in policy_parser_<family>_test.cpp.
#include <cerrno>
#include <string>

#include "faults/file/file_spec.hpp"
#include "faults/network/network_spec.hpp"
#include "faults/process/process_spec.hpp"
#include "faults/syscall/syscall_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

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
  const auto& slow = spec_of<faults::NetworkFault>(p->faults[0]);
  EXPECT_EQ(*slow.delay_ns, 100'000'000ull);
  EXPECT_EQ(*slow.jitter_ns, 20'000'000ull);
  EXPECT_EQ(slow.peer->v4(), 0x0a000000u);
  EXPECT_EQ(slow.peer->prefix, 8);
  EXPECT_EQ(slow.port.min, 5432);
  const auto& lossy = spec_of<faults::NetworkFault>(p->faults[1]);
  EXPECT_DOUBLE_EQ(*lossy.loss, 0.05);
  EXPECT_EQ(lossy.protocol, faults::Protocol::tcp);
  EXPECT_EQ(lossy.port.max, 444);
  const auto& disk = spec_of<faults::FileFault>(p->faults[2]);
  ASSERT_EQ(disk.errs.size(), 1u);
  EXPECT_EQ(disk.errs[0].err, EIO);
  EXPECT_EQ(disk.ops.size(), 2u);
  EXPECT_DOUBLE_EQ(*p->faults[2].trigger.probability, 0.10);
  const auto& refused = p->faults[3];
  EXPECT_EQ(spec_of<faults::SyscallFault>(refused).errs[0].err, ECONNREFUSED);
  EXPECT_EQ(refused.trigger.every, 3u);
  EXPECT_EQ(refused.trigger.times, 10u);
  EXPECT_EQ(refused.trigger.after, 2u);
  EXPECT_EQ(refused.trigger.start_ns, 5'000'000'000ull);
  EXPECT_EQ(spec_of<faults::ProcessFault>(p->faults[4]).signal, 9);
  EXPECT_TRUE(p->dry_run);
}

TEST(PolicyParser, DefaultsAreSafe) {
  auto p = parse_policy(with_faults("    - name: f\n      network: {loss: 1%}\n"), "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->selection.mode, Selection::Mode::all);
  EXPECT_FALSE(p->dry_run);
  EXPECT_EQ(spec_of<faults::NetworkFault>(p->faults[0]).direction, faults::Direction::egress);
  EXPECT_FALSE(p->faults[0].trigger.probability.has_value());
}

TEST_P(PolicyParserRejects, WithPreciseMessage) {
  auto p = parse_policy(GetParam().text, "bad.yaml");
  ASSERT_FALSE(p) << "accepted a bad policy";
  EXPECT_EQ(p.error().message, GetParam().message);
  EXPECT_EQ(p.error().code, 0) << "bad input is not a system error";
}

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
                "bad.yaml:10:7: spec.faults[0]: a fault needs exactly one of network, file, syscall, "
                "process, resource "
                "(found 0)"},
        BadCase{"fault_two_families",
                with_faults(kF + "      network: {loss: 1%}\n      file: {path: /a, errno: EIO}\n"),
                "bad.yaml:10:7: spec.faults[0]: a fault needs exactly one of network, file, syscall, "
                "process, resource "
                "(found 2)"},
        BadCase{"fault_missing_name", with_faults("    - network: {loss: 1%}\n"),
                "bad.yaml:10:7: spec.faults[0]: missing required key 'name'"},
        BadCase{"duplicate_fault_names",
                with_faults(kF + "      network: {loss: 1%}\n    - name: f\n      network: {loss: 2%}\n"),
                "bad.yaml:12:13: spec.faults[1].name: duplicate fault name 'f'"},
        BadCase{
            "interface_bad_name",
            "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: x}\nspec:\n  duration: 1s\n"
            "  targets:\n    - interface: eth0/../x\n  faults:\n    - name: f\n      network: {loss: 1%}\n",
            "bad.yaml:7:18: spec.targets[0].interface: 'eth0/../x' is not a network device name (1 to 15 "
            "characters, no '/' or spaces)"},
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
        BadCase{"unknown_trigger_key",
                with_faults(kF + "      file: {path: /d/, errno: EIO}\n      trigger: {probabilty: 5%}\n"),
                "bad.yaml:12:17: spec.faults[0].trigger: unknown key 'probabilty' (did you mean "
                "probability?); valid "
                "keys: probability, every, after, times, start"},
        BadCase{"dry_run_not_bool",
                with_spec("  duration: 1s\n  targets:\n    - pid: 1\n  faults:\n"
                          "    - name: f\n      network: {loss: 1%}\n  dryRun: maybe\n"),
                "bad.yaml:12:11: spec.dryRun: 'maybe' is not a boolean; write true or false"},
        BadCase{"spec_key_unknown", with_spec("  duration: 1s\n  hypothesis: []\n"),
                "bad.yaml:7:3: spec: unknown key 'hypothesis'; valid keys: duration, targets, selection, "
                "faults, safety, dryRun, stopConditions, steadyState"}),
    bad_case_name);

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
    bad_case_name);

} // namespace
} // namespace faultline::policy
