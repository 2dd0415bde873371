// The kernel side of a fault backend: whether this kernel can run it (from the cached feature
// probes), the BPF programs it needs loaded, and how they attach. Each backend is one file in its
// family's folder; the family lists its backends in preference order (faults/family.hpp).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/abi_encode.hpp"
#include "engine/backend.hpp"
#include "engine/target.hpp"
#include "kernel/bpf_handles.hpp"
#include "kernel/fault_programs.hpp"
#include "kernel/features.hpp"

namespace faultline::faults {

// What an attach leaves in place (a BPF link, and whatever the backend set up for it, such as fq
// on the target's devices); all of it undone when destroyed.
class Attached {
public:
  virtual ~Attached() = default;
  // What it changed on a target, one line each (settings backends); empty for a program.
  virtual std::vector<std::string> describe() const { return {}; }
  // Called about once a second while it lives: reach what the target gained since the attach
  // (a network namespace one of its processes entered, a device added to one it is in).
  virtual void refresh() {}
};

// The common case: a link and nothing else.
Result<std::unique_ptr<Attached>> hold_link(Result<kernel::Link> link);
// A global program several sub-keys share (read and write both use file_permission): attached
// once while any holder lives, else it would run, and count every call, once per holder.
Result<std::unique_ptr<Attached>> attach_shared(kernel::FaultPrograms& programs, const std::string& program);

class KernelBackend : public engine::Backend {
public:
  virtual engine::Availability probe(kernel::Features& features) const = 0;
  virtual std::vector<std::string> programs() const = 0; // BPF program names to load
  // Of programs(), those `faults` need (`faultline exec`: its one policy is known before the
  // load, and every program verified is start-up time, seconds under emulation). All of them
  // unless the backend has a program per operation or hook and can name the ones used.
  virtual std::vector<std::string> programs_for(const std::vector<policy::Fault>& /*faults*/) const {
    return programs();
  }
  // Of programs(), those loaded only where the kernel has the function they attach to; the
  // backend refuses, when it attaches, a fault whose programs this kernel left out.
  virtual std::vector<std::string> optional_programs() const { return {}; }
  // Per-target backends attach to `target`; global ones ignore it. `sub` is the hook's sub-key
  // (a syscall number) for backends that attach once per sub-key (attaches_per_sub()), else 0.
  virtual Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs,
                                                   const engine::Target& target, fl_hook hook,
                                                   std::uint32_t sub) const = 0;
  // Backends with settings (engine::Backend::settings) write them on `target` here; the result
  // puts the old values back when destroyed. `holder` names the experiment and fault for
  // conflicts; a dry run checks and changes nothing.
  virtual Result<std::unique_ptr<Attached>> change(const engine::Target& target,
                                                   const std::vector<engine::Setting>& settings,
                                                   const std::string& holder, bool dry_run) const;
  // At start-up: undo what a killed earlier process left in place (returns what was restored).
  virtual Result<std::vector<std::string>> recover() const { return std::vector<std::string>{}; }
};

// Appends `program` unless `list` has it already (programs shared by operations load once).
inline void add_program(std::vector<std::string>& list, std::string program) {
  if (std::find(list.begin(), list.end(), program) == list.end()) list.push_back(std::move(program));
}

} // namespace faultline::faults
