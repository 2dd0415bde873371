#pragma once

#include <string>

namespace faultline::kernel {

// Routes libbpf's messages into the project logger (warnings as warn, the rest as debug, so a
// verifier log shows with FAULTLINE_LOG=debug). Idempotent.
void route_libbpf_log();
// The program libbpf last reported the kernel refused to load (on this thread), then forgets it.
std::string take_failed_program();

// While alive, libbpf's warnings are logged at debug level: for feature probes, whose failures
// are expected answers, not problems.
class QuietLibbpf {
public:
  QuietLibbpf();
  ~QuietLibbpf();
  QuietLibbpf(const QuietLibbpf&) = delete;
  QuietLibbpf& operator=(const QuietLibbpf&) = delete;
};

} // namespace faultline::kernel
