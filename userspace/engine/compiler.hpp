// Policy -> kernel rules. Asks the backend registry which backend serves each fault on this
// kernel, and refuses (with the reason) what this kernel or this version cannot do: nothing is
// silently skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "engine/backend_registry.hpp"
#include "engine/compiled_rules.hpp"
#include "engine/rule_ids.hpp"
#include "engine/target.hpp"
#include "policy/policy.hpp"

namespace faultline::engine {

struct RuleEntry {
  Target target;
  fl_hook hook;
  std::uint32_t sub = 0;
  fl_rule rule;
  const Backend* backend = nullptr; // attaches the program for `hook`
};

// A backend's settings for one target (Backend::settings): no rule, written on the target itself.
struct TargetChange {
  Target target;
  std::string fault;
  policy::Location location;     // of the fault, for messages
  std::vector<Setting> settings; // all with the same window
  const Backend* backend = nullptr;
  // CLOCK_MONOTONIC: made at begin_ns, put back at end_ns (0 = when the experiment ends). Never
  // past the experiment's deadline.
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
};

struct CompiledFault {
  std::string name;
  std::string family;
  std::vector<std::uint32_t> rule_ids;
};

struct CompiledExperiment {
  std::string name;
  std::vector<Target> targets;
  std::vector<CompiledFault> faults;
  std::vector<RuleEntry> entries;
  std::vector<TargetChange> changes;
  std::uint64_t start_ns = 0;    // CLOCK_MONOTONIC
  std::uint64_t deadline_ns = 0; // CLOCK_MONOTONIC; also inside every rule
  bool dry_run = false;
};

// Ids are taken from `ids`; on error every id taken is given back.
Result<CompiledExperiment> compile(const policy::Policy& policy, const std::vector<Target>& targets,
                                   const BackendRegistry& backends, RuleIdAllocator& ids,
                                   std::uint64_t now_ns);

// Gives back the ids of a compiled experiment.
void release_ids(const CompiledExperiment& experiment, RuleIdAllocator& ids);

// The rule table for a set of live experiments.
Result<CompiledRules> merge(const std::vector<const CompiledExperiment*>& experiments);

} // namespace faultline::engine
