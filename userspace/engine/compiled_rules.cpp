#include "engine/compiled_rules.hpp"

namespace faultline::engine {

Status CompiledRules::add(std::uint64_t cgroup_id, std::uint32_t level, fl_hook hook, std::uint32_t sub,
                          const fl_rule& rule) {
  if (level >= FL_MAX_CGROUP_LEVEL)
    return make_error(EINVAL, "cgroup level {} is deeper than the supported {}", level,
                      FL_MAX_CGROUP_LEVEL - 1);
  if (rule.rule_id >= FL_MAX_RULES)
    return make_error(EINVAL, "rule id {} exceeds the limit of {} rules", rule.rule_id, FL_MAX_RULES);
  const HookKey hook_key{hook, sub};
  if (!level_masks_.count(hook_key) && level_masks_.size() >= FL_MAX_HOOK_KEYS)
    return make_error(E2BIG, "more than {} (hook, sub-key) pairs in one policy", FL_MAX_HOOK_KEYS);
  auto [it, inserted] = sets_.try_emplace(SetKey{cgroup_id, hook, sub}, fl_rule_set{});
  if (inserted && sets_.size() > FL_MAX_RULE_KEYS) {
    sets_.erase(it);
    return make_error(E2BIG, "more than {} (cgroup, hook) targets in one policy", FL_MAX_RULE_KEYS);
  }
  fl_rule_set& set = it->second;
  if (set.count >= FL_RULES_PER_SET) {
    if (inserted) sets_.erase(it);
    return make_error(E2BIG, "more than {} faults on the same cgroup and hook", FL_RULES_PER_SET);
  }
  set.rules[set.count++] = rule;
  level_masks_[hook_key] |= 1ull << level;
  return {};
}

std::uint64_t CompiledRules::level_mask(fl_hook hook, std::uint32_t sub) const {
  auto it = level_masks_.find({hook, sub});
  return it == level_masks_.end() ? 0 : it->second;
}

std::size_t CompiledRules::rule_count() const {
  std::size_t n = 0;
  for (const auto& [target, set] : sets_)
    n += set.count;
  return n;
}

} // namespace faultline::engine
