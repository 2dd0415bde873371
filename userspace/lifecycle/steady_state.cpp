#include "lifecycle/steady_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <utility>

#include "checks/run_check.hpp"
#include "lifecycle/run_count.hpp"
#include "util/clock.hpp"

namespace faultline::lifecycle {
namespace {

using policy::CounterCheck;

const CounterCheck* retransmits_probe(const policy::StopCondition& probe) {
  const auto* c = std::get_if<CounterCheck>(&probe.check);
  return c != nullptr && c->metric == CounterCheck::Metric::tcp_retransmits ? c : nullptr;
}

const CounterCheck* final_count_probe(const policy::StopCondition& probe) {
  const auto* c = std::get_if<CounterCheck>(&probe.check);
  return c != nullptr && c->metric != CounterCheck::Metric::tcp_retransmits ? c : nullptr;
}

bool has_retransmits_probe(const policy::SteadyState& steady) {
  return std::any_of(steady.probes.begin(), steady.probes.end(),
                     [](const auto& p) { return retransmits_probe(p) != nullptr; });
}

// The targets' retransmits as (time, count since the first reading) samples: a window's count
// is the newest sample's less the newest one at least a window older.
class RetransmitSamples {
public:
  explicit RetransmitSamples(const ProbeCounters& counters) : counters_(counters) {}

  // Takes a sample; the error says why the count cannot be read.
  Status sample() {
    if (!counters_.tcp_retransmits) return make_error(EOPNOTSUPP, "nothing counts them here");
    auto reading = counters_.tcp_retransmits();
    if (!reading) return reading.error();
    samples_.emplace_back(monotonic_ns(), count_.add(*reading));
    return {};
  }

  // The count over the last `window_ns`, or nullopt while the samples span less than that.
  std::optional<std::uint64_t> over(std::uint64_t window_ns) const {
    if (samples_.empty()) return std::nullopt;
    const auto& [now, newest] = samples_.back();
    for (auto it = samples_.rbegin(); it != samples_.rend(); ++it)
      if (now - it->first >= window_ns) return newest - it->second;
    return std::nullopt;
  }

  std::uint64_t since_first() const {
    return samples_.empty() ? 0 : samples_.back().second - samples_.front().second;
  }
  std::uint64_t spanned_ns() const {
    return samples_.empty() ? 0 : samples_.back().first - samples_.front().first;
  }

