// The typed form of a faultline/v1 Experiment file. Everything here is validated: a Policy that
// exists is well-formed (units parsed, ranges checked, names known). No kernel access.
#pragma once

#include <any>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace faultline::policy {

struct Location {
  int line = 0; // 1-based; 0 = unknown
  int column = 0;
};

struct Cidr {
  int family = 4;                      // 4 or 6
  std::array<std::uint8_t, 16> addr{}; // network byte order; IPv4 in the first 4 bytes
  std::uint8_t prefix = 32;            // bits
  std::uint32_t v4() const {           // IPv4 address in host byte order
    return std::uint32_t{addr[0]} << 24 | std::uint32_t{addr[1]} << 16 | std::uint32_t{addr[2]} << 8 |
           addr[3];
  }
};

struct PortRange {
  std::uint16_t min = 0; // 0/0 = any
  std::uint16_t max = 0;
};

// One errno of a weighted mix (`errno: {EIO: 70%, ENOSPC: 30%}`); `errno: EIO` is a mix of one.
// The weights of a mix sum to 1: each injected call fails with one of them.
struct ErrnoChoice {
  int err = 0; // positive errno
  double weight = 1;
};
using ErrnoMix = std::vector<ErrnoChoice>;

struct Trigger {
  std::optional<double> probability; // fraction 0..1; unset = always
  std::uint32_t every = 0;
  std::uint32_t after = 0;
  std::uint32_t times = 0;
  std::uint64_t start_ns = 0; // offset from the experiment's start
};

struct Fault {
  std::string name;
  Location location;
  std::string family; // the key of its section: "network"
  // That section as its family parsed it (userspace/faults/<family>/<family>_spec.hpp): the core
  // carries it and never reads it.
  std::any spec;
  Trigger trigger;
};

// The family's type of a fault's section. Only a family reads its own faults (the engine hands
// a family nothing else), so another type is a bug, not an input error.
template <typename Spec> const Spec* spec_if(const Fault& fault) {
  return std::any_cast<Spec>(&fault.spec); // nullptr: another family's fault
}
template <typename Spec> const Spec& spec_of(const Fault& fault) {
  const auto* spec = spec_if<Spec>(fault);
  if (spec == nullptr)
    throw std::logic_error("fault '" + fault.name + "' is not a " + fault.family + " fault here");
  return *spec;
}

struct TargetSpec {
  // interface: every packet of a network device (host-level drills), not a cgroup.
  enum class Kind { cgroup, pid, systemd, container, interface };
  Kind kind = Kind::cgroup;
  std::string value;
  Location location;
};

struct Selection {
  enum class Mode { all, count, percent };
  Mode mode = Mode::all;
  std::uint32_t value = 0;
};

// spec.safety: what the policy author explicitly opts into. The guard refuses host-wide targets
// (the root cgroup, init, kernel threads, the daemon's own ancestry) unless allow_host_wide.
struct Safety {
  bool allow_host_wide = false;
  Location location; // of spec.safety.allowHostWide, for messages
};

// A check of the system under test (spec.stopConditions): it holds or it does not. HTTP and
// command checks look at the service from outside; a counter check reads faultline's own counts.
struct HttpCheck {
  std::string url;                  // http://HOST[:PORT]/PATH (no TLS)
  int status = 200;                 // the status that means healthy
  std::uint64_t max_latency_ns = 0; // slower than this is a failure too; 0 = only the timeout
  std::uint64_t timeout_ns = 0;     // no answer within it is a failure
};
struct CommandCheck {
  std::string command;          // run with /bin/sh -c as faultlined's user; exit 0 = healthy
  std::uint64_t timeout_ns = 0; // still running then: killed, a failure
};
struct CounterCheck {
  // injected, matched: faultline's own counts; tcp_retransmits: the targets' TCP retransmits
  // (from the kernel's tcp_retransmit_skb tracepoint): in a stop condition since the experiment
  // started, in a steady-state probe over the last window_ns.
  enum class Metric { injected, matched, tcp_retransmits };
  Metric metric = Metric::injected;
  std::string fault; // a fault of this experiment; empty = the sum over its faults (not for tcp_retransmits)
  std::optional<std::uint64_t> min; // steady-state injected/matched: the run's final count is at least this
  std::uint64_t max = 0;            // holds while the count is at most this
  std::uint64_t window_ns = 0;      // steady-state tcp_retransmits: the sliding window counted
};
// A PromQL query against a Prometheus server (what platform teams already alert on): healthy
// while every sample it returns lies within [min, max].
struct PrometheusCheck {
  std::string url;           // http://HOST[:PORT][/PREFIX] of the server (no TLS)
  std::string query;         // PromQL; an instant query at the time of the check
  std::optional<double> min; // at least one of min and max
  std::optional<double> max;
  bool empty_healthy = false;   // a query with no samples: healthy only if ifEmpty: healthy
  std::uint64_t timeout_ns = 0; // no answer within it is a failure
};
using CheckSpec = std::variant<HttpCheck, CommandCheck, CounterCheck, PrometheusCheck>;

struct StopCondition {
  std::string name; // for reports and the journal; defaults to its kind and index
  Location location;
  CheckSpec check;
  std::uint64_t interval_ns = 0; // checked this often while the experiment runs
  std::uint32_t failures = 1;    // consecutive failed checks that abort the experiment
};

// spec.steadyState: the hypothesis. Every probe must hold before anything is injected (else the
// experiment does not start), and again within recovery_timeout_ns once it has ended.
struct SteadyState {
  std::vector<StopCondition> probes; // interval and failures unused
  std::uint64_t recovery_timeout_ns = 0;
  Location location;
};

struct Policy {
  std::string file; // where it came from, for messages
  std::string name;
  std::map<std::string, std::string> labels;
  std::uint64_t duration_ns = 0;
  std::vector<TargetSpec> targets;
  Selection selection;
  std::vector<Fault> faults;
  Safety safety;
  bool dry_run = false;
  std::vector<StopCondition> stop_conditions; // any one breached aborts the experiment
  std::optional<SteadyState> steady_state;
};

// The policy key of a target kind: "cgroup", "pid", "systemd", "container", "interface".
inline const char* target_kind_name(TargetSpec::Kind kind) {
  switch (kind) {
  case TargetSpec::Kind::cgroup: return "cgroup";
  case TargetSpec::Kind::pid: return "pid";
  case TargetSpec::Kind::systemd: return "systemd";
  case TargetSpec::Kind::container: return "container";
  case TargetSpec::Kind::interface: return "interface";
  }
  return "target";
}

} // namespace faultline::policy
