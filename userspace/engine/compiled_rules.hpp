// The engine's output and the kernel layer's input: the complete rule table of one policy in
// ABI form, grouped by (target cgroup, hook), plus the fast-path level masks.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>

#include "faultline/abi.h"
#include "util/result.hpp"

namespace faultline::engine {

class CompiledRules {
public:
  using Target = std::pair<std::uint64_t, std::uint32_t>; // (cgroup id, hook)

  // Adds a rule for the cgroup `cgroup_id` at depth `level` and its descendants.
  Status add(std::uint64_t cgroup_id, std::uint32_t level, fl_hook hook, const fl_rule& rule);

  const std::map<Target, fl_rule_set>& sets() const { return sets_; }
  const std::array<std::uint64_t, FL_HOOK_MAX>& level_masks() const { return level_masks_; }
  bool empty() const { return sets_.empty(); }
  std::size_t rule_count() const;

private:
  std::map<Target, fl_rule_set> sets_;
  std::array<std::uint64_t, FL_HOOK_MAX> level_masks_{};
};

} // namespace faultline::engine
