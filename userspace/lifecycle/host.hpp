// Everything the controller needs from the machine, behind one interface: the real one drives
// the kernel (kernel_host.cpp); tests substitute a fake and observe every call.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/compiled_rules.hpp"
#include "engine/compiler.hpp"
#include "engine/target.hpp"
#include "faultline/abi.h"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// An attached program, or changes made on a target; detached or put back when destroyed.
class Attachment {
public:
  virtual ~Attachment() = default;
  // What it changed, one line each (for views and reports); empty for a program.
  virtual std::vector<std::string> describe() const { return {}; }
};

// What the safety guard needs to know about a resolved target's subtree.
struct TargetFacts {
  bool root = false;       // the hierarchy's root: every process on the host
  bool holds_init = false; // pid 1 lives in the subtree
  bool holds_self = false; // this daemon (or exec) lives in the subtree
  int kernel_thread = 0;   // a kernel thread of the subtree (0 = none)
};

// Host::attach's error code when the backend it was given could not load its programs (the
// kernel refused them on first use) and backends() has changed since: compile again.
inline constexpr int kBackendsChanged = ESTALE;

class Host {
public:
  virtual ~Host() = default;
  // The fault backends and whether this kernel can run each (from the feature probes).
  virtual const engine::BackendRegistry& backends() = 0;
  virtual Result<std::vector<engine::Target>> resolve(const policy::TargetSpec& target) = 0;
  virtual Result<TargetFacts> inspect(const engine::Target& target) = 0;
  // Attaches `backend`'s program for `hook`: to `target` for per-target backends, once for the
  // host for global ones (target ignored). Fails with kBackendsChanged when the backend turned
  // out unusable on first use and backends() no longer offers it.
  virtual Result<std::unique_ptr<Attachment>>
  attach(const engine::Backend& backend, const engine::Target& target, fl_hook hook, std::uint32_t sub) = 0;
  // Writes a backend's settings on its target (engine::TargetChange: cgroup knobs); the result
  // puts the old values back when destroyed. `holder` names the experiment and fault for
  // conflicts. A dry run checks everything and changes nothing.
  virtual Result<std::unique_ptr<Attachment>> change(const engine::TargetChange& change,
                                                     const std::string& holder, bool dry_run) = 0;
  virtual Status apply(const engine::CompiledRules& rules) = 0;
  virtual Status disarm() = 0;
  virtual Result<fl_rule_stats> rule_stats(std::uint32_t rule_id) = 0;
  virtual std::uint64_t now_ns() = 0; // CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns
};

} // namespace faultline::lifecycle
