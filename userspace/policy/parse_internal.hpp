// Between parser.cpp (the document: metadata, targets, triggers, the faults list) and
// parse_stop.cpp (stop conditions and steady-state probes). Internal to policy/: parse_policy()
// is the interface.
#pragma once

#include "policy/fault_section.hpp"
#include "policy/policy.hpp"
#include "policy/yaml_reader.hpp"

namespace faultline::policy {

// spec.stopConditions[i]; `faults` are the experiment's fault names (a counter names one).
StopCondition parse_stop_condition(const Field& f, std::size_t index, const std::vector<Fault>& faults);
SteadyState parse_steady_state(const Field& f, const std::vector<Fault>& faults);

} // namespace faultline::policy
