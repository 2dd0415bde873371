// spec.steadyState, the experiment's hypothesis: every probe must hold before anything is
// injected (else the experiment does not start), and all must hold together again within the
// recovery timeout once it has ended, however it ended. Probes look from outside (http, command,
// prometheus) or read what faultline counts: the targets' TCP retransmits over a sliding window
// (before and after), and the run's final injected or matched count (after only: before the run
// it is zero; a bound on it says the run injected enough to test the hypothesis at all).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "observe/experiment_view.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// What counter probes read (Controller::probe_counters makes them for a policy).
struct ProbeCounters {
  // The targets' TCP retransmits so far: a count that grows, or begins again from 0 (evicted).
  std::function<Result<std::uint64_t>()> tcp_retransmits;
  // The run's final view (its per-fault counts), once it has ended; empty before it.
  std::optional<observe::ExperimentView> final_view;
};

struct ProbeOutcome {
  bool held = false;
  std::string detail; // the first probe that failed: "probe 'up': GET ...: HTTP 503 ..."
};

// Before the start: every probe once, in order, the first failure being the outcome. A
// tcpRetransmits probe counts over its window (all windows open together, so the check takes the
// longest one); a probe on the run's injected or matched count waits for the run's end.
ProbeOutcome check_probes(const policy::SteadyState& steady, const ProbeCounters& counters);

// After the run: checks the probes every 200 ms until all hold in one round, the recovery
// timeout passes or `stop` becomes true. Returns the report's line: "recovered in 240 ms", "not
// recovered within 30 s: probe 'up': ...", "not held after the run: probe 'x': injected 3, below
// min 100" (a final count never changes: no wait) or, stopped, "not known: ...".
std::string await_recovery(const policy::SteadyState& steady, const ProbeCounters& counters,
                           const std::atomic<bool>& stop);

} // namespace faultline::lifecycle
