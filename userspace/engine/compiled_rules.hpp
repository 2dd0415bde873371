// The engine's output and the kernel layer's input: the complete rule table of one policy in
// ABI form, grouped by (target cgroup, hook, sub-key), plus the per-(hook, sub) level masks the
// task-context hooks read first.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <utility>

#include "faultline/abi.h"
#include "util/result.hpp"

namespace faultline::engine {

class CompiledRules {
public:
  using SetKey = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>; // (cgroup id, hook, sub)
  using HookKey = std::pair<std::uint32_t, std::uint32_t>;                // (hook, sub)

  // Adds a rule for the cgroup `cgroup_id` at depth `level` and its descendants.
  Status add(std::uint64_t cgroup_id, std::uint32_t level, fl_hook hook, std::uint32_t sub,
             const fl_rule& rule);
  Status add(std::uint64_t cgroup_id, std::uint32_t level, fl_hook hook, const fl_rule& rule) {
    return add(cgroup_id, level, hook, 0, rule);
  }

  const std::map<SetKey, fl_rule_set>& sets() const { return sets_; }
  const std::map<HookKey, std::uint64_t>& level_masks() const { return level_masks_; }
  std::uint64_t level_mask(fl_hook hook, std::uint32_t sub = 0) const;
  bool empty() const { return sets_.empty(); }
  std::size_t rule_count() const;

private:
  std::map<SetKey, fl_rule_set> sets_;
  std::map<HookKey, std::uint64_t> level_masks_;
};

} // namespace faultline::engine
