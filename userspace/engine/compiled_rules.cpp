#include "engine/compiled_rules.hpp"

namespace faultline::engine {

Status CompiledRules::add(std::uint64_t cgroup_id, std::uint32_t level, fl_hook hook, const fl_rule& rule) {
  if (hook >= FL_HOOK_MAX) return make_error(EINVAL, "hook {} out of range", static_cast<int>(hook));
  if (level >= FL_MAX_CGROUP_LEVEL)
    return make_error(EINVAL, "cgroup level {} is deeper than the supported {}", level,
                      FL_MAX_CGROUP_LEVEL - 1);
  if (rule.rule_id >= FL_MAX_RULES)
    return make_error(EINVAL, "rule id {} exceeds the limit of {} rules", rule.rule_id, FL_MAX_RULES);
  auto [it, inserted] = sets_.try_emplace(Target{cgroup_id, hook}, fl_rule_set{});
  if (inserted && sets_.size() > FL_MAX_RULE_KEYS) {
    sets_.erase(it);
    return make_error(E2BIG, "more than {} (cgroup, hook) targets in one policy", FL_MAX_RULE_KEYS);
  }
  fl_rule_set& set = it->second;
  if (set.count >= FL_RULES_PER_SET)
    return make_error(E2BIG, "more than {} faults on the same cgroup and hook", FL_RULES_PER_SET);
  set.rules[set.count++] = rule;
  level_masks_[hook] |= 1ull << level;
  return {};
}

std::size_t CompiledRules::rule_count() const {
  std::size_t n = 0;
  for (const auto& [target, set] : sets_)
    n += set.count;
  return n;
}

} // namespace faultline::engine
