#include "lifecycle/controller.hpp"

#include <algorithm>

#include "lifecycle/retransmit_watch.hpp"
#include "lifecycle/safety_guard.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace faultline::lifecycle {

Controller::Controller(Host& host, Journal* journal, SafetyOptions safety)
    : host_(host), journal_(journal), safety_(std::move(safety)) {}

Controller::~Controller() {
  // Shutdown removes every fault; the deadlines would retire them anyway.
  try {
    if (!live_.empty()) (void)stop_all("faultline shut down");
  } catch (...) {
    log::error("removing the faults at shutdown failed; every rule still expires at its deadline");
  }
}

void Controller::journal(const std::string& event, const std::string& name, const nlohmann::json& detail) {
  if (journal_ != nullptr) journal_->record(event, name, detail);
}

Status Controller::apply_live_locked() {
  std::vector<const engine::CompiledExperiment*> all;
  for (const auto& [name, live] : live_)
    all.push_back(&live.compiled);
  auto rules = engine::merge(all);
  if (!rules) return rules.error();
  return host_.apply(*rules);
}

Status Controller::make_change_locked(Live& live, std::size_t index, bool check_only) {
  const policy::Policy& p = live.policy;
  const engine::TargetChange& change = live.compiled.changes[index];
  const std::string holder = fmt::format("experiment {}, fault {}", p.name, change.fault);
  auto made = host_.change(change, holder, p.dry_run || check_only);
  if (!made)
    return make_error(made.error().code, "{}:{}:{}: fault '{}' on {}: {}", p.file, change.location.line,
                      change.location.column, change.fault, change.target.path, made.error().message);
  Change& c = live.changes[index];
  if (check_only) {
    // Refusals known now (a missing knob, a conflict) fail the start; the change is made later.
    std::vector<std::string> knobs;
    for (const auto& s : change.settings)
      knobs.push_back(s.knob);
    c.lines = {fmt::format("{}: {} at +{} ms", change.target.path, fmt::join(knobs, ", "),
                           (change.begin_ns - live.compiled.start_ns) / 1000000)};
    return {};
  }
  c.held = std::move(*made);
  c.lines = c.held->describe();
  return {};
}

Status Controller::make_changes_locked(Live& live) {
  const std::uint64_t now = host_.now_ns();
  live.changes.resize(live.compiled.changes.size());
  for (std::size_t i = 0; i < live.compiled.changes.size(); ++i)
    if (auto st = make_change_locked(live, i, live.compiled.changes[i].begin_ns > now); !st) return st;
  return {};
}

std::vector<std::pair<std::string, std::string>> Controller::advance_changes_locked() {
  const std::uint64_t now = host_.now_ns();
  std::vector<std::pair<std::string, std::string>> failed;
  for (auto& [name, live] : live_) {
    for (std::size_t i = 0; i < live.changes.size(); ++i) {
      const engine::TargetChange& change = live.compiled.changes[i];
      Change& c = live.changes[i];
      if (c.held && change.end_ns != 0 && now >= change.end_ns) {
        c.lines = c.held->describe();
        c.held.reset(); // puts the old values back (a freeze thaws)
        c.over = true;
        log::info("experiment {}, fault {}: {} put back, its window is over", name, change.fault,
                  change.target.path);
      } else if (!c.held && !c.over && now >= change.begin_ns && now < live.compiled.deadline_ns) {
        if (auto st = make_change_locked(live, i, false); !st) {
          failed.emplace_back(name, st.error().message);
          break;
        }
        log::info("experiment {}, fault {}: {} changed at its start offset", name, change.fault,
                  change.target.path);
      }
    }
  }
  return failed;
}

int Controller::tick() {
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, why] : advance_changes_locked()) {
      log::error("experiment {}: {}", name, why);
      (void)stop_locked(name, "failed", why);
    }
    sample_timelines_locked();
  }
  return expire();
}

void Controller::sample_timelines_locked() {
  const std::int64_t now = wall_ms();
  for (auto& [name, live] : live_) {
    if (!live.timeline.due(now)) continue;
    observe::CounterSample sample{now, {}, {}};
    for (const auto& f : view_locked(live, "running", "").faults) {
      sample.injected.push_back(f.injected);
      sample.matched.push_back(f.matched);
    }
    live.timeline.add(std::move(sample));
  }
}

void Controller::record_check(const std::string& name, std::uint64_t run, observe::CheckSample check) {
  std::lock_guard lock(mu_);
  auto it = live_.find(name);
  if (it != live_.end() && it->second.run == run) it->second.timeline.add(std::move(check));
}

