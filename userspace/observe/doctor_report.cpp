#include "observe/doctor_report.hpp"

#include <fmt/format.h>

namespace faultline::observe {
namespace {

struct Family {
  std::string name;
  bool supported;
  std::string detail;
};

std::vector<Family> families(kernel::Features& features) {
  const auto& skb = features.status(kernel::Feature::cgroup_skb);
  const auto file = kernel::choose_file_backend(features);
  return {
      {"network (loss, blackhole)", skb.supported,
       skb.supported ? "cgroup_skb, scoped to the target cgroup" : skb.detail},
      {"network (delay, rate, corrupt, duplicate)", false, "not supported by this faultline release"},
      {"file (open errors)", file.backend != kernel::FileBackend::none, file.reason},
      {"syscall, process, resource", false, "not supported by this faultline release"},
  };
}

} // namespace

nlohmann::json doctor_json(kernel::Features& features) {
  nlohmann::json feats = nlohmann::json::object();
  for (auto f : kernel::kAllFeatures) {
    const auto& st = features.status(f);
    feats[std::string(kernel::feature_name(f))] = {{"supported", st.supported}, {"detail", st.detail}};
  }
  nlohmann::json fams = nlohmann::json::array();
  for (const auto& fam : families(features))
    fams.push_back({{"family", fam.name}, {"supported", fam.supported}, {"detail", fam.detail}});
  return {{"features", feats}, {"families", fams}};
}

std::string doctor_text(kernel::Features& features) {
  std::string out = "kernel features:\n";
  for (auto f : kernel::kAllFeatures) {
    const auto& st = features.status(f);
    out +=
        fmt::format("  {:<18} {:<4} {}\n", kernel::feature_name(f), st.supported ? "yes" : "no", st.detail);
  }
  out += "fault families:\n";
  for (const auto& fam : families(features))
    out += fmt::format("  {:<42} {:<4} {}\n", fam.name, fam.supported ? "yes" : "no", fam.detail);
  return out;
}

} // namespace faultline::observe
