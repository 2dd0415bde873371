// Shared by policy_parser_test.cpp and the policy_parser_<family>_test.cpp files: each family's
// file instantiates PolicyParserRejects with its own bad inputs, so the fixture is declared once
// here, outside any anonymous namespace (gtest refuses one suite name on two types).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "faults/registry.hpp"
#include "policy/parser.hpp"

namespace faultline::policy {

// The parser with every family's section, as faultlined and the CLI call it.
inline Result<Policy> parse_policy(std::string_view text, const std::string& file) {
  return faults::parse_policy(text, file);
}

// Builds a policy whose spec.faults list is `faults` (indented as list items at 4 spaces).
inline std::string with_faults(const std::string& faults) {
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

inline const std::string kF = "    - name: f\n"; // fault header at line 10

struct BadCase {
  const char* name;
  std::string text;
  std::string message; // the whole expected error
};

class PolicyParserRejects : public ::testing::TestWithParam<BadCase> {};

inline std::string bad_case_name(const ::testing::TestParamInfo<BadCase>& info) {
  return std::string(info.param.name);
}

} // namespace faultline::policy
