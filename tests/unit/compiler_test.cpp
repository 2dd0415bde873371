// Policy -> kernel rules, the compiler's own work whatever the family: dry run, refusal with the reason
// and the policy location, nesting, merging, selection; ids never leak. Each family's compile step is
// tested in its folder (userspace/faults/<family>/tests/unit/compile_<family>_test.cpp).
#include "compiler_test.hpp"

#include <random>

namespace faultline::engine {
namespace {

using namespace compile_test;

TEST(Compiler, DryRunFlagsEveryRule) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: loss\n      network: {loss: 10%}\n", "  dryRun: true\n"), kTargets,
                     all_caps(), ids, kNow);
  ASSERT_TRUE(exp);
  for (const auto& e : exp->entries)
    EXPECT_TRUE(e.rule.flags & FL_RULE_DRY_RUN);
}

TEST(Compiler, RefusesWhatThisKernelCannotDoAndReleasesIds) {
  RuleIdAllocator ids;
  const BackendRegistry caps = registry({"file.lsm", "file.fmod_ret"});
  auto exp = compile(parse("    - name: loss\n      network: {loss: 10%}\n    - name: disk\n      file: "
                           "{path: /d/, errno: EIO}\n"),
                     kTargets, caps, ids, kNow);
  ASSERT_FALSE(exp);
  EXPECT_EQ(
      exp.error().message,
      "p.yaml:11:7: fault 'disk': no backend can inject it here (file.lsm: this kernel cannot run it: no "
      "BPF-LSM; file.fmod_ret: this kernel cannot run it: no BPF-LSM)");
  EXPECT_EQ(ids.in_use(), 0u) << "a refused policy must not keep rule ids";
}

TEST(Compiler, NestedTargetsOfOneExperimentGetTheRuleOnce) {
  RuleIdAllocator ids;
  const std::vector<Target> nested = {{"/sys/fs/cgroup/a", 111, 1},
                                      {"/sys/fs/cgroup/a/b", 112, 2},
                                      {"/sys/fs/cgroup/a/b/c", 113, 3},
                                      {"/sys/fs/cgroup/ab", 114, 1}};
  auto exp = compile(parse("    - name: l\n      network: {loss: 50%}\n"), nested, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  EXPECT_EQ(exp->targets.size(), 4u) << "every selected target is reported";
  std::vector<std::string> ruled;
  for (const auto& e : exp->entries)
    ruled.push_back(e.target.path);
  // a/b and a/b/c are inside a: a rule there too would drop twice. "ab" only shares bytes.
  EXPECT_EQ(ruled, (std::vector<std::string>{"/sys/fs/cgroup/a", "/sys/fs/cgroup/ab"}));
}

TEST(Compiler, MergeCombinesExperimentsAndRejectsOverflow) {
  RuleIdAllocator ids;
  auto a =
      compile(parse("    - name: l1\n      network: {loss: 10%}\n"), {kTargets[0]}, all_caps(), ids, kNow);
  auto b = compile(parse("    - name: l2\n      network: {loss: 20%, port: 53}\n"), {kTargets[0]}, all_caps(),
                   ids, kNow);
  ASSERT_TRUE(a && b);
  auto merged = merge({&*a, &*b});
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->rule_count(), 2u);
  EXPECT_EQ(merged->sets().at({111, a->entries[0].hook, 0}).count, 2u) << "both losses on one set";
  std::vector<CompiledExperiment> many;
  many.reserve(FL_RULES_PER_SET);
  for (int i = 0; i < FL_RULES_PER_SET; ++i)
    many.push_back(
        *compile(parse("    - name: l\n      network: {loss: 1%}\n"), {kTargets[0]}, all_caps(), ids, kNow));
  std::vector<const CompiledExperiment*> ptrs{&*a};
  for (auto& m : many)
    ptrs.push_back(&m);
  auto over = merge(ptrs);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, E2BIG);
}

TEST(Selection, CountAndPercentPickDistinctTargets) {
  std::mt19937_64 rng(42);
  std::vector<Target> t;
  for (std::uint64_t i = 1; i <= 10; ++i)
    t.push_back({"/x" + std::to_string(i), i, 1});
  auto all = select_targets(t, {policy::Selection::Mode::all, 0}, rng);
  EXPECT_EQ(all->size(), 10u);
  auto three = select_targets(t, {policy::Selection::Mode::count, 3}, rng);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->size(), 3u);
  EXPECT_NE((*three)[0].cgroup_id, (*three)[1].cgroup_id);
  auto quarter = select_targets(t, {policy::Selection::Mode::percent, 25}, rng);
  EXPECT_EQ(quarter->size(), 3u); // ceil(2.5)
  auto too_many = select_targets(t, {policy::Selection::Mode::count, 11}, rng);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().message, "selection asks for 11 targets but only 10 matched");
  auto dup = select_targets({t[0], t[0]}, {policy::Selection::Mode::all, 0}, rng);
  EXPECT_EQ(dup->size(), 1u);
}

TEST(RuleIds, ExhaustionIsAnErrorAndIdsComeBack) {
  RuleIdAllocator ids;
  for (int i = 0; i < FL_MAX_RULES; ++i)
    ASSERT_TRUE(ids.take());
  auto none = ids.take();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ENOSPC);
  ids.give_back(17);
  EXPECT_EQ(*ids.take(), 17u);
}

} // namespace
} // namespace faultline::engine
