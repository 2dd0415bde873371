#include "lifecycle/live_view.hpp"

#include <fmt/format.h>

namespace faultline::lifecycle {

observe::ExperimentView view_of(Host& host, const LiveExperiment& live, const std::string& state,
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
  const std::uint64_t now = host.now_ns();
  v.remaining_ms = now < live.compiled.deadline_ns ? (live.compiled.deadline_ns - now) / 1000000 : 0;
  for (const auto& t : live.compiled.targets)
    v.targets.push_back({t.path, t.cgroup_id});
  for (const auto& f : live.compiled.faults) {
    observe::FaultCounters c{f.name, f.family, 0, 0, {}};
    for (auto id : f.rule_ids) {
      if (auto s = host.rule_stats(id)) {
        c.matched += s->matched;
        c.injected += s->injected;
        c.unapplied += s->unapplied;
      }
    }
    for (std::size_t i = 0; i < live.changes.size() && i < live.compiled.changes.size(); ++i)
      if (live.compiled.changes[i].fault == f.name) {
        const HeldChange& change = live.changes[i];
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

} // namespace faultline::lifecycle
