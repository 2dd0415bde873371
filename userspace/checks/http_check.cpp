#include "checks/http_check.hpp"

#include <fmt/format.h>

#include "checks/http_get.hpp"

namespace faultline::checks {

CheckResult run_http(const policy::HttpCheck& check) {
  CheckResult r;
  const HttpAnswer a = http_get(check.url, check.timeout_ns);
  r.took_ns = a.took_ns;
  const std::uint64_t ms = r.took_ns / 1000000;
  if (!a.answered) {
    r.detail = fmt::format("GET {}: {} ({} ms)", check.url, a.failure, ms);
    return r;
  }
  if (a.status != check.status) {
    r.detail = fmt::format("GET {}: HTTP {} (expected {}) in {} ms", check.url, a.status, check.status, ms);
    return r;
  }
  if (check.max_latency_ns != 0 && r.took_ns > check.max_latency_ns) {
    r.detail = fmt::format("GET {}: HTTP {} in {} ms, over maxLatency {} ms", check.url, a.status, ms,
                           check.max_latency_ns / 1000000);
    return r;
  }
  r.healthy = true;
  r.detail = fmt::format("GET {}: HTTP {} in {} ms", check.url, a.status, ms);
  return r;
}

} // namespace faultline::checks
