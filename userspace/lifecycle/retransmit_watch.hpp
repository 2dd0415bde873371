// The TCP retransmits of experiments' targets, as tcpRetransmits stop conditions and steady-state
// probes count them: the sockets of the targets' cgroups, each cgroup once (a target inside
// another target is counted in that one) and devices never (they have no sockets of their own).
// Host::tcp_retransmits reads the kernel's count; callers hold the controller's lock, which
// serialises every use of the Host (Controller::read_run_targets, Controller::probe_counters).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/target.hpp"
#include "lifecycle/host.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// A tcpRetransmits stop condition that could never be checked is refused with the policy, before
// anything is attached: it would only abort the experiment at its first check. The read also
// starts watching the first cgroup target; the watchdog counts from its own first reading.
Status check_retransmits_countable(Host& host, const policy::Policy& policy,
                                   const std::vector<engine::Target>& targets);

// The retransmits of `targets`' cgroups, each counted once (EINVAL when they are only devices).
Result<std::uint64_t> count_retransmits(Host& host, const std::vector<engine::Target>& targets);

// The retransmits of every cgroup `policy`'s targets name, resolved at this reading, before
// selection: the steady state is the service's, not one run's pick.
Result<std::uint64_t> count_policy_retransmits(Host& host, const policy::Policy& policy);

} // namespace faultline::lifecycle
