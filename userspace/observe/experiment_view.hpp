// What an experiment looks like from outside: state, targets and per-fault counters. Built by
// the daemon's controller, rendered as JSON (API, reports) or text (CLI).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace faultline::observe {

struct FaultCounters {
  std::string name;
  std::string family;
  std::uint64_t matched = 0;
  std::uint64_t injected = 0;
  std::vector<std::string> changes; // what it changed on its targets (resource: cgroup knobs)
  // Matched where the fault could not be made, and so not made (a delayed packet on a device the
  // target reached after the start, before faultline set it up): never part of `injected`.
  std::uint64_t unapplied = 0;
};

struct TargetView {
  std::string path;
  std::uint64_t cgroup_id = 0;
};

struct ExperimentView {
  std::string name;
  std::string state;  // running | completed | stopped | aborted
  std::string reason; // why it ended, when it did
  bool dry_run = false;
  std::map<std::string, std::string> labels;
  std::uint64_t run = 0;          // the controller's serial for this start (not rendered)
  std::int64_t started_at_ms = 0; // unix time
  std::int64_t ended_at_ms = 0;   // 0 while running
  std::uint64_t duration_ms = 0;
  std::uint64_t remaining_ms = 0;
  std::vector<TargetView> targets;
  std::vector<FaultCounters> faults;
  std::vector<std::string> stop_conditions; // their names, in the policy's order
  bool steady_state = false;                // it stated one (it held before the start)
  std::string recovery; // once ended: "checking", "recovered in N ms", "not recovered within ..."
};

nlohmann::json to_json(const ExperimentView& view);
ExperimentView view_from_json(const nlohmann::json& j);
// A human report: state line, targets, a counters table.
std::string to_text(const ExperimentView& view);

} // namespace faultline::observe
