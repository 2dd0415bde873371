// The tick: opens and closes change windows, samples each live experiment's counters into its
// timeline, and ends the experiments whose deadline has passed.
#include "lifecycle/change_windows.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/live_view.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace faultline::lifecycle {

int Controller::tick() {
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, why] : advance_change_windows(host_, live_)) {
      log::error("experiment {}: {}", name, why);
      (void)stop_locked(name, "failed", why);
    }
    sample_timelines_locked();
    refresh_locked();
  }
  return expire();
}

// Once a second (the bound docs give for a namespace or device the target reaches after the
// start): a rescan per held device change costs a walk of the target's processes.
void Controller::refresh_locked() {
  constexpr std::uint64_t kRefreshNs = 1'000'000'000;
  const std::uint64_t now = host_.now_ns();
  if (now - refreshed_ns_ < kRefreshNs) return;
  refreshed_ns_ = now;
  attachments_.refresh();
}

void Controller::sample_timelines_locked() {
  const std::int64_t now = wall_ms();
  for (auto& [name, live] : live_) {
    if (!live.timeline.due(now)) continue;
    observe::CounterSample sample{now, {}, {}};
    for (const auto& f : view_of(host_, live, "running", "").faults) {
      sample.injected.push_back(f.injected);
      sample.matched.push_back(f.matched);
    }
    live.timeline.add(std::move(sample));
  }
}

int Controller::expire() {
  std::lock_guard lock(mu_);
  const std::uint64_t now = host_.now_ns();
  std::vector<std::string> due;
  for (const auto& [name, live] : live_)
    if (now >= live.compiled.deadline_ns) due.push_back(name);
  for (const auto& name : due)
    (void)stop_locked(name, "completed", "duration elapsed");
  return static_cast<int>(due.size());
}

} // namespace faultline::lifecycle
