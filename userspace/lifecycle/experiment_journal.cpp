#include "lifecycle/experiment_journal.hpp"

#include "observe/experiment_view.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace faultline::lifecycle {
namespace {

constexpr const char* kInterruptedReason =
    "the previous faultlined ended without stopping it; its programs detached with it";

// A number the record holds under `key`, else 0: a hand-edited record must not stop the start.
template <typename T> T number_in(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_number() ? it->get<T>() : T{};
}

// What an experiment the previous daemon left running looks like, from its "started" record: its
// counters went with that daemon's maps. It ended when that daemon died, which nobody recorded;
// `at_ms` is when its end is recorded.
observe::ExperimentView interrupted_view(const OpenExperiment& open, std::int64_t at_ms) {
  observe::ExperimentView view;
  view.name = open.name;
  view.state = "aborted";
  view.reason = kInterruptedReason;
  view.started_at_ms = number_in<std::int64_t>(open.started, "ts");
  view.ended_at_ms = at_ms;
  view.duration_ms = number_in<std::uint64_t>(open.started, "durationMs");
  for (const auto& target : open.started.value("targets", nlohmann::json::array()))
    if (target.is_string()) view.targets.push_back({target.get<std::string>(), 0});
  return view;
}

} // namespace

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

std::vector<observe::ExperimentView> ExperimentJournal::abort_interrupted() {
  std::vector<observe::ExperimentView> views;
  if (journal_ == nullptr) return views;
  for (const auto& open : journal_->recover_interrupted()) {
    views.push_back(interrupted_view(open, wall_ms()));
    ended(open.name, "aborted", kInterruptedReason, views.back());
    log::warn("experiment {} aborted: {}", open.name, kInterruptedReason);
  }
  return views;
}

} // namespace faultline::lifecycle
