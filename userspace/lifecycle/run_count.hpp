// A kernel counter as one reader sees it: counted from the reader's first reading (the kernel's
// count runs on across experiments on the same cgroup); a reading below the last one (the
// kernel's entry was evicted and began again from 0) carries on from what had been counted.
#pragma once

#include <cstdint>
#include <optional>

namespace faultline::lifecycle {

struct RunCount {
  std::optional<std::uint64_t> baseline;
  std::uint64_t carried = 0;
  std::uint64_t last = 0;

  // The count since the first reading, given the kernel's.
  std::uint64_t add(std::uint64_t reading) {
    if (!baseline) {
      baseline = reading;
    } else if (reading < last) {
      carried += last - *baseline; // the kernel's entry began again from 0
      baseline = 0;
    }
    last = reading;
    return carried + reading - *baseline;
  }
};

} // namespace faultline::lifecycle
