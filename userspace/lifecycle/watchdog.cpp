#include "lifecycle/watchdog.hpp"

#include <fmt/format.h>

#include <chrono>
#include <system_error>

#include "checks/run_check.hpp"
#include "lifecycle/retransmit_watch.hpp"
#include "lifecycle/steady_state.hpp"
#include "util/clock.hpp"

namespace faultline::lifecycle {
namespace {

checks::CheckResult check_retransmits(const policy::CounterCheck& counter, std::uint64_t count) {
  checks::CheckResult r;
  r.healthy = count <= counter.max;
  r.detail = r.healthy ? fmt::format("TCP retransmits {} (max {})", count, counter.max)
                       : fmt::format("TCP retransmits {} > max {}", count, counter.max);
  return r;
}

checks::CheckResult check_counter(const policy::CounterCheck& counter, const observe::ExperimentView& view) {
  const bool injected = counter.metric == policy::CounterCheck::Metric::injected;
  std::uint64_t count = 0;
  for (const auto& f : view.faults)
    if (counter.fault.empty() || f.name == counter.fault) count += injected ? f.injected : f.matched;
  const std::string what = fmt::format("{}{}", injected ? "injected" : "matched",
                                       counter.fault.empty() ? "" : " by " + counter.fault);
  checks::CheckResult r;
  r.healthy = count <= counter.max;
  r.detail = r.healthy ? fmt::format("{} {} (max {})", what, count, counter.max)
                       : fmt::format("{} {} > max {}", what, count, counter.max);
  return r;
}

} // namespace

Watchdog::~Watchdog() {
  std::vector<Check> checks;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stop_flag_.store(true);
    checks = std::move(checks_);
  }
  cv_.notify_all();
  for (auto& c : checks)
    c.thread.join();
}

void Watchdog::reap_locked() {
  for (auto it = checks_.begin(); it != checks_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = checks_.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t Watchdog::active() {
  std::lock_guard lock(mu_);
  reap_locked();
  return checks_.size();
}

std::thread Watchdog::spawn(std::function<void()> body) {
  return spawn_ ? spawn_(std::move(body)) : std::thread(std::move(body));
}

Status Watchdog::watch(const policy::Policy& policy, std::uint64_t run) {
  std::string failure;
  {
    std::lock_guard lock(mu_);
    reap_locked();
    if (stopping_) return {};
    try {
      for (const auto& condition : policy.stop_conditions) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        checks_.push_back({spawn([this, name = policy.name, run, condition, done] {
                             check_loop(name, run, condition);
                             done->store(true);
                           }),
                           done});
      }
      if (policy.steady_state) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        checks_.push_back({spawn([this, name = policy.name, run, steady = *policy.steady_state,
                                  counters = controller_.probe_counters(policy), done]() mutable {
                             recovery_loop(name, run, steady, std::move(counters));
                             done->store(true);
                           }),
                           done});
      }
    } catch (const std::system_error& e) {
      failure = e.what();
    }
  }
  if (failure.empty()) return {};
  // The threads already started see the run end and stop with it.
  const std::string reason = "cannot watch its stop conditions: " + failure;
  (void)controller_.abort(policy.name, run, reason);
  return make_error(EAGAIN, "experiment {} aborted: {}", policy.name, reason);
}

void Watchdog::recovery_loop(const std::string& name, std::uint64_t run, const policy::SteadyState& steady,
                             ProbeCounters counters) {
  while (controller_.get(name, run)) {
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stopping_; })) return;
  }
  // The run's final counts, for probes on what it injected (absent if a later run replaced it:
  // record_recovery drops the line then anyway).
  if (auto report = controller_.report(name); report && report->view.run == run)
    counters.final_view = report->view;
  controller_.record_recovery(name, run, await_recovery(steady, counters, stop_flag_));
}

std::optional<checks::CheckResult> Watchdog::check_once(const std::string& name, std::uint64_t run,
                                                        const policy::StopCondition& condition,
                                                        RunCount& kernel_count) {
  auto view = controller_.get(name, run);
  if (!view) return std::nullopt;
  const auto* counter = std::get_if<policy::CounterCheck>(&condition.check);
  if (counter != nullptr && counter->metric == policy::CounterCheck::Metric::tcp_retransmits) {
    // The kernel's count runs on across experiments on the same cgroup: this run's are those
    // since its first check (made as it starts).
    auto count = controller_.read_run_targets(name, run, count_retransmits);
    if (!count) {
      if (!controller_.get(name, run)) return std::nullopt; // it ended meanwhile
      return checks::CheckResult{false, "cannot count TCP retransmits: " + count.error().message, 0};
    }
    return check_retransmits(*counter, kernel_count.add(*count));
  }
  if (counter != nullptr) return check_counter(*counter, *view);
  return checks::run_external(condition.check);
}

void Watchdog::check_loop(const std::string& name, std::uint64_t run,
                          const policy::StopCondition& condition) {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::nanoseconds(condition.interval_ns);
  std::uint32_t failed = 0;
  auto next = Clock::now(); // the first check at once: a service already unhealthy is not a test
  RunCount kernel_count;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    // On a fixed rate; a check slower than the interval starts the next one at once.
    next = std::max(next + interval, Clock::now());
    auto result = check_once(name, run, condition, kernel_count);
    if (!result) return; // the experiment ended: nothing left to protect
    controller_.record_check(name, run, {wall_ms(), condition.name, result->healthy, result->took_ns / 1000});
    failed = result->healthy ? 0 : failed + 1;
    if (failed < condition.failures) continue;
    std::string reason = fmt::format("stop condition '{}' breached: {}", condition.name, result->detail);
    if (condition.failures > 1) reason += fmt::format(" ({} failed checks in a row)", failed);
    (void)controller_.abort(name, run, reason); // logged and journaled there; ENOENT: it ended first
    return;
  }
}

} // namespace faultline::lifecycle
