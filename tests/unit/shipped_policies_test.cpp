// Every example in policies/ parses and compiles against a kernel with every backend: the files
// the README points platform teams to must never rot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backends/kernel_backend.hpp"
#include "engine/compiler.hpp"
#include "engine/rule_ids.hpp"
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
    auto policy = policy::parse_policy(text.str(), entry.path().filename().string());
    ASSERT_TRUE(policy) << policy.error().message;
    engine::BackendRegistry all;
    for (const auto* b : backends::all_backends())
      all.add(*b, {true, "assumed for the test"});
    engine::RuleIdAllocator ids;
    auto compiled = engine::compile(*policy, {{"/sys/fs/cgroup/t", 42, 1, {}, {}}}, all, ids, 1000);
    EXPECT_TRUE(compiled) << entry.path() << ": " << compiled.error().message;
  }
  EXPECT_GE(seen, 4);
}

} // namespace
} // namespace faultline
