// A fault backend, as the engine sees it: it turns one family's faults into rules for the hooks it
// owns (or settings written on targets). This side is pure (no kernel): each backend's kernel
// side (probe, programs, attach) extends it in its family's folder (userspace/faults/<family>/),
// and the engine finds backends through the BackendRegistry, never by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultline/abi.h"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::engine {

// One rule of a fault for one hook (and sub-key). The compiler assigns rule ids and flags.
struct HookRule {
  fl_hook hook;
  std::uint32_t sub = 0;
  fl_rule rule{};
};

// Where the backend's programs attach: to each target cgroup, or once for the whole host (the
// rules then scope them by cgroup ancestry).
enum class AttachScope { per_target, global };

// What a backend's rules are scoped to: a cgroup (and its descendants) or a network device.
enum class TargetKind { cgroup, interface };

// A value a backend writes on each target itself instead of a rule for BPF (a cgroup knob such
// as cpu.max): made when the experiment starts, the old value put back when it ends.
struct Setting {
  std::string knob;   // what is changed: "cpu.max", "memory.high", "io.max"
  std::string value;  // what is written ("20000 100000"); for io.max the limits after the device
  std::string device; // io.max only: the block device as the policy names it, resolved at apply
  // When it holds, as offsets from the experiment's start: [from_ns, until_ns), until_ns 0 = to
  // the experiment's end (a freeze from trigger.start for its duration). A window that opens
  // after the start or closes before the end is made and put back on the controller's tick.
  std::uint64_t from_ns = 0;
  std::uint64_t until_ns = 0;
  bool operator==(const Setting&) const = default;
};

struct Availability {
  bool available = false;
  std::string reason; // why not (what to change), or how it was confirmed
};

struct BuildContext {
  std::uint64_t start_ns = 0;    // CLOCK_MONOTONIC of the experiment's start
  std::uint64_t deadline_ns = 0; // inside every rule
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;    // "net.cgroup_skb"
  virtual std::string_view family() const = 0;  // the key of the family it serves: "network"
  virtual std::string_view summary() const = 0; // one line for `faultline doctor`
  virtual AttachScope scope() const = 0;
  virtual TargetKind target_kind() const { return TargetKind::cgroup; }
  // True when each sub-key of a hook needs its own attachment (a kprobe per syscall); else one
  // attachment serves every sub-key of the hook.
  virtual bool attaches_per_sub() const { return false; }
  virtual std::vector<fl_hook> hooks() const = 0; // the hooks its rules use
  // nullopt when the backend can express this fault; else what it cannot do, for the refusal
  // (what this backend lacks, never which other backend serves it: the family's order routes).
  virtual std::optional<std::string> cannot_express(const policy::Fault& fault) const = 0;
  // Only called when cannot_express() is nullopt.
  virtual std::vector<HookRule> compile(const policy::Fault& fault, const BuildContext& ctx) const = 0;
  // What the backend writes on each target itself (none for backends that work through rules).
  // Only called when cannot_express() is nullopt.
  virtual std::vector<Setting> settings(const policy::Fault&) const { return {}; }
};

} // namespace faultline::engine
