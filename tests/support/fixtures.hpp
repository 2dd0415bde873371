// Shared pieces of the kernel-level tests: a private cgroup tree with a target and a sibling
// control, rule builders, statistics bounds, and the switch that proves tests can fail.
#pragma once

#include <cmath>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "faultline/abi.h"
#include "kernel/cgroup.hpp"
#include "util/clock.hpp"

namespace faultline::testing {

// <cgroup2>/faultline-test-<tag>/{target,control}; all removed (processes killed) on destruction.
struct TestCgroups {
  kernel::CgroupFs fs;
  std::optional<kernel::ScopedCgroup> parent;
  std::optional<kernel::ScopedCgroup> target;
  std::optional<kernel::ScopedCgroup> control;
  kernel::CgroupInfo target_info;

  static Result<TestCgroups> create(const std::string& tag);
};

// FAULTLINE_TEST_DETACHED=1 makes the tests load and configure everything but skip attaching
// the BPF programs: each test must then fail, which shows its assertions observe the kernel.
bool attach_enabled();

// A rule that is live now and for `lifetime_ns`.
fl_rule make_rule(std::uint32_t rule_id, fl_action action, double probability,
                  std::uint64_t lifetime_ns = 60'000'000'000ull);

// Two-sided bound on a binomial count: n*p +- z*sqrt(n*p*(1-p)); z = 4.42 fails by chance once
// in 100,000 checks (tests/host/lib.sh's within_binomial says why not 99.9%).
struct Bounds {
  double low;
  double high;
};
inline Bounds binomial_bounds(double n, double p, double z = 4.42) {
  const double mean = n * p;
  const double sd = std::sqrt(n * p * (1.0 - p));
  return {mean - z * sd, mean + z * sd};
}

} // namespace faultline::testing
