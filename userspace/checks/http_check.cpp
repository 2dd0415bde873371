#include "checks/http_check.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "util/clock.hpp"

namespace faultline::checks {
namespace {

std::string failure(httplib::Error error, std::uint64_t timeout_ms) {
  switch (error) {
  case httplib::Error::Connection: return "cannot connect (refused or unreachable)";
  case httplib::Error::ConnectionTimeout: return fmt::format("no connection within {} ms", timeout_ms);
  case httplib::Error::Read: return fmt::format("no complete answer within {} ms", timeout_ms);
  case httplib::Error::Write: return "the request could not be sent";
  default: return httplib::to_string(error);
  }
}

} // namespace

CheckResult run_http(const policy::HttpCheck& check) {
  CheckResult r;
  // The policy parser admits only http://HOST[:PORT][/PATH].
  const std::size_t path_at = check.url.find('/', 7);
  const std::string origin = check.url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : check.url.substr(path_at);
  httplib::Client client(origin);
  const auto timeout = std::chrono::nanoseconds(check.timeout_ns);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  const std::uint64_t start = monotonic_ns();
  auto res = client.Get(path);
  r.took_ns = monotonic_ns() - start;
  const std::uint64_t ms = r.took_ns / 1000000;
  if (!res) {
    r.detail =
        fmt::format("GET {}: {} ({} ms)", check.url, failure(res.error(), check.timeout_ns / 1000000), ms);
    return r;
  }
  if (res->status != check.status) {
    r.detail =
        fmt::format("GET {}: HTTP {} (expected {}) in {} ms", check.url, res->status, check.status, ms);
    return r;
  }
  if (check.max_latency_ns != 0 && r.took_ns > check.max_latency_ns) {
    r.detail = fmt::format("GET {}: HTTP {} in {} ms, over maxLatency {} ms", check.url, res->status, ms,
                           check.max_latency_ns / 1000000);
    return r;
  }
  r.healthy = true;
  r.detail = fmt::format("GET {}: HTTP {} in {} ms", check.url, res->status, ms);
  return r;
}

} // namespace faultline::checks
