// Runs a piece of test code in a child process placed in a given cgroup (and, optionally, a
// network namespace), and hands back the integer it produced. The child joins the cgroup before
// doing anything else, so every socket or file it opens belongs to that cgroup.
#pragma once

#include <functional>
#include <string>

#include "util/result.hpp"

namespace faultline::testing {

struct ChildSpec {
  std::string cgroup_path; // required
  std::string netns;       // empty: stay in the current one
};

// The body returns a value >= 0 on success (a count, an errno); < 0 means it could not run.
Result<long> run_in_child(const ChildSpec& spec, const std::function<long()>& body);

} // namespace faultline::testing
