#include "observe/metrics.hpp"

#include <fmt/format.h>

#include <array>

namespace faultline::observe {
namespace {

// A label value as the exposition format wants it: backslash, double quote and newline escaped.
std::string label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// Every state an experiment can be in: one series each, 1 for the current one (the enum
// pattern, so a query need not know which states exist).
constexpr std::array<const char*, 4> kStates = {"running", "completed", "stopped", "aborted"};

} // namespace

std::string prometheus_text(const std::vector<ExperimentView>& views, const KernelCounters& kernel) {
  std::string out;
  auto per_fault = [&](std::string_view name, std::string_view help, std::uint64_t FaultCounters::*value) {
    header(out, name, "counter", help);
    for (const auto& v : views)
      for (const auto& f : v.faults)
        out += fmt::format("{}{{experiment=\"{}\",fault=\"{}\",family=\"{}\"}} {}\n", name, label(v.name),
                           label(f.name), label(f.family), f.*value);
  };
  per_fault("faultline_matched_total",
            "Calls or packets a fault's rules matched (its trigger then picked which to inject).",
            &FaultCounters::matched);
  per_fault("faultline_injected_total", "Faults injected (in a dry run: that would have been).",
            &FaultCounters::injected);
  per_fault("faultline_unapplied_total",
            "Matched where the fault could not be made, so not injected (a delayed packet on a device "
            "without faultline's qdisc).",
            &FaultCounters::unapplied);
  header(out, "faultline_experiment_state", "gauge",
         "1 for the state the experiment is in, 0 for the others.");
  for (const auto& v : views)
    for (const char* s : kStates)
      out += fmt::format("faultline_experiment_state{{experiment=\"{}\",state=\"{}\"}} {}\n", label(v.name),
                         s, v.state == s ? 1 : 0);
  header(out, "faultline_experiment_dry_run", "gauge", "1 when the experiment injects nothing, only counts.");
  for (const auto& v : views)
    out += fmt::format("faultline_experiment_dry_run{{experiment=\"{}\"}} {}\n", label(v.name),
                       v.dry_run ? 1 : 0);
  header(out, "faultline_experiment_remaining_seconds", "gauge",
         "Time left before the experiment's deadline.");
  for (const auto& v : views)
    out += fmt::format("faultline_experiment_remaining_seconds{{experiment=\"{}\"}} {:.3f}\n", label(v.name),
                       static_cast<double>(v.remaining_ms) / 1000.0);
  header(out, "faultline_events_dropped_total", "counter",
         "Injection events the kernel did not deliver (ring buffer full or over the rate limit).");
  out += fmt::format("faultline_events_dropped_total {}\n", kernel.events_dropped);
  header(out, "faultline_deadline_expired_total", "counter",
         "Matching calls or packets after a rule's deadline, left alone (inert rules still loaded).");
  out += fmt::format("faultline_deadline_expired_total {}\n", kernel.deadline_expired);
  header(out, "faultline_hook_mismatch_total", "counter",
         "Calls a syscall program left alone because its hook's arguments differ on this kernel.");
  out += fmt::format("faultline_hook_mismatch_total {}\n", kernel.hook_mismatch);
  return out;
}

} // namespace faultline::observe
