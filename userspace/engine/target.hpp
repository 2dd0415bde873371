// A resolved target: one cgroup, by path, id and depth. Produced by the kernel layer's resolver,
// consumed by the compiler; a plain value so the engine never touches the kernel.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::engine {

struct Target {
  std::string path;
  std::uint64_t cgroup_id = 0;
  std::uint32_t level = 0;
};

// Applies spec.selection to the matched targets: all, count N (random N), percent P (random
// ceil(P% of them), at least one).
Result<std::vector<Target>> select_targets(std::vector<Target> matched, const policy::Selection& selection,
                                           std::mt19937_64& rng);

} // namespace faultline::engine
