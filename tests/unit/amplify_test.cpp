// `faultline observe`: the table of errors seen and the policy that amplifies them (x86_64
// numbers: openat 257, read 0, connect 42, futex 202, rt_sigreturn 15).
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/abi_encode.hpp"
#include "faults/registry.hpp"
#include "faults/syscall/syscall_spec.hpp"
#include "observe/amplify.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

kernel::ObservedSyscalls counts() {
  kernel::ObservedSyscalls c;
  c.calls = {{257, 400}, {0, 1000}, {42, 20}, {202, 50}, {15, 9}};
  c.errors = {{{257, ENOENT}, 100},
              {{257, EACCES}, 20},
              {{0, EAGAIN}, 5},
              {{42, ECONNREFUSED}, 20},
              {{15, EINTR}, 9}};
  c.internal = 3;
  return c;
}

observe::Observation observation() {
  return observe::summarize(counts(), policy::Arch::x86_64, "svc/My_API.slice", 30'000);
}

TEST(Observe, TableListsMostErrorsFirstWithNamesAndRates) {
  const auto obs = observation();
  EXPECT_EQ(obs.calls, 1479u);
  EXPECT_EQ(obs.syscalls, 5u);
  ASSERT_EQ(obs.rows.size(), 5u);
  EXPECT_EQ(obs.rows[0].syscall, "openat");
  EXPECT_EQ(obs.rows[0].err, ENOENT);
  EXPECT_EQ(obs.rows[0].errors, 100u);
  EXPECT_EQ(obs.rows[0].calls, 400u);
  EXPECT_EQ(obs.rows[1].syscall, "connect"); // 20 errors, before openat EACCES by name
  EXPECT_EQ(obs.rows[2].syscall, "openat");
  const auto text = observe::observation_text(obs);
  EXPECT_NE(text.find("ENOENT"), std::string::npos);
  EXPECT_NE(text.find("25%"), std::string::npos);  // 100 of 400
  EXPECT_NE(text.find("100%"), std::string::npos); // connect: 20 of 20
  EXPECT_NE(text.find("3 calls were interrupted"), std::string::npos);
  const auto json = observe::observation_json(obs);
  EXPECT_EQ(json["errors"][0]["errno"], "ENOENT");
  EXPECT_EQ(json["calls"], 1479);
}

TEST(Observe, AmplifiesEachSyscallsErrorsAtTheFactorCappedAtEveryCall) {
  const auto faults = observe::amplified_faults(observation(), {.factor = 2});
  ASSERT_EQ(faults.size(), 3u); // openat, connect, read; rt_sigreturn's EINTR is another call's
  EXPECT_EQ(faults[0].name, "openat");
  const auto& openat = faults[0];
  EXPECT_EQ(openat.syscall, "openat");
  ASSERT_EQ(openat.errs.size(), 2u);
  EXPECT_EQ(openat.errs[0].err, ENOENT);
  EXPECT_DOUBLE_EQ(openat.errs[0].weight, 0.83); // 100 of 120
  EXPECT_DOUBLE_EQ(openat.errs[1].weight, 0.17);
  EXPECT_DOUBLE_EQ(faults[0].probability, 2 * 120.0 / 400); // 60%
  EXPECT_DOUBLE_EQ(faults[1].probability, 1.0);             // connect: 2 x 100%, capped
  EXPECT_DOUBLE_EQ(faults[2].probability, 2 * 5.0 / 1000);
  EXPECT_EQ(observe::amplified_faults(observation(), {.factor = 2, .min_errors = 6}).size(), 2u);
}

TEST(Observe, AnErrnoWhoseShareRoundsToNothingLeavesTheMix) {
  kernel::ObservedSyscalls c;
  c.calls = {{0, 5000}};
  c.errors = {{{0, EIO}, 999}, {{0, EAGAIN}, 1}};
  const auto faults =
      observe::amplified_faults(observe::summarize(c, policy::Arch::x86_64, "t", 1000), {.factor = 1});
  ASSERT_EQ(faults.size(), 1u);
  const auto& mix = faults[0].errs;
  ASSERT_EQ(mix.size(), 1u);
  EXPECT_EQ(mix[0].err, EIO);
  EXPECT_DOUBLE_EQ(mix[0].weight, 1.0);
  EXPECT_DOUBLE_EQ(faults[0].probability, 0.2); // both errnos count toward the rate
}

TEST(Observe, ThePolicyParsesAndNamesTheTarget) {
  const auto written = observe::amplified_policy(observation(), {.factor = 2}, nullptr);
  EXPECT_EQ(written.faults, 3u);
  EXPECT_EQ(written.refused, 0u);
  auto parsed = faults::parse_policy(written.yaml, "amplify.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe() << "\n" << written.yaml;
  EXPECT_EQ(parsed->name, "amplify-my-api-slice");
  ASSERT_EQ(parsed->targets.size(), 1u);
  EXPECT_EQ(parsed->targets[0].value, "svc/My_API.slice");
  ASSERT_EQ(parsed->faults.size(), 3u);
  EXPECT_DOUBLE_EQ(*parsed->faults[0].trigger.probability, 0.6);
  EXPECT_DOUBLE_EQ(*parsed->faults[2].trigger.probability, 0.01);
  const auto& mix = policy::spec_of<faults::SyscallFault>(parsed->faults[0]).errs;
  ASSERT_EQ(mix.size(), 2u);
  EXPECT_DOUBLE_EQ(mix[0].weight, 0.83);
}

TEST(Observe, ARareErrorKeepsItsRateInThePolicyAndTheCommentCountsWhatIsAmplified) {
  kernel::ObservedSyscalls c;
  c.calls = {{0, 400'000'000}};              // read
  c.errors = {{{0, EIO}, 2}, {{0, 200}, 7}}; // 200: no errno a policy can name
  const auto written = observe::amplified_policy(observe::summarize(c, policy::Arch::x86_64, "t", 1000),
                                                 {.factor = 10}, nullptr);
  // 10 x 2 / 4e8 = 5e-8 (0.000005%): four decimals of a percent wrote 0%, a fault that never fires.
  EXPECT_NE(written.yaml.find("probability: 0.000005%"), std::string::npos) << written.yaml;
  EXPECT_NE(written.yaml.find("# seen: 2 of 400000000 calls failed (0.0000005%); 7 more with errnos a policy "
                              "cannot name"),
            std::string::npos)
      << written.yaml;
  auto parsed = faults::parse_policy(written.yaml, "amplify.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe() << "\n" << written.yaml;
  ASSERT_EQ(parsed->faults.size(), 1u);
  EXPECT_NEAR(*parsed->faults[0].trigger.probability, 5e-8, 5e-11);
  EXPECT_EQ(engine::probability_threshold(*parsed->faults[0].trigger.probability), 214u); // 5e-8 x 2^32
  EXPECT_EQ(engine::probability_threshold(1e-12), 1u) << "a positive rate is never 0 (never)";
  EXPECT_EQ(engine::probability_threshold(0), 0u);
}

TEST(Observe, FaultsThisKernelCannotServeAreCommentedOutWithTheReason) {
  const auto written =
      observe::amplified_policy(observation(), {.factor = 2, .name = "drill"},
                                [](const observe::AmplifiedFault& f) -> std::optional<std::string> {
                                  if (f.name == "read") return std::string("read: no backend here");
                                  return std::nullopt;
                                });
  EXPECT_EQ(written.faults, 2u);
  EXPECT_EQ(written.refused, 1u);
  EXPECT_NE(written.yaml.find("# not served by this kernel: read: no backend here"), std::string::npos);
  EXPECT_NE(written.yaml.find("    # - name: read"), std::string::npos) << written.yaml;
  auto parsed = faults::parse_policy(written.yaml, "amplify.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe() << "\n" << written.yaml;
  EXPECT_EQ(parsed->name, "drill");
  EXPECT_EQ(parsed->faults.size(), 2u);
}

TEST(Observe, NothingServedLeavesAPolicyWithNoFaults) {
  const auto written = observe::amplified_policy(
      observation(), {},
      [](const observe::AmplifiedFault&) -> std::optional<std::string> { return std::string("no"); });
  EXPECT_EQ(written.faults, 0u);
  EXPECT_EQ(written.refused, 3u);
}

} // namespace
} // namespace faultline::testing
