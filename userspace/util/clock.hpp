// CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns(), so deadlines computed here
// mean the same instant inside BPF.
#pragma once

#include <cstdint>
#include <ctime>

namespace faultline {

inline std::uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Unix time in milliseconds: what views, reports and the journal show.
inline std::int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace faultline
