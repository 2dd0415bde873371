// The backends this kernel offers, in preference order within each family (the families' own
// order of their backends), each with whether it can run here and why not. Routing a fault is
// data: the first backend of the fault's family that can express it and runs here serves it;
// when none does, the refusal gives every candidate's reason.
#pragma once

#include <string_view>
#include <vector>

#include "engine/backend.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::engine {

class BackendRegistry {
public:
  struct Entry {
    const Backend* backend;
    Availability availability;
  };

  // The order of adds is the order of preference.
  void add(const Backend& backend, Availability availability);
  const std::vector<Entry>& entries() const { return entries_; }
  const Backend* find(std::string_view name) const;
  // The first available backend of the fault's family and target kind that can express it;
  // else EOPNOTSUPP with every candidate's reason.
  Result<const Backend*> choose(const policy::Fault& fault, TargetKind kind = TargetKind::cgroup) const;

private:
  std::vector<Entry> entries_;
};

} // namespace faultline::engine
