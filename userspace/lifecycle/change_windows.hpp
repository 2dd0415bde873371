// Changes on an experiment's targets (engine::TargetChange: cgroup knobs, a freeze) over their
// windows: those open at the start are made with it, later ones are checked then and made when
// their window opens; one whose window closes before the experiment ends is put back then.
// Whatever is still held goes back when the experiment lets go of its HeldChange.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lifecycle/host.hpp"
#include "lifecycle/live_experiment.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// At the start (after its "started" record: a change acts the moment it is written): makes the
// changes whose window is open and checks the later ones without making them (a dry run), so
// that a refusal known now fails the start.
Status make_open_changes(Host& host, LiveExperiment& live);

// At each tick: puts back the changes whose window has closed (a freeze thaws before the
// experiment ends) and makes those whose window has opened. Returns the experiments whose late
// change was refused, with why: they fail.
std::vector<std::pair<std::string, std::string>>
advance_change_windows(Host& host, std::map<std::string, LiveExperiment>& live);

} // namespace faultline::lifecycle
