// What the core needs of every family together, from the registry's list.
#include "faults/registry.hpp"

#include "policy/parser.hpp"

namespace faultline::faults {

const Family* find_family(std::string_view name) {
  for (const auto* f : families())
    if (f->name() == name) return f;
  return nullptr;
}

const policy::FaultSections& sections() {
  static const policy::FaultSections kSections = [] {
    policy::FaultSections out;
    for (const auto* f : families())
      out.push_back(&f->section());
    return out;
  }();
  return kSections;
}

Result<policy::Policy> parse_policy(std::string_view text, const std::string& file_name) {
  return policy::parse_policy(text, file_name, sections());
}

Result<policy::Policy> load_policy_file(const std::string& path) {
  return policy::load_policy_file(path, sections());
}

} // namespace faultline::faults
