#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "faults/backend_set.hpp"
#include "faults/registry.hpp"

namespace faultline::faults {

const std::vector<const KernelBackend*>& all_backends() {
  static const std::vector<const KernelBackend*> kAll = [] {
    std::vector<const KernelBackend*> out;
    for (const auto* family : families())
      for (const auto* b : family->backends())
        out.push_back(b);
    return out;
  }();
  return kAll;
}

const KernelBackend* find_backend(std::string_view name) {
  for (const auto* b : all_backends())
    if (b->name() == name) return b;
  return nullptr;
}

engine::BackendRegistry probe_backends(kernel::Features& features,
                                       const std::map<std::string, std::string>& refused) {
  engine::BackendRegistry registry;
  std::vector<std::pair<fl_hook, std::string_view>> served; // hook -> backend serving it
  for (const auto* b : all_backends()) {
    auto why = refused.find(std::string(b->name()));
    engine::Availability a =
        why != refused.end() ? engine::Availability{false, why->second} : b->probe(features);
    if (a.available) {
      const auto hooks = b->hooks();
      auto first = std::find_if(served.begin(), served.end(), [&](const auto& s) {
        return std::find(hooks.begin(), hooks.end(), s.first) != hooks.end();
      });
      if (first != served.end()) {
        a = {false,
             "supported here, but " + std::string(first->second) + " is preferred for the same faults"};
      } else {
        for (auto h : hooks)
          served.emplace_back(h, b->name());
      }
    }
    registry.add(*b, std::move(a));
  }
  return registry;
}

engine::BackendRegistry probe_backends_for(kernel::Features& features,
                                           const std::map<std::string, std::string>& refused,
                                           const std::vector<policy::Fault>& faults) {
  std::set<std::string> wanted; // the families of the policy's faults
  for (const auto& f : faults)
    wanted.insert(f.family);
  auto skipped = refused;
  for (const auto* b : all_backends())
    if (!wanted.count(std::string(b->family())))
      skipped.emplace(b->name(), fmt::format("not loaded: the policy has no {} faults", b->family()));
  const auto probed = probe_backends(features, skipped);
  std::set<std::string> chosen;
  std::set<std::string> unserved; // families with a fault no backend serves
  for (const auto& f : faults) {
    if (auto b = probed.choose(f, engine::TargetKind::cgroup))
      chosen.insert(std::string((*b)->name()));
    else
      unserved.insert(f.family);
  }
  engine::BackendRegistry out;
  for (const auto& e : probed.entries()) {
    const bool keep = !e.availability.available || chosen.count(std::string(e.backend->name())) ||
                      unserved.count(std::string(e.backend->family()));
    out.add(*e.backend, keep ? e.availability
                             : engine::Availability{false, "not loaded: the policy's faults do not need it"});
  }
  return out;
}

const KernelBackend* backend_loading(const engine::BackendRegistry& registry, const std::string& program) {
  for (const auto& e : registry.entries()) {
    if (!e.availability.available) continue;
    const auto* b = find_backend(e.backend->name());
    if (b == nullptr) continue;
    const auto programs = b->programs();
    if (std::find(programs.begin(), programs.end(), program) != programs.end()) return b;
  }
  return nullptr;
}

namespace {

template <typename List>
std::vector<std::string> collect_programs(const engine::BackendRegistry& registry, List list) {
  std::vector<std::string> out;
  for (const auto& e : registry.entries()) {
    if (!e.availability.available) continue;
    const auto* b = find_backend(e.backend->name());
    if (b == nullptr) continue;
    for (auto& p : list(*b))
      out.push_back(std::move(p));
  }
  return out;
}

} // namespace

std::vector<std::string> programs_to_load(const engine::BackendRegistry& registry,
                                          const std::vector<policy::Fault>* faults) {
  return collect_programs(registry, [&](const KernelBackend& b) {
    return faults != nullptr ? b.programs_for(*faults) : b.programs();
  });
}

std::vector<std::string> optional_programs_to_load(const engine::BackendRegistry& registry) {
  return collect_programs(registry, [](const KernelBackend& b) { return b.optional_programs(); });
}

} // namespace faultline::faults
