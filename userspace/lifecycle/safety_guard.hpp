// The blast-radius guard: sits between target resolution and compilation and refuses targets
// whose faults would reach further than a policy author can mean by accident: the root cgroup,
// init, kernel threads, the daemon itself (its cgroup and every ancestor), cgroups the operator
// protected, and more targets than the operator allows. The host-wide ones pass only with the
// policy's explicit spec.safety.allowHostWide; protected cgroups and the cap never do.
#pragma once

#include <vector>

#include "engine/target.hpp"
#include "lifecycle/host.hpp"
#include "lifecycle/safety.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

class SafetyGuard {
public:
  SafetyGuard(Host& host, const SafetyOptions& options) : host_(host), options_(options) {}

  // OK, or the first refusal as "file:line:col: target 'SPEC': why". Reads only; changes nothing.
  Status check(const policy::Policy& policy, const std::vector<engine::Target>& selected);

private:
  Status check_protected(const policy::Policy& policy, const engine::Target& target);
  Status check_host_wide(const policy::Policy& policy, const engine::Target& target);

  Host& host_;
  const SafetyOptions& options_;
};

} // namespace faultline::lifecycle
