// Prometheus text exposition (format 0.0.4) of what `faultline status` shows: per fault, the
// calls or packets its rules matched and the faults injected, each experiment's state, and the
// kernel side's own counters (events dropped, calls past a deadline, hooks left alone). Served
// by faultlined --metrics; rendered from the same views as the API, so the two always agree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "observe/experiment_view.hpp"

namespace faultline::observe {

// The BPF programs' global counters (include/faultline/abi.h fl_global_stat), summed over CPUs.
struct KernelCounters {
  std::uint64_t events_dropped = 0;   // injection events not delivered: ring full or rate-limited
  std::uint64_t deadline_expired = 0; // matching calls after a rule's deadline (inert rules)
  std::uint64_t hook_mismatch = 0;    // calls left alone: the hook's arguments differ here
};

std::string prometheus_text(const std::vector<ExperimentView>& views, const KernelCounters& kernel);

} // namespace faultline::observe
