// The experiment lifecycle: start (resolve -> select -> guard -> compile -> attach -> apply, all
// or nothing), stop one, stop all (kill switch first), expire at the deadline, and views with live
// counters. One controller serves the daemon's API and `faultline exec`. Its lock serialises every
// use of the Host. Defined in three files: controller.cpp (one experiment's life),
// controller_tick.cpp (the tick: change windows, deadlines, timeline samples) and
// controller_views.cpp (what callers read and record).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/rule_ids.hpp"
#include "engine/target.hpp"
#include "lifecycle/experiment_journal.hpp"
#include "lifecycle/host.hpp"
#include "lifecycle/journal.hpp"
#include "lifecycle/live_experiment.hpp"
#include "lifecycle/rule_owners.hpp"
#include "lifecycle/safety.hpp"
#include "lifecycle/shared_attachments.hpp"
#include "lifecycle/steady_state.hpp"
#include "observe/event_log.hpp"
#include "observe/experiment_report.hpp"
#include "observe/experiment_view.hpp"
#include "policy/policy.hpp"

namespace faultline::lifecycle {

class Controller {
public:
  explicit Controller(Host& host, Journal* journal = nullptr, SafetyOptions safety = {});
  ~Controller();

  // Errors: EEXIST (name running), EOPNOTSUPP (kernel/version cannot), ENOENT (no target), or the
  // kernel's errno. On any error the kernel is exactly as before.
  Result<observe::ExperimentView> start(const policy::Policy& policy);
  Result<observe::ExperimentView> stop(const std::string& name,
                                       const std::string& reason = "stopped by request");
  // A stop condition breached: ends that run of the experiment as "aborted" (ENOENT when it has
  // ended already, or a later run of the same name is live: never the wrong one).
  Result<observe::ExperimentView> abort(const std::string& name, std::uint64_t run,
                                        const std::string& reason);
  // Kill switch: disarms every program with one map write, then removes every experiment.
  Status stop_all(const std::string& reason = "stop-all");
  // Completes experiments whose deadline has passed; returns how many.
  int expire();
  // The daemon's and exec's periodic call: makes the changes whose window has opened, puts back
  // those whose window has closed (a freeze thawed before the experiment ends; an experiment
  // whose late change is refused fails, with the reason), then expire(). Returns expire()'s count.
  int tick();

  // The report: the view and its timeline (counters sampled at tick(), checks recorded).
  Result<observe::ExperimentReport> report(const std::string& name);
  // A stop condition's check of that run, for the report (dropped once the run has ended).
  void record_check(const std::string& name, std::uint64_t run, observe::CheckSample check);
  // What the steady-state probes found after that run ended (the view's `recovery`; journaled).
  void record_recovery(const std::string& name, std::uint64_t run, const std::string& recovery);

  // Experiments that ended before this controller (those a SIGKILLed daemon left running,
  // ExperimentJournal::abort_interrupted): listed, shown and reported like its own ended ones
  // until a run of the same name replaces them.
  void recall_ended(std::vector<observe::ExperimentView> views);

  std::vector<observe::ExperimentView> list();
  // The experiment and fault a rule id serves, or served last (ids go round robin, so an event
  // read just after its experiment ended still names it). Never waits for a start or stop.
  std::optional<observe::RuleOwner> rule_owner(std::uint32_t rule_id) const;
  Result<observe::ExperimentView> get(const std::string& name);
  // The live view of that run only (ENOENT once it has ended).
  Result<observe::ExperimentView> get(const std::string& name, std::uint64_t run);

  // Reads something of that run's targets (lifecycle/retransmit_watch.hpp counts their TCP
  // retransmits): `read` gets the Host and the targets under this controller's lock, so the run
  // cannot end meanwhile. ENOENT once it has ended.
  using TargetsReader = std::function<Result<std::uint64_t>(Host&, const std::vector<engine::Target>&)>;
  Result<std::uint64_t> read_run_targets(const std::string& name, std::uint64_t run,
                                         const TargetsReader& read);
  // What `policy`'s steady-state counter probes read, before its run and after it: the TCP
  // retransmits of every cgroup its targets name (count_policy_retransmits, under this
  // controller's lock). The final view is the caller's.
  ProbeCounters probe_counters(const policy::Policy& policy);

private:
  Status apply_live_locked(); // the rule table of every live experiment, in one flip
  Result<observe::ExperimentView> stop_locked(const std::string& name, const std::string& state,
                                              const std::string& reason);
  // Releases what a removed experiment held and records how it ended.
  observe::ExperimentView retire_locked(const std::string& name, LiveExperiment& live,
                                        observe::ExperimentView final_view, const std::string& state,
                                        const std::string& reason);
  void sample_timelines_locked(); // a counter sample of each live experiment whose period is due
  void refresh_locked();          // SharedAttachments::refresh, at most once a second

  std::mutex mu_;
  Host& host_;
  ExperimentJournal journal_;
  SafetyOptions safety_;
  engine::RuleIdAllocator ids_;
  std::map<std::string, LiveExperiment> live_;
  std::map<std::string, observe::ExperimentView> finished_;
  std::map<std::string, observe::Timeline> finished_timelines_;
  SharedAttachments attachments_;
  std::uint64_t refreshed_ns_ = 0; // the tick's last SharedAttachments::refresh
  std::uint64_t runs_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  RuleOwners owners_; // its own lock: the events reader must not wait behind a start
};

} // namespace faultline::lifecycle