  // Forgets what no window needs any more (the longest window is `keep_ns`).
  void trim(std::uint64_t keep_ns) {
    while (samples_.size() > 2 && samples_.back().first - samples_[1].first >= keep_ns)
      samples_.pop_front();
  }

private:
  const ProbeCounters& counters_;
  RunCount count_;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> samples_;
};

std::string failed(const policy::StopCondition& probe, const std::string& detail) {
  return fmt::format("probe '{}': {}", probe.name, detail);
}

std::string too_many(const CounterCheck& c, std::uint64_t n) {
  return fmt::format("TCP retransmits {} in {:g} s > max {}", n, static_cast<double>(c.window_ns) / 1e9,
                     c.max);
}

// A tcpRetransmits probe against the samples; nullopt while its window is not yet covered.
std::optional<checks::CheckResult> retransmits_within_window(const CounterCheck& c,
                                                             const RetransmitSamples& samples) {
  const auto n = samples.over(c.window_ns);
  if (!n) return std::nullopt;
  if (*n <= c.max) return checks::CheckResult{true, "", 0};
  return checks::CheckResult{false, too_many(c, *n), 0};
}

// A probe on the run's final count; nullopt when it held.
std::optional<std::string> check_final_count(const policy::StopCondition& probe, const CounterCheck& c,
                                             const observe::ExperimentView& view) {
  const bool injected = c.metric == CounterCheck::Metric::injected;
  std::uint64_t count = 0;
  for (const auto& f : view.faults)
    if (c.fault.empty() || f.name == c.fault) count += injected ? f.injected : f.matched;
  const std::string what = fmt::format("{} {}{}", injected ? "injected" : "matched", count,
                                       c.fault.empty() ? "" : " by " + c.fault);
  if (c.min && count < *c.min) return failed(probe, fmt::format("{}, below min {}", what, *c.min));
  if (count > c.max) return failed(probe, fmt::format("{}, above max {}", what, c.max));
  return std::nullopt;
}

std::uint64_t longest_window(const policy::SteadyState& steady) {
  std::uint64_t longest = 0;
  for (const auto& p : steady.probes)
    if (const auto* c = retransmits_probe(p)) longest = std::max(longest, c->window_ns);
  return longest;
}

} // namespace

ProbeOutcome check_probes(const policy::SteadyState& steady, const ProbeCounters& counters) {
  RetransmitSamples samples(counters);
  // The windows open first, so they are counted while the other probes run.
  if (has_retransmits_probe(steady))
    if (auto st = samples.sample(); !st)
      for (const auto& p : steady.probes)
        if (retransmits_probe(p) != nullptr)
          return {false, failed(p, "cannot count TCP retransmits: " + st.error().message)};
  for (const auto& probe : steady.probes) {
    if (std::holds_alternative<CounterCheck>(probe.check)) continue;
    const auto r = checks::run_external(probe.check);
    if (!r.healthy) return {false, failed(probe, r.detail)};
  }
  for (const auto& probe : steady.probes) {
    const auto* c = retransmits_probe(probe);
    if (c == nullptr) continue;
    std::optional<checks::CheckResult> r;
    while (!(r = retransmits_within_window(*c, samples))) {
      // A count only grows: past the max within the window, it fails now, not at the window's end.
      if (samples.since_first() > c->max) {
        r = checks::CheckResult{false, too_many(*c, samples.since_first()), 0};
        break;
      }
      const std::uint64_t due = c->window_ns - std::min(c->window_ns, samples.spanned_ns());
      std::this_thread::sleep_for(
          std::chrono::nanoseconds(std::clamp<std::uint64_t>(due, 1'000'000, 100'000'000)));
      if (auto st = samples.sample(); !st)
        return {false, failed(probe, "cannot count TCP retransmits: " + st.error().message)};
    }
    if (!r->healthy) return {false, failed(probe, r->detail)};
  }
  return {true, ""};
}

std::string await_recovery(const policy::SteadyState& steady, const ProbeCounters& counters,
                           const std::atomic<bool>& stop) {
  // A final count never changes: no point waiting for it.
  for (const auto& probe : steady.probes)
    if (const auto* c = final_count_probe(probe)) {
      if (!counters.final_view) return "not known: the run's final counts are gone (" + probe.name + ")";
      if (auto miss = check_final_count(probe, *c, *counters.final_view))
        return "not held after the run: " + *miss;
    }
  constexpr std::uint64_t kRoundNs = 200'000'000;
  const std::uint64_t start = monotonic_ns();
  const std::uint64_t keep = longest_window(steady);
  RetransmitSamples samples(counters);
  std::string last;
  while (true) {
    std::optional<Status> sampled;
    if (keep > 0) {
      sampled = samples.sample();
      samples.trim(keep);
    }
    ProbeOutcome outcome{true, ""};
    for (const auto& probe : steady.probes) {
      if (final_count_probe(probe) != nullptr) continue;
      if (const auto* c = retransmits_probe(probe)) {
        if (!*sampled) {
          outcome = {false, failed(probe, "cannot count TCP retransmits: " + sampled->error().message)};
          break;
        }
        const auto r = retransmits_within_window(*c, samples);
        if (r && r->healthy) continue;
        outcome = {false, r ? failed(probe, r->detail)
                            : failed(probe, fmt::format("counting TCP retransmits over {:g} s",
                                                        static_cast<double>(c->window_ns) / 1e9))};
        break;
      }
      const auto r = checks::run_external(probe.check);
      if (!r.healthy) {
        outcome = {false, failed(probe, r.detail)};
        break;
      }
    }
    const std::uint64_t elapsed = monotonic_ns() - start;
    if (outcome.held) return fmt::format("recovered in {} ms", elapsed / 1000000);
    last = outcome.detail;
    if (stop.load()) return "not known: faultline shut down before the steady state was back (" + last + ")";
    if (elapsed >= steady.recovery_timeout_ns)
      return fmt::format("not recovered within {} s: {}", steady.recovery_timeout_ns / 1000000000, last);
    // Short naps, so a daemon shutting down is not held for a whole round.
    for (std::uint64_t slept = 0; slept < kRoundNs && !stop.load(); slept += 20'000'000)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace faultline::lifecycle
