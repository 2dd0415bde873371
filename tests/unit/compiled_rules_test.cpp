#include <gtest/gtest.h>

#include "engine/compiled_rules.hpp"

namespace faultline::engine {
namespace {

// Hook ids are the families'; the table only keys by them.
constexpr fl_hook kHookA = 0;
constexpr fl_hook kHookB = 1;
constexpr fl_hook kHookC = 2;

fl_rule rule(std::uint32_t id) {
  fl_rule r{};
  r.rule_id = id;
  r.effect.action = FL_ACT_ERRNO;
  return r;
}

TEST(CompiledRules, GroupsByTargetAndSetsLevelMask) {
  CompiledRules rules;
  ASSERT_TRUE(rules.add(100, 2, kHookA, rule(1)));
  ASSERT_TRUE(rules.add(100, 2, kHookA, rule(2)));
  ASSERT_TRUE(rules.add(200, 5, kHookC, rule(3)));
  EXPECT_EQ(rules.sets().size(), 2u);
  EXPECT_EQ(rules.rule_count(), 3u);
  const auto& set = rules.sets().at({100, kHookA, 0});
  EXPECT_EQ(set.count, 2u);
  EXPECT_EQ(set.rules[1].rule_id, 2u);
  EXPECT_EQ(rules.level_mask(kHookA), 1ull << 2);
  EXPECT_EQ(rules.level_mask(kHookC), 1ull << 5);
  EXPECT_EQ(rules.level_mask(kHookB), 0u);
}

TEST(CompiledRules, SubKeysSeparateSetsAndMasks) {
  CompiledRules rules;
  ASSERT_TRUE(rules.add(100, 2, kHookC, 257, rule(1)));
  ASSERT_TRUE(rules.add(100, 3, kHookC, 0, rule(2)));
  EXPECT_EQ(rules.sets().size(), 2u);
  EXPECT_EQ(rules.level_mask(kHookC, 257), 1ull << 2);
  EXPECT_EQ(rules.level_mask(kHookC, 0), 1ull << 3);
  EXPECT_EQ(rules.level_masks().size(), 2u);
}

TEST(CompiledRules, RejectsMoreFaultsPerTargetThanTheKernelEvaluates) {
  CompiledRules rules;
  for (std::uint32_t i = 0; i < FL_RULES_PER_SET; ++i)
    ASSERT_TRUE(rules.add(1, 1, kHookA, rule(i)));
  auto st = rules.add(1, 1, kHookA, rule(99));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, E2BIG);
  EXPECT_EQ(rules.rule_count(), FL_RULES_PER_SET);
}

TEST(CompiledRules, RejectsOutOfRangeInputs) {
  CompiledRules rules;
  EXPECT_EQ(rules.add(1, FL_MAX_CGROUP_LEVEL, kHookA, rule(1)).error().code, EINVAL);
  EXPECT_EQ(rules.add(1, 1, kHookA, rule(FL_MAX_RULES)).error().code, EINVAL);
  EXPECT_TRUE(rules.empty());
  EXPECT_EQ(rules.level_mask(kHookA), 0u);
}

} // namespace
} // namespace faultline::engine
