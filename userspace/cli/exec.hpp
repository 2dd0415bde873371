// `faultline exec -p policy.yaml -- CMD...`: runs CMD in a fresh cgroup under the policy, with no
// daemon, removes everything afterwards and exits with CMD's status (125 when faultline itself
// fails, 127 when CMD cannot be run), the convention of `env` and `docker run`.
#pragma once

#include <string>
#include <vector>

namespace faultline::cli {

struct ExecOptions {
  std::string policy_path;
  std::vector<std::string> command;
  std::string report_path; // JSON report; empty = none
  std::string plot_path;   // SVG plot of the report; empty = none
  bool quiet = false;      // no human report on stderr
};

int run_exec(const ExecOptions& options);

} // namespace faultline::cli
