// Shared by compiler_test.cpp and each family's compile_<family>_test.cpp: a policy from its faults,
// the real backends (their compile step is pure), the targets and clock every case compiles for.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/abi_encode.hpp"
#include "engine/compiler.hpp"
#include "faults/backend_set.hpp"
#include "faults/registry.hpp"
#include "policy/parser.hpp"

namespace faultline::engine::compile_test {

// A policy targeting /a for 10 s whose spec.faults list is `faults` (list items at 4 spaces).
inline policy::Policy parse(const std::string& faults, const std::string& extra_spec = "") {
  const std::string text = "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: exp}\nspec:\n"
                           "  duration: 10s\n  targets:\n    - cgroup: /a\n" +
                           extra_spec + "  faults:\n" + faults;
  auto p = faults::parse_policy(text, "p.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

// The real backends, each available unless named in `off`.
inline BackendRegistry registry(const std::set<std::string>& off = {}) {
  BackendRegistry r;
  for (const auto* b : faults::all_backends())
    r.add(*b, {!off.count(std::string(b->name())), "no BPF-LSM"});
  return r;
}
inline BackendRegistry all_caps() { return registry(); }
inline const std::vector<Target> kTargets = {{"/sys/fs/cgroup/a", 111, 1}, {"/sys/fs/cgroup/b", 222, 1}};
inline constexpr std::uint64_t kNow = 1'000'000'000;

} // namespace faultline::engine::compile_test
