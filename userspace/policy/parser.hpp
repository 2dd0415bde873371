// faultline/v1 Experiment files -> validated Policy. Every error is one line:
// "file:line:col: field.path: what is wrong (and what would be valid)". Each fault's family
// block is parsed by the family's section (`sections`, from userspace/faults/registry).
#pragma once

#include <string>
#include <string_view>

#include "policy/fault_section.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::policy {

Result<Policy> parse_policy(std::string_view text, const std::string& file_name,
                            const FaultSections& sections);
Result<Policy> load_policy_file(const std::string& path, const FaultSections& sections);

} // namespace faultline::policy
