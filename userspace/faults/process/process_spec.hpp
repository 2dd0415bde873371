// The process family's section of a fault (`process: {signal, on} | {freeze}`), as its parser validated it.
#pragma once

#include "policy/policy.hpp"
#include <cstdint>
#include <string>

namespace faultline::faults {

using policy::Cidr;
using policy::ErrnoMix;
using policy::PortRange;

// process: either a signal on a syscall, or the whole target frozen (cgroup.freeze) for a while.
struct ProcessFault {
  int signal = 0;              // 0 for a freeze
  std::string on_syscall;      // the signal is sent when the target enters this syscall
  std::uint64_t freeze_ns = 0; // freeze: the target cgroup frozen this long from the fault's start
};

} // namespace faultline::faults
