// The report as a picture: injections per fault over time (cumulative, left axis), each stop
// condition's checks (their time taken, right axis; failed ones red), the injection window
// shaded, the experiment's name and verdict as the title. A standalone SVG file: no script, no
// external resource.
#pragma once

#include <string>

#include "observe/experiment_report.hpp"

namespace faultline::observe {

std::string plot_svg(const ExperimentReport& report);

} // namespace faultline::observe
