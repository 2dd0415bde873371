// An experiment's report: its view (state, targets, counters), its timeline (counters and checks
// over time) and the verdict: whether the hypothesis its stop conditions state held. Rendered as
// JSON (the API, `--report`), as text (the CLI) and as an SVG plot (plot_svg.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "observe/experiment_view.hpp"
#include "observe/timeline.hpp"

namespace faultline::observe {

struct ExperimentReport {
  ExperimentView view;
  Timeline timeline;
};

// "running"; "held: ..." when it ran its course (or was stopped) with no condition breached and
// its steady state back in time; "aborted: REASON"; "failed: REASON"; "falsified: ..." when the
// steady state did not come back; "checking: ..." while that is being found out; "no
// hypothesis: ..." when it stated neither.
std::string verdict(const ExperimentView& view);
// The view's fields, plus "verdict" and "timeline".
nlohmann::json to_json(const ExperimentReport& report);
ExperimentReport report_from_json(const nlohmann::json& j);
// The view's text, then per stop condition: checks made, failed, slowest; then the verdict.
std::string to_text(const ExperimentReport& report);

} // namespace faultline::observe
