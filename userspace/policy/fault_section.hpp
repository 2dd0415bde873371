// What the policy parser asks of a fault family: the parser reads the envelope (metadata,
// targets, triggers, steady state, stop conditions) and hands each fault's family block to the
// family whose key it carries (`network: {...}`). The families are given to the parser by the
// caller (userspace/faults/registry), so this layer names none of them.
#pragma once

#include <any>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "policy/yaml_reader.hpp"

namespace faultline::policy {

class FaultSection {
public:
  virtual ~FaultSection() = default;
  // The key of the family's block in a fault: "network".
  virtual std::string_view key() const = 0;
  // The validated block; throws (Field::fail) with file:line:col on anything wrong.
  virtual std::any parse(const Field& block) const = 0; // the family's own type
  // Refuses trigger fields that mean nothing for this fault (a freeze happens once); called with
  // the fault's `trigger` block after parse().
  virtual void check_trigger(const std::any& /*spec*/, const Field& /*trigger*/) const {}
};

// For check_trigger: refuses the first of the counting fields (probability, every, after, times)
// that `trigger` sets, saying "<why>; trigger.<field> <consequence>" (a fault that fires once or
// decides by itself which events fire; trigger.start still applies).
void refuse_counting_trigger(const Field& trigger, const std::string& why, const std::string& consequence);

// Every family's section, in the order the registry lists them.
using FaultSections = std::vector<const FaultSection*>;

// Experiment, fault and stop condition names: 1-63 of [a-z0-9-], starting and ending with [a-z0-9].
void check_name(const Field& f, const std::string& what);
// A syscall name this release knows (syscall faults, process faults' `on: {syscall: NAME}`),
// else a refusal with the closest known name.
void check_syscall_name(const Field& name);

} // namespace faultline::policy
