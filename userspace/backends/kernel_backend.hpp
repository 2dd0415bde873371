// The kernel side of a fault backend: whether this kernel can run it (from the cached feature
// probes), the BPF programs it needs loaded, and how they attach. Each backend is one file in
// this folder; registry.cpp lists them all, in preference order, and nothing else names one.
#pragma once

#include <string>
#include <vector>

#include "engine/backend.hpp"
#include "engine/target.hpp"
#include "kernel/bpf_handles.hpp"
#include "kernel/fault_programs.hpp"
#include "kernel/features.hpp"

namespace faultline::backends {

class KernelBackend : public engine::Backend {
public:
  virtual engine::Availability probe(kernel::Features& features) const = 0;
  virtual std::vector<std::string> programs() const = 0; // BPF program names to load
  // Per-target backends attach to `target`; global ones ignore it.
  virtual Result<kernel::Link> attach(kernel::FaultPrograms& programs, const engine::Target& target,
                                      fl_hook hook) const = 0;
};

// Every backend, in preference order (the one place a backend is registered).
const std::vector<const KernelBackend*>& all_backends();
const KernelBackend* find_backend(std::string_view name);

// Probes every backend. A supported backend whose hooks an earlier available backend already
// serves is marked unavailable ("preferred: ..."), so only one backend per hook is loaded.
engine::BackendRegistry probe_backends(kernel::Features& features);
// The programs the available backends of `registry` need.
std::vector<std::string> programs_to_load(const engine::BackendRegistry& registry);

} // namespace faultline::backends
