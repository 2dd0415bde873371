#include "faults/process/process_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

TEST(PolicyParser, FreezeTakesADurationAndAStartOffset) {
  auto p =
      parse_policy(with_faults("    - name: pause\n      process: {freeze: 5s}\n      trigger: {start: 10s}\n"
                               "    - name: now\n      process: {freeze: 250ms}\n"),
                   "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& pause = spec_of<faults::ProcessFault>(p->faults[0]);
  EXPECT_EQ(pause.freeze_ns, 5'000'000'000ull);
  EXPECT_EQ(pause.signal, 0);
  EXPECT_EQ(p->faults[0].trigger.start_ns, 10'000'000'000ull);
  EXPECT_EQ(spec_of<faults::ProcessFault>(p->faults[1]).freeze_ns, 250'000'000ull);
}

INSTANTIATE_TEST_SUITE_P(
    BadProcessInput, PolicyParserRejects,
    ::testing::Values(
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
                "NAME}) or freeze (how long, e.g. freeze: 5s)"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