void Controller::record_recovery(const std::string& name, std::uint64_t run, const std::string& recovery) {
  std::lock_guard lock(mu_);
  auto it = finished_.find(name);
  if (it == finished_.end() || it->second.run != run) return; // a later run of the name replaced it
  it->second.recovery = recovery;
  journal("recovery", name, {{"recovery", recovery}});
  log::info("experiment {}: steady state {}", name, recovery);
}

Result<observe::ExperimentReport> Controller::report(const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(name); it != live_.end())
    return observe::ExperimentReport{view_locked(it->second, "running", ""), it->second.timeline};
  if (auto it = finished_.find(name); it != finished_.end())
    return observe::ExperimentReport{it->second, finished_timelines_[name]};
  return make_error(ENOENT, "no experiment named {}", name);
}

Status Controller::attach_entries_locked(Live& live, std::vector<AttachKey>& fresh) {
  for (const auto& entry : live.compiled.entries) {
    const bool global = entry.backend->scope() == engine::AttachScope::global;
    const std::uint32_t sub = entry.backend->attaches_per_sub() ? entry.sub : 0;
    const AttachKey key{global ? 0 : entry.target.cgroup_id, entry.hook, sub};
    if (std::find(live.attachments.begin(), live.attachments.end(), key) != live.attachments.end()) continue;
    auto it = attachments_.find(key);
    if (it == attachments_.end()) {
      auto attached = host_.attach(*entry.backend, entry.target, entry.hook, sub);
      if (!attached) return attached.error();
      it = attachments_.emplace(key, Shared{std::move(*attached), 0}).first;
      fresh.push_back(key);
    }
    it->second.refs += 1;
    live.attachments.push_back(key);
  }
  return {};
}

Result<observe::ExperimentView> Controller::start(const policy::Policy& policy) {
  host_.prepare(policy); // the verifier's time, outside the lock (see Host::prepare)
  std::lock_guard lock(mu_);
  if (live_.count(policy.name))
    return make_error(EEXIST, "experiment {} is already running; stop it first", policy.name);

  std::vector<engine::Target> matched;
  for (const auto& t : policy.targets) {
    auto found = host_.resolve(t);
    if (!found)
      return make_error(found.error().code, "{}:{}:{}: target '{}': {}", policy.file, t.location.line,
                        t.location.column, t.value, found.error().message);
    for (auto& target : *found) {
      target.origin = t.location;
      target.spec = fmt::format("{}: {}", policy::target_kind_name(t.kind), t.value);
      matched.push_back(std::move(target));
    }
  }
  auto selected = engine::select_targets(std::move(matched), policy.selection, rng_);
  if (!selected) return make_error(selected.error().code, "{}: {}", policy.file, selected.error().message);
  // The blast-radius guard: before anything is compiled, attached or armed.
  if (auto safe = SafetyGuard(host_, safety_).check(policy, *selected); !safe) return safe.error();
  if (auto countable = check_retransmits_countable(host_, policy, *selected); !countable)
    return countable.error();

  Live live{policy, {}, {}, wall_ms(), {}, ++runs_};
  // Attach what is missing; on any failure detach what this start attached and change nothing.
  std::vector<AttachKey> fresh;
  auto undo = [&](const Error& e) {
    live.changes.clear(); // puts back what this start changed on its targets
    for (const auto& key : fresh)
      attachments_.erase(key);
    for (const auto& key : live.attachments)
      if (attachments_.count(key)) attachments_[key].refs -= 1;
    fresh.clear();
    live.attachments.clear();
    engine::release_ids(live.compiled, ids_);
    return e;
  };
  // A backend's programs load on first use (prepare, before the lock; attach if another start
  // got there first). If the kernel refuses them, the host offers that backend no more: compile
  // again, and the faults go to the next backend (file.lsm -> file.fmod_ret). Each round that
  // fails so drops a backend, so this ends.
  for (std::size_t round = 0;; ++round) {
    const std::uint64_t generation = host_.backends_generation();
    auto compiled = engine::compile(policy, *selected, host_.backends(), ids_, host_.now_ns());
    if (!compiled) return compiled.error();
    live.compiled = std::move(*compiled);
    auto attached = attach_entries_locked(live, fresh);
    if (attached) break;
    undo(attached.error());
    if (host_.backends_generation() == generation || round >= host_.backends().entries().size())
      return attached.error();
    log::warn("experiment {}: {}; compiling it again", policy.name, attached.error().message);
  }

  // The "started" record is on disk before any of its rules can fire: after a crash the journal
  // never misses an experiment that may have injected.
  const std::string name = policy.name;
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : live.compiled.targets)
    targets.push_back(t.path);
  nlohmann::json detail = {
      {"file", policy.file}, {"targets", targets}, {"durationMs", policy.duration_ns / 1000000}};
  if (policy.safety.allow_host_wide) detail["allowHostWide"] = true; // the opt-in is on record
  if (journal_ != nullptr)
    if (auto st = journal_->record_durable("started", name, detail); !st)
      return undo(make_error(st.error().code, "experiment {} not started: {}", name, st.error().message));
  // Changes on the targets (cgroup knobs) act the moment they are written, so they come after
  // the "started" record too; the rules below go live in one flip after them.
  if (auto st = make_changes_locked(live); !st) {
    journal("failed", name, {{"reason", st.error().describe()}});
    return undo(st.error());
  }
  // Owners before the rules go live: their first events may be read at once.
  {
    std::lock_guard owners_lock(owners_mu_);
    for (const auto& fault : live.compiled.faults)
      for (const std::uint32_t id : fault.rule_ids)
        owners_[id] = {name, fault.name};
  }
  live_.emplace(name, std::move(live));
  if (auto st = apply_live_locked(); !st) {
    Live failed = std::move(live_.at(name));
    live_.erase(name);
    live = std::move(failed);
    {
      // Its rules never went live: their ids name no fault of this experiment any more.
      std::lock_guard owners_lock(owners_mu_);
      for (const auto& fault : live.compiled.faults)
        for (const std::uint32_t id : fault.rule_ids)
          owners_.erase(id);
    }
    journal("failed", name, {{"reason", st.error().describe()}});
    return undo(st.error());
  }
  finished_.erase(name);
  finished_timelines_.erase(name);
  const Live& l = live_.at(name);
  log::info("experiment {} started on {} target(s)", name, l.compiled.targets.size());
  return view_locked(l, "running", "");
}

