// One experiment's life: start (all or nothing), stop, abort, stop-all and retirement.
#include "lifecycle/controller.hpp"

#include "lifecycle/change_windows.hpp"
#include "lifecycle/live_view.hpp"
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

Status Controller::apply_live_locked() {
  std::vector<const engine::CompiledExperiment*> all;
  for (const auto& [name, live] : live_)
    all.push_back(&live.compiled);
  auto rules = engine::merge(all);
  if (!rules) return rules.error();
  return host_.apply(*rules);
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

  LiveExperiment live;
  live.policy = policy;
  live.started_at_ms = wall_ms();
  live.run = ++runs_;
  // Attach what is missing; on any failure detach what this start attached and change nothing.
  std::vector<AttachKey> fresh;
  auto undo = [&](const Error& e) {
    live.changes.clear(); // puts back what this start changed on its targets
    attachments_.undo(fresh, live.attachments);
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
    auto attached = attachments_.attach(host_, live.compiled, live.attachments, fresh);
    if (attached) break;
    undo(attached.error());
    if (host_.backends_generation() == generation || round >= host_.backends().entries().size())
      return attached.error();
    log::warn("experiment {}: {}; compiling it again", policy.name, attached.error().message);
  }

  // The "started" record is on disk before any of its rules can fire.
  const std::string name = policy.name;
  if (auto st = journal_.started(policy, live.compiled); !st)
    return undo(make_error(st.error().code, "experiment {} not started: {}", name, st.error().message));
  // Changes on the targets (cgroup knobs) act the moment they are written, so they come after
  // the "started" record too; the rules below go live in one flip after them.
  if (auto st = make_open_changes(host_, live); !st) {
    journal_.start_failed(name, st.error());
    return undo(st.error());
  }
  owners_.add(name, live.compiled);
  live_.emplace(name, std::move(live));
  if (auto st = apply_live_locked(); !st) {
    LiveExperiment failed = std::move(live_.at(name));
    live_.erase(name);
    live = std::move(failed);
    owners_.remove(live.compiled);
    journal_.start_failed(name, st.error());
    return undo(st.error());
  }
  finished_.erase(name);
  finished_timelines_.erase(name);
  const LiveExperiment& l = live_.at(name);
  log::info("experiment {} started on {} target(s)", name, l.compiled.targets.size());
  return view_of(host_, l, "running", "");
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
  observe::ExperimentView final_view = view_of(host_, it->second, state, reason);
  LiveExperiment live = std::move(it->second);
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

observe::ExperimentView Controller::retire_locked(const std::string& name, LiveExperiment& live,
                                                  observe::ExperimentView final_view,
                                                  const std::string& state, const std::string& reason) {
  live.changes.clear(); // the targets' old values go back before the end is recorded
  attachments_.release(live.attachments);
  engine::release_ids(live.compiled, ids_);
  final_view.reason = reason;
  if (live.policy.steady_state) final_view.recovery = "checking"; // until the watchdog knows
  final_view.ended_at_ms = wall_ms();
  final_view.remaining_ms = 0;
  finished_[name] = final_view;
  finished_timelines_[name] = std::move(live.timeline);
  journal_.ended(name, state, reason, final_view);
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

Status Controller::stop_all(const std::string& reason) {
  std::lock_guard lock(mu_);
  Status disarmed = host_.disarm(); // the kill switch: one map write, effective at once
  std::vector<std::string> names;
  for (const auto& [name, live] : live_)
    names.push_back(name);
  // Removed together: stopping them one by one would re-apply (and so re-arm) the others' rules.
  std::map<std::string, observe::ExperimentView> views;
  for (const auto& name : names)
    views[name] = view_of(host_, live_.at(name), "stopped", reason);
  std::map<std::string, LiveExperiment> removed;
  for (const auto& name : names)
    removed.emplace(name, std::move(live_.extract(name).mapped()));
  if (auto st = apply_live_locked(); !st)
    log::error("clearing the rule table after stop-all failed ({}); every program stays disarmed",
               st.error().describe());
  for (auto& [name, live] : removed)
    retire_locked(name, live, std::move(views[name]), "stopped", reason);
  journal_.stop_all(reason);
  return disarmed;
}

} // namespace faultline::lifecycle
