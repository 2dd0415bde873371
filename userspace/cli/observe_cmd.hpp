// `faultline observe --cgroup PATH --duration 30s [--policy out.yaml]`: counts the syscall errors
// a cgroup's processes meet on their own, prints them per syscall and errno, and can write a
// policy that amplifies them. Needs no daemon; injects nothing.
#pragma once

#include <cstdint>
#include <string>

namespace faultline::cli {

struct ObserveOptions {
  std::string cgroup; // absolute, or relative to the cgroup2 mount
  std::uint64_t duration_ns = 30'000'000'000;
  std::string policy_path;      // write the amplifying policy here; empty = none
  double factor = 10;           // injected rate = natural rate x factor
  std::uint64_t min_errors = 1; // syscalls with fewer errors are left out of the policy
  std::string name;             // the policy's experiment name; empty = amplify-<cgroup>
  std::string policy_duration = "60s";
  bool json = false;
};

int run_observe(const ObserveOptions& options);

} // namespace faultline::cli
