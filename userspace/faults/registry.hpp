// The fault families of this release, and what the core needs of all of them together: every
// family's section for the policy parser, and the parser with those sections.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "faults/family.hpp"
#include "policy/fault_section.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::faults {

// Every family, in the order `faultline doctor` lists them (registry.cpp, the one place a family
// is named).
const std::vector<const Family*>& families();
const Family* find_family(std::string_view name);
// Every family's section, for policy::parse_policy.
const policy::FaultSections& sections();

// The policy parser with every family's section: what the daemon, the CLI and tests call.
Result<policy::Policy> parse_policy(std::string_view text, const std::string& file_name);
Result<policy::Policy> load_policy_file(const std::string& path);

} // namespace faultline::faults
