#include "observe/experiment_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace faultline::observe {

std::string verdict(const ExperimentView& view) {
  if (view.state == "running") return "running";
  if (view.state == "aborted") return "aborted: " + view.reason;
  if (view.state == "failed") return "failed: " + view.reason;
  if (view.recovery == "checking") return "checking: is the steady state back?";
  if (view.recovery.rfind("not recovered", 0) == 0 || view.recovery.rfind("not held", 0) == 0)
    return "falsified: the steady state was " + view.recovery;
  if (view.recovery.rfind("not known", 0) == 0) return "unknown: the steady state is " + view.recovery;
  if (view.stop_conditions.empty() && !view.steady_state)
    return "no hypothesis: the experiment had no steady state and no stop conditions";
  if (view.steady_state)
    return fmt::format("held: no stop condition was breached and the steady state {} ({})", view.recovery,
                       view.state);
  return fmt::format("held: no stop condition was breached ({})", view.state);
}

nlohmann::json to_json(const ExperimentReport& report) {
  nlohmann::json j = to_json(report.view);
  j["verdict"] = verdict(report.view);
  j["timeline"] = report.timeline.to_json();
  return j;
}

ExperimentReport report_from_json(const nlohmann::json& j) {
  return {view_from_json(j), Timeline::from_json(j.value("timeline", nlohmann::json::object()))};
}

std::string to_text(const ExperimentReport& report) {
  std::string out = to_text(report.view);
  for (const auto& name : report.view.stop_conditions) {
    std::size_t made = 0;
    std::size_t failed = 0;
    std::uint64_t slowest_us = 0;
    for (const auto& c : report.timeline.checks()) {
      if (c.condition != name) continue;
      made += 1;
      failed += c.healthy ? 0 : 1;
      slowest_us = std::max(slowest_us, c.took_us);
    }
    out += fmt::format("  stop condition {}: {} check(s) recorded, {} failed, slowest {:.1f} ms\n", name,
                       made, failed, static_cast<double>(slowest_us) / 1000.0);
  }
  out += fmt::format("  verdict: {}\n", verdict(report.view));
  return out;
}

} // namespace faultline::observe
