// The typed form of a faultline/v1 Experiment file. Everything here is validated: a Policy that
// exists is well-formed (units parsed, ranges checked, names known). No kernel access.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
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

enum class Direction { egress, ingress, both };
enum class Protocol { any, tcp, udp, icmp };

struct PortRange {
  std::uint16_t min = 0; // 0/0 = any
  std::uint16_t max = 0;
};

// Bursty loss (network.loss: {model: gilbert-elliott, ...}): a two-state Markov chain per target.
struct GilbertElliott {
  double p = 0;    // good -> bad, per packet
  double r = 1;    // bad -> good, per packet
  double bad = 1;  // loss in the bad state
  double good = 0; // loss in the good state
};

// network.dns: queries for these names (UDP to port 53) are dropped, delayed or answered with a
// failure (NXDOMAIN, SERVFAIL) in place of the server.
struct DnsFault {
  enum class Action { drop, delay, nxdomain, servfail };
  std::vector<std::string> names; // lowercase, no trailing dot; "*.x.y" = any name under x.y
  Action action = Action::drop;
  std::uint64_t delay_ns = 0; // action delay
};

struct NetworkFault {
  Direction direction = Direction::egress;
  std::optional<double> loss; // fraction 0..1 (Bernoulli)
  std::optional<GilbertElliott> loss_model;
  bool blackhole = false; // 100% drop
  std::optional<std::uint64_t> delay_ns;
  std::optional<std::uint64_t> jitter_ns;
  std::optional<std::uint64_t> connect_delay_ns; // only the SYN of each new TCP connection
  std::optional<std::uint64_t> rate_bps;
  std::optional<double> corrupt;
  bool corrupt_breaks_checksum = false; // corrupt: {checksum: broken}: the receiver's stack drops it
  std::optional<double> duplicate;
  std::optional<DnsFault> dns;
  Protocol protocol = Protocol::any;
  std::optional<Cidr> peer;
  PortRange port;
};

// One errno of a weighted mix (`errno: {EIO: 70%, ENOSPC: 30%}`); `errno: EIO` is a mix of one.
// The weights of a mix sum to 1: each injected call fails with one of them.
struct ErrnoChoice {
  int err = 0; // positive errno
  double weight = 1;
};
using ErrnoMix = std::vector<ErrnoChoice>;

enum class FileOp { open, read, write, mmap, truncate, unlink, rename, mkdir };
const char* file_op_name(FileOp op);
std::optional<FileOp> file_op_from_name(std::string_view name);
struct FileFault {
  std::string path; // absolute prefix
  std::vector<FileOp> ops;
  ErrnoMix errs;
};

// Open flags a syscall filter selects (`flags: [O_WRONLY, O_CREAT]`): a call matches when its
// access mode is one of `accmodes` or it carries any of `bits`.
struct OpenFlagsFilter {
  std::uint32_t accmodes = 0; // bit (1 << mode) for O_RDONLY (0), O_WRONLY (1), O_RDWR (2)
  std::uint32_t bits = 0;     // O_CREAT, O_TRUNC, O_APPEND...
};

struct SyscallFault {
  std::vector<std::string> names; // `name: fsync` or `name: [fsync, fdatasync]`
  ErrnoMix errs;
  std::optional<OpenFlagsFilter> flags; // open, openat
  std::optional<Cidr> peer;             // connect, bind, sendto, sendmsg
  PortRange port;
  std::string path; // prefix of the path argument as written (syscall_path_arg); empty = any
};
// Longest syscall `path:` prefix, in bytes: the rule's buffer in the kernel ABI (FL_SYS_PATH_MAX,
// NUL included; abi_check.cpp holds the two equal).
inline constexpr std::size_t kSyscallPathMax = 123;

// process: either a signal on a syscall, or the whole target frozen (cgroup.freeze) for a while.
struct ProcessFault {
  int signal = 0;              // 0 for a freeze
  std::string on_syscall;      // the signal is sent when the target enters this syscall
  std::uint64_t freeze_ns = 0; // freeze: the target cgroup frozen this long from the fault's start
};

// resource: limits written into the target cgroup's own cgroup v2 knobs (cpu.max, memory.high,
// io.max) for the experiment, the old values put back exactly afterwards.
struct CpuMax { // cpu.max "QUOTA PERIOD", in microseconds
  std::uint64_t quota_us = 0;
  std::uint64_t period_us = 100000;
};
struct IoMax {                               // io.max, for one block device
  std::string device;                        // "MAJ:MIN" or an absolute path; resolved at apply
  std::optional<std::uint64_t> rbps, wbps;   // bytes per second
  std::optional<std::uint64_t> riops, wiops; // operations per second
};
struct ResourceFault {
  std::optional<CpuMax> cpu;
  std::optional<std::uint64_t> memory_high; // memory.high, bytes
  std::optional<IoMax> io;
};

using FaultSpec = std::variant<NetworkFault, FileFault, SyscallFault, ProcessFault, ResourceFault>;

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
  FaultSpec spec;
  Trigger trigger;
};

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

const char* family_name(const FaultSpec& spec);

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
