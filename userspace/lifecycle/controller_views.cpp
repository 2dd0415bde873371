// What callers read of the experiments (views, reports, rule owners, a run's targets) and what
// the watchdog adds to a run's record (its checks, its recovery).
#include "lifecycle/controller.hpp"
#include "lifecycle/live_view.hpp"
#include "lifecycle/retransmit_watch.hpp"
#include "util/log.hpp"

namespace faultline::lifecycle {

void Controller::recall_ended(std::vector<observe::ExperimentView> views) {
  std::lock_guard lock(mu_);
  for (auto& view : views)
    if (!live_.count(view.name)) finished_[view.name] = std::move(view);
}

std::vector<observe::ExperimentView> Controller::list() {
  std::lock_guard lock(mu_);
  std::vector<observe::ExperimentView> out;
  for (const auto& [name, live] : live_)
    out.push_back(view_of(host_, live, "running", ""));
  for (const auto& [name, view] : finished_)
    out.push_back(view);
  return out;
}

Result<observe::ExperimentView> Controller::get(const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(name); it != live_.end()) return view_of(host_, it->second, "running", "");
  if (auto it = finished_.find(name); it != finished_.end()) return it->second;
  return make_error(ENOENT, "no experiment named {}", name);
}

Result<observe::ExperimentView> Controller::get(const std::string& name, std::uint64_t run) {
  std::lock_guard lock(mu_);
  auto it = live_.find(name);
  if (it == live_.end() || it->second.run != run)
    return make_error(ENOENT, "experiment {} (run {}) has ended", name, run);
  return view_of(host_, it->second, "running", "");
}

Result<observe::ExperimentReport> Controller::report(const std::string& name) {
  std::lock_guard lock(mu_);
  if (auto it = live_.find(name); it != live_.end())
    return observe::ExperimentReport{view_of(host_, it->second, "running", ""), it->second.timeline};
  if (auto it = finished_.find(name); it != finished_.end())
    return observe::ExperimentReport{it->second, finished_timelines_[name]};
  return make_error(ENOENT, "no experiment named {}", name);
}

std::optional<observe::RuleOwner> Controller::rule_owner(std::uint32_t rule_id) const {
  return owners_.find(rule_id);
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
  journal_.recovery(name, recovery);
  log::info("experiment {}: steady state {}", name, recovery);
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

} // namespace faultline::lifecycle
