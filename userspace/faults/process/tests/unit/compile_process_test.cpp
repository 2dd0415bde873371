// The process family's compile step: a signal is a rule on its syscall, a freeze a windowed setting.
#include "compiler_test.hpp"
#include "policy/syscalls.hpp"
#include "process/abi.h"
#include <csignal>

namespace faultline::engine {
namespace {

using namespace compile_test;

TEST(Compiler, SignalIsARuleOnItsSyscallWithTheSignalAsItsValue) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: crash\n      process: {signal: SIGSEGV, on: {syscall: getppid}}\n"
                           "      trigger: {after: 4, times: 1}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u);
  const auto& sig = exp->entries[0];
  EXPECT_EQ(sig.backend->name(), "process.signal");
  EXPECT_EQ(sig.hook, FL_HOOK_PROCESS);
  EXPECT_EQ(sig.sub,
            static_cast<std::uint32_t>(policy::find_syscall("getppid", policy::native_arch())->number));
  EXPECT_EQ(sig.rule.effect.action, FL_ACT_SIGNAL);
  ASSERT_EQ(sig.rule.effect.nerr, 1u) << "the signal is the effect's one value";
  EXPECT_EQ(sig.rule.effect.errs[0].err, SIGSEGV);
  EXPECT_EQ(sig.rule.effect.errs[0].threshold, FL_PROB_ALWAYS);
  EXPECT_EQ(sig.rule.trigger.after, 4u);
  EXPECT_EQ(sig.rule.trigger.times, 1u);
  release_ids(*exp, ids);
}

// A freeze is a setting with a window (process.freeze), a signal a rule (process.signal): each
// backend refuses the other's fault, so the registry picks by what the fault says. The window
// runs from the start offset for the freeze's duration, clipped to the experiment.
TEST(Compiler, FreezeIsAWindowedSettingOfItsOwnBackend) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: pause\n      process: {freeze: 3s}\n      trigger: {start: 2s}\n"
                           "    - name: long\n      process: {freeze: 1h}\n"
                           "    - name: crash\n      process: {signal: SIGKILL, on: {syscall: getppid}}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u) << "only the signal is a rule";
  EXPECT_EQ(exp->entries[0].backend->name(), "process.signal");
  ASSERT_EQ(exp->changes.size(), 2u);
  const auto& pause = exp->changes[0];
  EXPECT_EQ(pause.backend->name(), "process.freeze");
  EXPECT_EQ(pause.target.path, "/sys/fs/cgroup/a");
  EXPECT_EQ(pause.settings, (std::vector<Setting>{{"cgroup.freeze", "1", "", 2'000'000'000, 5'000'000'000}}));
  EXPECT_EQ(pause.begin_ns, kNow + 2'000'000'000);
  EXPECT_EQ(pause.end_ns, kNow + 5'000'000'000);
  EXPECT_EQ(exp->changes[1].begin_ns, kNow);
  EXPECT_EQ(exp->changes[1].end_ns, 0u) << "clipped to the experiment's 10 s: it ends with it";
  release_ids(*exp, ids);

  auto off = compile(parse("    - name: pause\n      process: {freeze: 3s}\n"), kTargets,
                     registry({"process.freeze"}), ids, kNow);
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().message,
            "p.yaml:9:7: fault 'pause': no backend can inject it here (process.freeze: this kernel cannot "
            "run it: no BPF-LSM)")
      << "the reason that says what to change on this host, not that process.signal only signals";
}

} // namespace
} // namespace faultline::engine
