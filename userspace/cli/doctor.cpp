#include "cli/doctor.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace faultline::cli {
namespace {

struct FamilyLine {
  const char* family;
  std::string verdict;
};

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

} // namespace

int run_doctor(kernel::Features& features, const std::vector<std::string>& require, bool json) {
  if (!require.empty()) {
    int missing = 0;
    for (const auto& name : require) {
      auto feature = kernel::feature_from_name(name);
      if (!feature) {
        fmt::print(stderr, "unknown feature '{}'\n", name);
        return 2;
      }
      const auto& st = features.status(*feature);
      if (!st.supported) {
        fmt::print("{}: unsupported: {}\n", name, st.detail);
        ++missing;
      }
    }
    return missing == 0 ? 0 : 1;
  }

  if (json) {
    fmt::print("{{\"features\":{{");
    bool first = true;
    for (auto f : kernel::kAllFeatures) {
      const auto& st = features.status(f);
      fmt::print("{}\"{}\":{{\"supported\":{},\"detail\":\"{}\"}}", first ? "" : ",", kernel::feature_name(f),
                 st.supported ? "true" : "false", json_escape(st.detail));
      first = false;
    }
    fmt::print("}}}}\n");
    return 0;
  }

  fmt::print("kernel features:\n");
  for (auto f : kernel::kAllFeatures) {
    const auto& st = features.status(f);
    fmt::print("  {:<18} {:<4} {}\n", kernel::feature_name(f), st.supported ? "yes" : "no", st.detail);
  }
  const auto file = kernel::choose_file_backend(features);
  const bool cgroup_skb = features.supported(kernel::Feature::cgroup_skb);
  fmt::print("fault families:\n");
  fmt::print("  {:<10} {}\n", "network",
             cgroup_skb ? "loss: yes (cgroup_skb)"
                        : "no: " + features.status(kernel::Feature::cgroup_skb).detail);
  fmt::print("  {:<10} {}\n", "file",
             file.backend == kernel::FileBackend::none ? "no: " + file.reason : "yes: " + file.reason);
  return 0;
}

} // namespace faultline::cli
