#include "lifecycle/change_windows.hpp"

#include <fmt/format.h>

#include "util/log.hpp"

namespace faultline::lifecycle {
namespace {

Status make_change(Host& host, LiveExperiment& live, std::size_t index, bool check_only) {
  const policy::Policy& p = live.policy;
  const engine::TargetChange& change = live.compiled.changes[index];
  const std::string holder = fmt::format("experiment {}, fault {}", p.name, change.fault);
  auto made = host.change(change, holder, p.dry_run || check_only);
  if (!made)
    return make_error(made.error().code, "{}:{}:{}: fault '{}' on {}: {}", p.file, change.location.line,
                      change.location.column, change.fault, change.target.path, made.error().message);
  HeldChange& c = live.changes[index];
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

} // namespace

Status make_open_changes(Host& host, LiveExperiment& live) {
  const std::uint64_t now = host.now_ns();
  live.changes.resize(live.compiled.changes.size());
  for (std::size_t i = 0; i < live.compiled.changes.size(); ++i)
    if (auto st = make_change(host, live, i, live.compiled.changes[i].begin_ns > now); !st) return st;
  return {};
}

std::vector<std::pair<std::string, std::string>>
advance_change_windows(Host& host, std::map<std::string, LiveExperiment>& live) {
  const std::uint64_t now = host.now_ns();
  std::vector<std::pair<std::string, std::string>> failed;
  for (auto& [name, experiment] : live) {
    for (std::size_t i = 0; i < experiment.changes.size(); ++i) {
      const engine::TargetChange& change = experiment.compiled.changes[i];
      HeldChange& c = experiment.changes[i];
      if (c.held && change.end_ns != 0 && now >= change.end_ns) {
        c.lines = c.held->describe();
        c.held.reset(); // puts the old values back (a freeze thaws)
        c.over = true;
        log::info("experiment {}, fault {}: {} put back, its window is over", name, change.fault,
                  change.target.path);
      } else if (!c.held && !c.over && now >= change.begin_ns && now < experiment.compiled.deadline_ns) {
        if (auto st = make_change(host, experiment, i, false); !st) {
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

} // namespace faultline::lifecycle
