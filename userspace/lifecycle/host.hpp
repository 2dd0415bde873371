// Everything the controller needs from the machine, behind one interface: the real one drives
// the kernel (kernel_host.cpp); tests substitute a fake and observe every call.
#pragma once

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
  // Reaches what the target gained since the attach (the controller's tick, about once a
  // second): the network devices of a namespace a process entered after the start.
  virtual void refresh() {}
};

// What the safety guard needs to know about a resolved target's subtree.
struct TargetFacts {
  bool root = false;       // the hierarchy's root: every process on the host
  bool holds_init = false; // pid 1 lives in the subtree
  bool holds_self = false; // this daemon (or exec) lives in the subtree
  int kernel_thread = 0;   // a kernel thread of the subtree (0 = none)
};

class Host {
public:
  virtual ~Host() = default;
  // The fault backends and whether this kernel can run each (from the feature probes).
  virtual const engine::BackendRegistry& backends() = 0;
  virtual Result<std::vector<engine::Target>> resolve(const policy::TargetSpec& target) = 0;
  virtual Result<TargetFacts> inspect(const engine::Target& target) = 0;
  // Changes whenever backends() does: a backend whose programs the kernel refused when they
  // first loaded is no longer offered, and what was compiled for it must be compiled again.
  virtual std::uint64_t backends_generation() const { return 0; }
  // Loads the programs `policy`'s faults need, before the controller takes its lock: the
  // verifier can take long (seconds under emulation), and nothing else should wait on it.
  // Failures are left to compile and attach, which report them against the policy.
  virtual void prepare(const policy::Policy& /*policy*/) {}
  // Attaches `backend`'s program for `hook`: to `target` for per-target backends, once for the
  // host for global ones (target ignored).
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
  // TCP retransmits of the sockets in `target`'s subtree since it was first asked about (the
  // first call starts counting and returns 0): `counter: {metric: tcpRetransmits}` conditions.
  virtual Result<std::uint64_t> tcp_retransmits(const engine::Target& target) = 0;
};

} // namespace faultline::lifecycle
