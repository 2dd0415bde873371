#include "engine/backend_registry.hpp"

namespace faultline::engine {

void BackendRegistry::add(const Backend& backend, Availability availability) {
  entries_.push_back({&backend, std::move(availability)});
}

const Backend* BackendRegistry::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.backend->name() == name) return e.backend;
  return nullptr;
}

Result<const Backend*> BackendRegistry::choose(const policy::Fault& fault, TargetKind kind) const {
  const std::string& family = fault.family;
  // Backends that could express the fault but cannot run here say the most useful thing (what
  // to change on this host); only when none could express it are those reasons given.
  std::string unavailable;
  std::string inexpressible;
  bool any = false;
  for (const auto& e : entries_) {
    if (e.backend->family() != family || e.backend->target_kind() != kind) continue;
    any = true;
    const std::string name(e.backend->name());
    if (auto cannot = e.backend->cannot_express(fault))
      inexpressible += (inexpressible.empty() ? "" : "; ") + name + ": " + *cannot;
    else if (!e.availability.available)
      unavailable +=
          (unavailable.empty() ? "" : "; ") + name + ": this kernel cannot run it: " + e.availability.reason;
    else
      return e.backend;
  }
  if (!any && kind == TargetKind::interface)
    return make_error(EOPNOTSUPP, "{} faults cannot target a network interface; target a cgroup", family);
  if (!any) return make_error(EOPNOTSUPP, "{} faults are not supported by this faultline release", family);
  return make_error(EOPNOTSUPP, "no backend can inject it here ({})",
                    unavailable.empty() ? inexpressible : unavailable);
}

} // namespace faultline::engine
