// A fault family, as the core sees it: the one interface through which the core parses a family's
// section of a fault, chooses among its backends, names where its events happen and describes it
// for `faultline doctor`. Each family lives in its own folder (userspace/faults/<family>/, its
// BPF programs in bpf/<family>/) and is listed once, in registry.cpp; it depends on the core only,
// never on another family.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faults/kernel_backend.hpp"
#include "policy/fault_section.hpp"
#include "util/result.hpp"

namespace faultline::faults {

class Family {
public:
  virtual ~Family() = default;
  // Its block in a policy's fault (`network: {...}`): key, parser, trigger checks.
  virtual const policy::FaultSection& section() const = 0;
  std::string_view name() const { return section().key(); }
  // Its backends in order of preference: a fault goes to the first that can express it and runs
  // on this kernel (engine::BackendRegistry::choose); each says what it lacks, never who serves it.
  virtual std::vector<const KernelBackend*> backends() const = 0;
  // Where an injection happened, from the event's hook and sub-key ("net egress", "syscall
  // openat"), for `faultline events`; nullopt for a hook that is not this family's.
  virtual std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t sub) const = 0;
  // What an injection at one of its hooks did, from the event's action and value ("drop",
  // "errno EIO", "signal SIGKILL"); nullopt for an action it never takes.
  virtual std::optional<std::string> describe_effect(std::uint32_t action, std::int32_t value) const = 0;
  // At start-up, after every backend's recover(): housekeeping of what the family keeps across
  // processes (a ledger rewritten with only what is still held).
  virtual Status after_recovery() const { return {}; }
};

} // namespace faultline::faults
