#include "lifecycle/safety_guard.hpp"

namespace faultline::lifecycle {
namespace {

Error refuse(const policy::Policy& p, const engine::Target& t, const std::string& why) {
  return make_error(EPERM, "{}:{}:{}: target '{}': {}", p.file, t.origin.line, t.origin.column, t.spec, why);
}

std::string last_component(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

Status SafetyGuard::check(const policy::Policy& policy, const std::vector<engine::Target>& selected) {
  if (selected.size() > options_.max_targets)
    return make_error(EPERM,
                      "{}: {} cgroups selected, more than the {} faultlined allows in one experiment "
                      "(maxTargets in its config); narrow the targets or the selection",
                      policy.file, selected.size(), options_.max_targets);
  for (const auto& t : selected) {
    if (t.is_interface()) {
      // No cgroup to inspect: every packet of the device, whichever process sends or receives it.
      if (!policy.safety.allow_host_wide)
        return refuse(
            policy, t,
            "an interface target faults every packet of the device, whatever process sends or "
            "receives it (host-wide); if that is really meant, set spec.safety.allowHostWide: true");
      continue;
    }
    if (auto st = check_protected(policy, t); !st) return st;
    if (policy.safety.allow_host_wide) continue;
    if (auto st = check_host_wide(policy, t); !st) return st;
  }
  return {};
}

Status SafetyGuard::check_protected(const policy::Policy& policy, const engine::Target& target) {
  for (const auto& entry : options_.protected_cgroups) {
    auto found = host_.resolve({policy::TargetSpec::Kind::cgroup, entry, {}});
    if (!found) continue; // a protected cgroup that does not exist cannot be hit
    for (const auto& p : *found) {
      const bool hit =
          p.cgroup_id == target.cgroup_id || engine::is_ancestor(target, p) || engine::is_ancestor(p, target);
      if (hit)
        return refuse(
            policy, target,
            "cgroup " + target.path + " is, contains or lies inside " + p.path +
                ", which faultlined's config protects (protectedCgroups); no policy can override that");
    }
  }
  return {};
}

Status SafetyGuard::check_host_wide(const policy::Policy& policy, const engine::Target& target) {
  auto facts = host_.inspect(target);
  if (!facts)
    return refuse(policy, target, "cannot inspect cgroup " + target.path + ": " + facts.error().message);
  std::string why;
  if (facts->root)
    why = "is the root cgroup: a fault there reaches every process on the host";
  else if (facts->holds_init || last_component(target.path) == "init.scope")
    why = "holds init (pid 1): a fault there can take the whole host down";
  else if (facts->kernel_thread != 0)
    why = "holds kernel threads (pid " + std::to_string(facts->kernel_thread) + ")";
  else if (facts->holds_self)
    why = "holds faultline itself (it is faultline's own cgroup or one of its ancestors): the injector "
          "would fault itself and could lose control of the experiment";
  if (why.empty()) return {};
  return refuse(policy, target,
                "cgroup " + target.path + " " + why +
                    "; if that is really meant, set spec.safety.allowHostWide: true");
}

} // namespace faultline::lifecycle
