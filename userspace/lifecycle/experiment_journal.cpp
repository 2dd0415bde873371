#include "lifecycle/experiment_journal.hpp"

#include "observe/experiment_view.hpp"

namespace faultline::lifecycle {

void ExperimentJournal::record(const std::string& event, const std::string& name,
                               const nlohmann::json& detail) {
  if (journal_ != nullptr) journal_->record(event, name, detail);
}

Status ExperimentJournal::started(const policy::Policy& policy, const engine::CompiledExperiment& compiled) {
  if (journal_ == nullptr) return {};
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : compiled.targets)
    targets.push_back(t.path);
  nlohmann::json detail = {
      {"file", policy.file}, {"targets", targets}, {"durationMs", policy.duration_ns / 1000000}};
  if (policy.safety.allow_host_wide) detail["allowHostWide"] = true; // the opt-in is on record
  return journal_->record_durable("started", policy.name, detail);
}

void ExperimentJournal::start_failed(const std::string& name, const Error& error) {
  record("failed", name, {{"reason", error.describe()}});
}

void ExperimentJournal::ended(const std::string& name, const std::string& state, const std::string& reason,
                              const observe::ExperimentView& final_view) {
  record(state, name, {{"reason", reason}, {"report", observe::to_json(final_view)}});
}

void ExperimentJournal::recovery(const std::string& name, const std::string& recovery) {
  record("recovery", name, {{"recovery", recovery}});
}

void ExperimentJournal::stop_all(const std::string& reason) { record("stop-all", "", {{"reason", reason}}); }

} // namespace faultline::lifecycle
