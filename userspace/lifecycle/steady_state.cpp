#include "lifecycle/steady_state.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "checks/run_check.hpp"
#include "util/clock.hpp"

namespace faultline::lifecycle {

ProbeOutcome check_probes(const policy::SteadyState& steady) {
  for (const auto& probe : steady.probes) {
    const auto r = checks::run_external(probe.check);
    if (!r.healthy) return {false, fmt::format("probe '{}': {}", probe.name, r.detail)};
  }
  return {true, ""};
}

std::string await_recovery(const policy::SteadyState& steady, const std::atomic<bool>& stop) {
  constexpr std::uint64_t kRoundNs = 200'000'000;
  const std::uint64_t start = monotonic_ns();
  std::string last;
  while (true) {
    const auto outcome = check_probes(steady);
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
