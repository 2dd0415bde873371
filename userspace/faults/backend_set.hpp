// Every family's backends together: probed on this kernel into an engine::BackendRegistry, and the
// BPF programs the available ones need.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/backend_registry.hpp"
#include "faults/kernel_backend.hpp"
#include "kernel/features.hpp"
#include "policy/policy.hpp"

namespace faultline::faults {

// Every family's backends: families in the registry's order, each family's in its preference order.
const std::vector<const KernelBackend*>& all_backends();
const KernelBackend* find_backend(std::string_view name);

// Probes every backend. A supported backend whose hooks an earlier available backend already
// serves is marked unavailable ("preferred: ..."), so only one backend per hook is loaded.
// `refused`: backends whose programs this kernel would not load (name -> why), unavailable
// whatever the probes say, so the next backend for the same faults takes their place.
engine::BackendRegistry probe_backends(kernel::Features& features,
                                       const std::map<std::string, std::string>& refused = {});
// probe_backends narrowed to what `faults` need on cgroup targets (`faultline exec`: its one
// policy is known before the load, and every program verified is start-up time, seconds under
// emulation): backends of other families are not probed, and of each family only the backends
// its faults choose stay available, so only their programs load. A family with a fault no backend
// can serve keeps every entry as probed, so the refusal still gives every candidate's reason.
engine::BackendRegistry probe_backends_for(kernel::Features& features,
                                           const std::map<std::string, std::string>& refused,
                                           const std::vector<policy::Fault>& faults);
// The available backend of `registry` that loads `program`, or nullptr.
const KernelBackend* backend_loading(const engine::BackendRegistry& registry, const std::string& program);
// The programs the available backends of `registry` need (only those `faults` use, when given),
// and which of them are optional.
std::vector<std::string> programs_to_load(const engine::BackendRegistry& registry,
                                          const std::vector<policy::Fault>* faults = nullptr);
std::vector<std::string> optional_programs_to_load(const engine::BackendRegistry& registry);

} // namespace faultline::faults
