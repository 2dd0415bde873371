// A live experiment as callers see it (observe::ExperimentView): its state, its targets, each
// fault's counters read from the kernel now, and what each fault changed on its targets.
#pragma once

#include <string>

#include "lifecycle/host.hpp"
#include "lifecycle/live_experiment.hpp"
#include "observe/experiment_view.hpp"

namespace faultline::lifecycle {

observe::ExperimentView view_of(Host& host, const LiveExperiment& live, const std::string& state,
                                const std::string& reason);

} // namespace faultline::lifecycle