std::optional<observe::RuleOwner> Controller::rule_owner(std::uint32_t rule_id) const {
  std::lock_guard lock(owners_mu_);
  auto it = owners_.find(rule_id);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

void Controller::release_attachments_locked(const std::vector<AttachKey>& keys) {
  for (const auto& key : keys) {
    auto it = attachments_.find(key);
    if (it != attachments_.end() && --it->second.refs <= 0) attachments_.erase(it);
  }
}

Result<observe::ExperimentView> Controller::stop_locked(const std::string& name, const std::string& state,
                                                        const std::string& reason) {
  auto it = live_.find(name);
  if (it == live_.end()) {
    auto done = finished_.find(name);
    if (done != finished_.end()) return done->second; // stopping twice is not an error
    return make_error(ENOENT, "no experiment named {}", name);
  }
  // Final counters first: the ids are given back below.
  observe::ExperimentView final_view = view_locked(it->second, state, reason);
  Live live = std::move(it->second);
  live_.erase(it);
  std::string ended_reason = reason;
  if (auto st = apply_live_locked(); !st) {
    // Could not remove its rules: disarm everything rather than leave a fault running. The
    // experiment is over either way; it is never left shown as running.
    log::error("removing {} failed ({}); disarming all faults", name, st.error().describe());
    (void)host_.disarm();
    ended_reason += "; removing its rules failed, so every fault was disarmed (" + st.error().message + ")";
  }
  return retire_locked(name, live, std::move(final_view), state, ended_reason);
}

observe::ExperimentView Controller::retire_locked(const std::string& name, Live& live,
                                                  observe::ExperimentView final_view,
                                                  const std::string& state, const std::string& reason) {
  live.changes.clear(); // the targets' old values go back before the end is recorded
  release_attachments_locked(live.attachments);
  engine::release_ids(live.compiled, ids_);
  final_view.reason = reason;
  if (live.policy.steady_state) final_view.recovery = "checking"; // until the watchdog knows
  final_view.ended_at_ms = wall_ms();
  final_view.remaining_ms = 0;
  finished_[name] = final_view;
  finished_timelines_[name] = std::move(live.timeline);
  journal(state, name, {{"reason", reason}, {"report", observe::to_json(final_view)}});
  log::info("experiment {} {}: {}", name, state, reason);
  return final_view;
}

Result<observe::ExperimentView> Controller::stop(const std::string& name, const std::string& reason) {
  std::lock_guard lock(mu_);
  return stop_locked(name, "stopped", reason);
}

Result<observe::ExperimentView> Controller::abort(const std::string& name, std::uint64_t run,
                                                  const std::string& reason) {
  std::lock_guard lock(mu_);
  auto it = live_.find(name);
  if (it == live_.end() || it->second.run != run)
    return make_error(ENOENT, "experiment {} (run {}) has already ended", name, run);
  return stop_locked(name, "aborted", reason);
}

Result<observe::ExperimentView> Controller::get(const std::string& name, std::uint64_t run) {
  std::lock_guard lock(mu_);
  auto it = live_.find(name);
  if (it == live_.end() || it->second.run != run)
    return make_error(ENOENT, "experiment {} (run {}) has ended", name, run);
  return view_locked(it->second, "running", "");
}

Result<std::uint64_t> Controller::read_run_targets(const std::string& name, std::uint64_t run,
                                                   const TargetsReader& read) {
  std::lock_guard lock(mu_);
  auto it = live_.find(name);
  if (it == live_.end() || it->second.run != run)
    return make_error(ENOENT, "experiment {} (run {}) has ended", name, run);
  return read(host_, it->second.compiled.targets);
}

ProbeCounters Controller::probe_counters(const policy::Policy& policy) {
  return {[this, policy]() -> Result<std::uint64_t> {
            std::lock_guard lock(mu_);
            return count_policy_retransmits(host_, policy);
          },
          std::nullopt};
}

Status Controller::stop_all(const std::string& reason) {
  std::lock_guard lock(mu_);
  Status disarmed = host_.disarm(); // the kill switch: one map write, effective at once
  std::vector<std::string> names;
  for (const auto& [name, live] : live_)
    names.push_back(name);
  // Removed together: stopping them one by one would re-apply (and so re-arm) the others' rules.
  std::map<std::string, observe::ExperimentView> views;
  for (const auto& name : names)
    views[name] = view_locked(live_.at(name), "stopped", reason);
  std::map<std::string, Live> removed;
  for (const auto& name : names)
    removed.emplace(name, std::move(live_.extract(name).mapped()));
  if (auto st = apply_live_locked(); !st)
    log::error("clearing the rule table after stop-all failed ({}); every program stays disarmed",
               st.error().describe());
  for (auto& [name, live] : removed)
    retire_locked(name, live, std::move(views[name]), "stopped", reason);
  journal("stop-all", "", {{"reason", reason}});
  return disarmed;
}

int Controller::expire() {
  std::lock_guard lock(mu_);
  const std::uint64_t now = host_.now_ns();
  std::vector<std::string> due;
  for (const auto& [name, live] : live_)
    if (now >= live.compiled.deadline_ns) due.push_back(name);
  for (const auto& name : due)
    (void)stop_locked(name, "completed", "duration elapsed");
  return static_cast<int>(due.size());
}

observe::ExperimentView Controller::view_locked(const Live& live, const std::string& state,
                                                const std::string& reason) {
  observe::ExperimentView v;
  v.name = live.policy.name;
  v.state = state;
  v.reason = reason;
  v.dry_run = live.policy.dry_run;
  v.labels = live.policy.labels;
  v.started_at_ms = live.started_at_ms;
  v.run = live.run;
  for (const auto& c : live.policy.stop_conditions)
    v.stop_conditions.push_back(c.name);
  v.steady_state = live.policy.steady_state.has_value();
  v.duration_ms = live.policy.duration_ns / 1000000;
  const std::uint64_t now = host_.now_ns();
  v.remaining_ms = now < live.compiled.deadline_ns ? (live.compiled.deadline_ns - now) / 1000000 : 0;
  for (const auto& t : live.compiled.targets)
    v.targets.push_back({t.path, t.cgroup_id});
  for (const auto& f : live.compiled.faults) {
    observe::FaultCounters c{f.name, f.family, 0, 0, {}};
    for (auto id : f.rule_ids) {
      if (auto s = host_.rule_stats(id)) {
        c.matched += s->matched;
        c.injected += s->injected;
      }
    }
    for (std::size_t i = 0; i < live.changes.size() && i < live.compiled.changes.size(); ++i)
      if (live.compiled.changes[i].fault == f.name) {
        const Change& change = live.changes[i];
        std::vector<std::string> lines = change.held ? change.held->describe() : change.lines;
        for (auto& line : lines) {
          if (change.over)
            line += fmt::format(" (put back at +{} ms)",
                                (live.compiled.changes[i].end_ns - live.compiled.start_ns) / 1000000);
          c.changes.push_back(std::move(line));
        }
      }
    v.faults.push_back(c);
  }
  return v;
}

std::vector<observe::ExperimentView> Controller::list() {
  std::lock_guard lock(mu_);
  std::vector<observe::ExperimentView> out;
  for (const auto& [name, live] : live_)
    out.push_back(view_locked(live, "running", ""));
  for (const auto& [name, view] : finished_)
    out.push_back(view);
  return out;
}

Result<observe::ExperimentView> Controller::get(const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(name); it != live_.end()) return view_locked(it->second, "running", "");
  if (auto it = finished_.find(name); it != finished_.end()) return it->second;
  return make_error(ENOENT, "no experiment named {}", name);
}

} // namespace faultline::lifecycle
