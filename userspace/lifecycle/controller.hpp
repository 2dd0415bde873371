// The experiment lifecycle: start (resolve -> select -> compile -> attach -> apply, all or
// nothing), stop one, stop all (kill switch first), expire at the deadline, and views with live
// counters. One controller serves the daemon's API and `faultline exec`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/compiler.hpp"
#include "engine/rule_ids.hpp"
#include "engine/target.hpp"
#include "lifecycle/host.hpp"
#include "lifecycle/journal.hpp"
#include "lifecycle/safety.hpp"
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
  // (cgroup id or 0 for global, hook, sub-key or 0 when one attachment serves every sub-key)
  using AttachKey = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;
  // A change on a target over its window: not yet made, held, or over (put back early).
  struct Change {
    std::unique_ptr<Attachment> held;
    std::vector<std::string> lines; // what it said while held: the report keeps it once over
    bool over = false;
  };
  struct Live {
    policy::Policy policy;
    engine::CompiledExperiment compiled;
    std::vector<AttachKey> attachments;
    std::int64_t started_at_ms = 0;
    // One per compiled.changes entry, in order: its own (knobs are never shared between
    // experiments); destroying one's hold puts the target's old values back.
    std::vector<Change> changes;
    std::uint64_t run = 0;      // this start's serial number (a name can run again later)
    observe::Timeline timeline; // counters sampled by tick(), stop-condition checks
  };
  struct Shared {
    std::unique_ptr<Attachment> attachment;
    int refs = 0;
  };

  Status apply_live_locked();
  void sample_timelines_locked(); // a counter sample of each live experiment whose period is due
  // Attaches what live.compiled's entries need and is not attached yet (shared with other
  // experiments by key); `fresh` collects what this call attached, for the caller's undo.
  Status attach_entries_locked(Live& live, std::vector<AttachKey>& fresh);
  // Makes the compiled experiment's changes whose window is open on its targets (after its
  // "started" record); checks the later ones without making them (a dry run).
  Status make_changes_locked(Live& live);
  Status make_change_locked(Live& live, std::size_t index, bool check_only);
  // Opens and closes change windows on time; returns the experiments that failed, with why.
  std::vector<std::pair<std::string, std::string>> advance_changes_locked();
  observe::ExperimentView view_locked(const Live& live, const std::string& state, const std::string& reason);
  Result<observe::ExperimentView> stop_locked(const std::string& name, const std::string& state,
                                              const std::string& reason);
  // Releases what a removed experiment held and records how it ended.
  observe::ExperimentView retire_locked(const std::string& name, Live& live,
                                        observe::ExperimentView final_view, const std::string& state,
                                        const std::string& reason);
  void release_attachments_locked(const std::vector<AttachKey>& keys);
  void journal(const std::string& event, const std::string& name, const nlohmann::json& detail = {});

  std::mutex mu_;
  Host& host_;
  Journal* journal_;
  SafetyOptions safety_;
  engine::RuleIdAllocator ids_;
  std::map<std::string, Live> live_;
  std::map<std::string, observe::ExperimentView> finished_;
  std::map<std::string, observe::Timeline> finished_timelines_;
  std::map<AttachKey, Shared> attachments_;
  std::uint64_t runs_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  mutable std::mutex owners_mu_; // its own: the events reader must not wait behind a start
  std::map<std::uint32_t, observe::RuleOwner> owners_;
};

} // namespace faultline::lifecycle
