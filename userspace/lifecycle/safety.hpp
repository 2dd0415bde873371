// Limits the operator sets for every experiment (daemon config, /etc/faultline/faultlined.yaml):
// the safety guard enforces them between target resolution and compilation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faultline::lifecycle {

struct SafetyOptions {
  // Cgroups no experiment may touch: not the cgroup, not a descendant, not an ancestor (a rule
  // on an ancestor reaches it). Absolute paths under the cgroup2 mount, or relative to it.
  std::vector<std::string> protected_cgroups;
  // Most cgroups one experiment may select (after spec.selection).
  std::uint32_t max_targets = 64;
};

} // namespace faultline::lifecycle
