// spec.steadyState, the experiment's hypothesis checked from outside: every probe must hold
// before anything is injected (else the experiment does not start), and all must hold together
// again within the recovery timeout once it has ended, however it ended.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "policy/policy.hpp"

namespace faultline::lifecycle {

struct ProbeOutcome {
  bool held = false;
  std::string detail; // the first probe that failed: "probe 'up': GET ...: HTTP 503 ..."
};

// Every probe once, in order; the first failure is the outcome.
ProbeOutcome check_probes(const policy::SteadyState& steady);

// Checks the probes every 200 ms until all hold in one round, the recovery timeout passes or
// `stop` becomes true. Returns the report's line: "recovered in 240 ms", "not recovered within
// 30 s: probe 'up': ..." or, stopped, "not known: ...".
std::string await_recovery(const policy::SteadyState& steady, const std::atomic<bool>& stop);

} // namespace faultline::lifecycle
