#include "lifecycle/rule_owners.hpp"

namespace faultline::lifecycle {

void RuleOwners::add(const std::string& experiment, const engine::CompiledExperiment& compiled) {
  std::lock_guard lock(mu_);
  for (const auto& fault : compiled.faults)
    for (const std::uint32_t id : fault.rule_ids)
      owners_[id] = {experiment, fault.name};
}

void RuleOwners::remove(const engine::CompiledExperiment& compiled) {
  std::lock_guard lock(mu_);
  for (const auto& fault : compiled.faults)
    for (const std::uint32_t id : fault.rule_ids)
      owners_.erase(id);
}

std::optional<observe::RuleOwner> RuleOwners::find(std::uint32_t rule_id) const {
  std::lock_guard lock(mu_);
  auto it = owners_.find(rule_id);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

} // namespace faultline::lifecycle
