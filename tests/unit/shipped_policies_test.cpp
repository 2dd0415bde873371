// Every example in policies/ parses and compiles against a kernel with every backend: the files
// the README points platform teams to must never rot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/compiler.hpp"
#include "engine/rule_ids.hpp"
#include "faults/backend_set.hpp"
#include "faults/registry.hpp"
#include "policy/parser.hpp"

namespace faultline {
namespace {

TEST(ShippedPolicies, ParseAndCompile) {
  const std::filesystem::path dir = std::filesystem::path(FL_SOURCE_DIR) / "policies";
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto policy = faults::parse_policy(text.str(), entry.path().filename().string());
    ASSERT_TRUE(policy) << policy.error().message;
    engine::BackendRegistry all;
    for (const auto* b : faults::all_backends())
      all.add(*b, {true, "assumed for the test"});
    engine::RuleIdAllocator ids;
    auto compiled = engine::compile(*policy, {{"/sys/fs/cgroup/t", 42, 1, {}, {}}}, all, ids, 1000);
    EXPECT_TRUE(compiled) << entry.path() << ": " << compiled.error().message;
  }
  EXPECT_GE(seen, 4);
}

// The freeze example is a window of the cgroup freezer, 5 s from +10 s, not a BPF rule.
TEST(ShippedPolicies, FreezePauseIsAFreezeWindow) {
  auto policy = faults::load_policy_file(std::string(FL_SOURCE_DIR) + "/policies/freeze-pause.yaml");
  ASSERT_TRUE(policy) << policy.error().message;
  engine::BackendRegistry all;
  for (const auto* b : faults::all_backends())
    all.add(*b, {true, "assumed for the test"});
  engine::RuleIdAllocator ids;
  auto compiled = engine::compile(*policy, {{"/sys/fs/cgroup/t", 42, 1, {}, {}}}, all, ids, 1000);
  ASSERT_TRUE(compiled) << compiled.error().message;
  EXPECT_TRUE(compiled->entries.empty());
  ASSERT_EQ(compiled->changes.size(), 1u);
  EXPECT_EQ(compiled->changes[0].backend->name(), "process.freeze");
  EXPECT_EQ(compiled->changes[0].begin_ns, 1000 + 10'000'000'000ull);
  EXPECT_EQ(compiled->changes[0].end_ns, 1000 + 15'000'000'000ull);
}

} // namespace
} // namespace faultline
