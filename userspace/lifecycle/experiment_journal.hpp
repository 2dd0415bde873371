// What the journal (lifecycle/journal.hpp) records of each experiment: that it started, before
// any of its rules can fire; that a start failed after that record; how it ended, with its final
// report; what its steady state did afterwards; a stop-all; at the next start, that the
// experiments a dead daemon left running were aborted. Without a journal (faultline exec)
// nothing is recorded, and nothing fails for it.
#pragma once

#include <string>
#include <vector>

#include "engine/compiler.hpp"
#include "lifecycle/journal.hpp"
#include "observe/experiment_view.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

class ExperimentJournal {
public:
  explicit ExperimentJournal(Journal* journal) : journal_(journal) {}

  // "started", on disk when this returns: after a crash the journal never misses an experiment
  // that may have injected. An error means the experiment must not start.
  Status started(const policy::Policy& policy, const engine::CompiledExperiment& compiled);
  // "failed": a start undone after its "started" record.
  void start_failed(const std::string& name, const Error& error);
  // The end (`state`: stopped, aborted, completed, failed), with its final report.
  void ended(const std::string& name, const std::string& state, const std::string& reason,
             const observe::ExperimentView& final_view);
  void recovery(const std::string& name, const std::string& recovery);
  void stop_all(const std::string& reason);
  // At start: ends each experiment the journal leaves open (Journal::recover_interrupted: live
  // when the previous daemon died) with one "aborted" record, and returns their final views for
  // the controller to show (Controller::recall_ended). Once recorded, no later start finds them
  // open again.
  std::vector<observe::ExperimentView> abort_interrupted();

private:
  void record(const std::string& event, const std::string& name, const nlohmann::json& detail);

  Journal* journal_;
};

} // namespace faultline::lifecycle
