// `faultline observe`: the syscall errors a target met on its own, as a table, and a policy that
// amplifies exactly those (Phoebe, KTH 2020: inject the errors production already shows, at a
// multiple of their natural rate). Pure: the counts come from kernel::SyscallObserver.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel/syscall_observer.hpp"
#include "policy/policy.hpp"
#include "policy/syscalls.hpp"

namespace faultline::observe {

struct ErrorRow {
  std::string syscall;      // "openat"
  int err = 0;              // positive errno
  std::uint64_t errors = 0; // calls of the syscall that returned it
  std::uint64_t calls = 0;  // all calls of the syscall
};

struct Observation {
  std::string cgroup; // as policies name it: relative to the cgroup2 mount
  std::uint64_t duration_ms = 0;
  std::uint64_t calls = 0;    // every syscall
  std::uint64_t syscalls = 0; // distinct syscalls called
  std::vector<ErrorRow> rows; // most errors first
  std::uint64_t lost = 0;     // errors the kernel table had no room for
  std::uint64_t internal = 0; // -ERESTART* exits (restarted or turned into EINTR)
};

Observation summarize(const kernel::ObservedSyscalls& counts, policy::Arch arch, std::string cgroup,
                      std::uint64_t duration_ms);
std::string observation_text(const Observation& obs);
nlohmann::json observation_json(const Observation& obs);

struct AmplifyOptions {
  double factor = 10;           // injected rate = natural rate x factor, at most 100%
  std::uint64_t min_errors = 1; // syscalls with fewer errors are left out
  std::string name;             // experiment name; empty = amplify-<cgroup's last component>
  std::string duration = "60s";
};

// One fault of the amplifying policy: a syscall fault (`syscall: {name, errno}`), written in the
// policy language like any user's, so this file needs no family's code.
struct AmplifiedFault {
  std::string name;    // the fault's name in the policy
  std::string syscall; // "openat"
  policy::ErrnoMix errs;
  double probability = 0; // trigger.probability
  // Its policy text: the item of spec.faults, indented for the policy amplified_policy writes.
  std::string yaml() const;
};

// The faults that amplify the observation: one per syscall, its errnos as a weighted mix (the
// four most frequent), probability = min(1, factor x errors / calls).
std::vector<AmplifiedFault> amplified_faults(const Observation& obs, const AmplifyOptions& options);

// Why this kernel cannot serve a fault (nullopt when it can): such faults are written commented
// out with the reason, so the policy applies as it stands.
using Refusal = std::function<std::optional<std::string>(const AmplifiedFault&)>;

struct AmplifiedPolicy {
  std::string yaml;        // with the observation in its comments
  std::size_t faults = 0;  // faults in it
  std::size_t refused = 0; // faults written commented out, with the reason
};
AmplifiedPolicy amplified_policy(const Observation& obs, const AmplifyOptions& options,
                                 const Refusal& refusal);

} // namespace faultline::observe
