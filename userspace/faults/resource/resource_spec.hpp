// The resource family's section of a fault (`resource: {cpu, memory, io}`), as its parser validated it.
#pragma once

#include "policy/policy.hpp"
#include <cstdint>
#include <optional>
#include <string>

namespace faultline::faults {

using policy::Cidr;
using policy::ErrnoMix;
using policy::PortRange;

// resource: limits written into the target cgroup's own cgroup v2 knobs (cpu.max, memory.high,
// io.max) for the experiment, the old values put back exactly afterwards.
struct CpuMax { // cpu.max "QUOTA PERIOD", in microseconds
  std::uint64_t quota_us = 0;
  std::uint64_t period_us = 100000;
};
struct IoMax {                               // io.max, for one block device
  std::string device;                        // "MAJ:MIN" or an absolute path; resolved at apply
  std::optional<std::uint64_t> rbps, wbps;   // bytes per second
  std::optional<std::uint64_t> riops, wiops; // operations per second
};
struct ResourceFault {
  std::optional<CpuMax> cpu;
  std::optional<std::uint64_t> memory_high; // memory.high, bytes
  std::optional<IoMax> io;
};

} // namespace faultline::faults
