// What one run of a check found: healthy or not, and a line saying why, for the journal and the
// report ("exit status 1", "HTTP 503 in 12 ms", "no answer within 1000 ms").
#pragma once

#include <cstdint>
#include <string>

namespace faultline::checks {

struct CheckResult {
  bool healthy = false;
  std::string detail;
  std::uint64_t took_ns = 0;
};

} // namespace faultline::checks
