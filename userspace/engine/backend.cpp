#include "engine/backend.hpp"

#include <algorithm>
#include <cmath>

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
  const std::string family = policy::family_name(fault.spec);
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

std::uint32_t probability_threshold(double probability) {
  if (!(probability > 0.0)) return 0; // also NaN: never
  if (probability >= 1.0) return FL_PROB_ALWAYS;
  // A positive rate below the kernel's 2^-32 step is its smallest step, not 0 (never).
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::floor(probability * 4294967296.0)));
}

fl_trigger make_trigger(const policy::Trigger& t, std::optional<double> probability,
                        const BuildContext& ctx) {
  fl_trigger out{};
  out.start_ns = ctx.start_ns + t.start_ns;
  out.deadline_ns = ctx.deadline_ns;
  out.probability = probability_threshold(probability.value_or(t.probability.value_or(1.0)));
  out.every = t.every;
  out.after = t.after;
  out.times = t.times;
  return out;
}

fl_effect errno_effect(const policy::ErrnoMix& mix) {
  fl_effect e{};
  e.action = FL_ACT_ERRNO;
  double cumulative = 0;
  for (const auto& choice : mix) {
    if (e.nerr == FL_MAX_ERRNOS) break; // the parser allows no more
    cumulative += choice.weight;
    e.errs[e.nerr++] = {choice.err, probability_threshold(cumulative)};
  }
  if (e.nerr > 0) e.errs[e.nerr - 1].threshold = FL_PROB_ALWAYS; // rounding never leaves a gap
  return e;
}

} // namespace faultline::engine
