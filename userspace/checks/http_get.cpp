#include "checks/http_get.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>

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

HttpAnswer http_get(const std::string& url, std::uint64_t timeout_ns) {
  HttpAnswer a;
  const std::size_t path_at = url.find('/', 7); // after "http://"
  const std::string origin = url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  httplib::Client client(origin);
  const auto timeout = std::chrono::nanoseconds(timeout_ns);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  const std::uint64_t start = monotonic_ns();
  auto res = client.Get(path);
  a.took_ns = monotonic_ns() - start;
  if (!res) {
    a.failure = failure(res.error(), timeout_ns / 1000000);
    return a;
  }
  a.answered = true;
  a.status = res->status;
  a.body = std::move(res->body);
  return a;
}

std::string url_encode(const std::string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (const unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

} // namespace faultline::checks
