#include "observe/doctor_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "faults/backend_set.hpp"
#include "faults/registry.hpp"

namespace faultline::observe {
namespace {

// Families no backend of this release serves: listed so doctor says so rather than leaving
// them out.
std::vector<std::string> unserved_families() {
  std::vector<std::string> out;
  for (const auto* family : faults::families())
    if (family->backends().empty()) out.emplace_back(family->name());
  return out;
}

} // namespace

nlohmann::json doctor_json(kernel::Features& features) {
  nlohmann::json feats = nlohmann::json::object();
  for (auto f : kernel::kAllFeatures) {
    const auto& st = features.status(f);
    feats[std::string(kernel::feature_name(f))] = {{"supported", st.supported}, {"detail", st.detail}};
  }
  nlohmann::json list = nlohmann::json::array();
  const auto registry = faults::probe_backends(features);
  for (const auto& e : registry.entries())
    list.push_back({{"backend", e.backend->name()},
                    {"family", e.backend->family()},
                    {"summary", e.backend->summary()},
                    {"available", e.availability.available},
                    {"detail", e.availability.reason}});
  nlohmann::json unserved = nlohmann::json::array();
  for (const auto& family : unserved_families())
    unserved.push_back(family);
  return {{"features", feats}, {"backends", list}, {"unsupportedFamilies", unserved}};
}

std::string doctor_text(kernel::Features& features) {
  std::string out = "kernel features:\n";
  for (auto f : kernel::kAllFeatures) {
    const auto& st = features.status(f);
    out +=
        fmt::format("  {:<18} {:<4} {}\n", kernel::feature_name(f), st.supported ? "yes" : "no", st.detail);
  }
  out += "fault backends (in order of preference):\n";
  const auto registry = faults::probe_backends(features);
  for (const auto& e : registry.entries())
    out += fmt::format("  {:<18} {:<8} {:<4} {}\n    {}\n", e.backend->name(), e.backend->family(),
                       e.availability.available ? "yes" : "no", e.backend->summary(), e.availability.reason);
  const auto unserved = unserved_families();
  if (unserved.empty()) return out;
  out += "not supported by this faultline release:";
  for (const auto& family : unserved)
    out += " " + family;
  return out + "\n";
}

} // namespace faultline::observe
