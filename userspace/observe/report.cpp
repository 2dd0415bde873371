#include <fmt/format.h>

#include "observe/experiment_view.hpp"

namespace faultline::observe {

nlohmann::json to_json(const ExperimentView& v) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : v.targets)
    targets.push_back({{"path", t.path}, {"cgroupId", t.cgroup_id}});
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& f : v.faults) {
    nlohmann::json fault = {
        {"name", f.name}, {"family", f.family}, {"matched", f.matched}, {"injected", f.injected}};
    if (f.unapplied > 0) fault["unapplied"] = f.unapplied; // rare (late network devices): absent when 0
    if (!f.changes.empty()) fault["changes"] = f.changes;
    faults.push_back(std::move(fault));
  }
  return {{"name", v.name},
          {"state", v.state},
          {"reason", v.reason},
          {"dryRun", v.dry_run},
          {"labels", v.labels},
          {"startedAtMs", v.started_at_ms},
          {"endedAtMs", v.ended_at_ms},
          {"durationMs", v.duration_ms},
          {"remainingMs", v.remaining_ms},
          {"targets", targets},
          {"faults", faults},
          {"stopConditions", v.stop_conditions},
          {"steadyState", v.steady_state},
          {"recovery", v.recovery}};
}

ExperimentView view_from_json(const nlohmann::json& j) {
  ExperimentView v;
  v.name = j.value("name", "");
  v.state = j.value("state", "");
  v.reason = j.value("reason", "");
  v.dry_run = j.value("dryRun", false);
  v.labels = j.value("labels", std::map<std::string, std::string>{});
  v.started_at_ms = j.value("startedAtMs", std::int64_t{0});
  v.ended_at_ms = j.value("endedAtMs", std::int64_t{0});
  v.duration_ms = j.value("durationMs", std::uint64_t{0});
  v.remaining_ms = j.value("remainingMs", std::uint64_t{0});
  for (const auto& t : j.value("targets", nlohmann::json::array()))
    v.targets.push_back({t.value("path", ""), t.value("cgroupId", std::uint64_t{0})});
  for (const auto& f : j.value("faults", nlohmann::json::array()))
    v.faults.push_back({f.value("name", ""), f.value("family", ""), f.value("matched", std::uint64_t{0}),
                        f.value("injected", std::uint64_t{0}), f.value("changes", std::vector<std::string>{}),
                        f.value("unapplied", std::uint64_t{0})});
  v.stop_conditions = j.value("stopConditions", std::vector<std::string>{});
  v.steady_state = j.value("steadyState", false);
  v.recovery = j.value("recovery", "");
  return v;
}

std::string to_text(const ExperimentView& v) {
  std::string out = fmt::format("experiment {}: {}{}{}\n", v.name, v.state, v.dry_run ? " (dry run)" : "",
                                v.reason.empty() ? "" : " - " + v.reason);
  if (v.state == "running") out += fmt::format("  {} ms of {} ms left\n", v.remaining_ms, v.duration_ms);
  for (const auto& t : v.targets)
    out += fmt::format("  target {} (cgroup id {})\n", t.path, t.cgroup_id);
  out +=
      fmt::format("  {:<24} {:<9} {:>12} {:>12} {:>8}\n", "fault", "family", "matched", "injected", "rate");
  for (const auto& f : v.faults) {
    const double rate =
        f.matched ? 100.0 * static_cast<double>(f.injected) / static_cast<double>(f.matched) : 0.0;
    out += fmt::format("  {:<24} {:<9} {:>12} {:>12} {:>7.2f}%\n", f.name, f.family, f.matched, f.injected,
                       rate);
  }
  for (const auto& f : v.faults)
    if (f.unapplied > 0)
      out += fmt::format("  {}: {} matched where the fault could not be made (not injected): a device "
                         "without faultline's qdisc, see the daemon's log\n",
                         f.name, f.unapplied);
  for (const auto& f : v.faults)
    for (const auto& line : f.changes)
      out += fmt::format("  {}: {}\n", f.name, line);
  if (v.steady_state)
    out += fmt::format("  steady state: held before the start{}\n",
                       v.recovery.empty() ? "" : "; after: " + v.recovery);
  return out;
}

} // namespace faultline::observe
