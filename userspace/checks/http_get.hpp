// One plain-HTTP GET with a timeout, for the checks that ask a server something (a health
// endpoint, a Prometheus query). Keeps cpp-httplib, a heavy header, out of everything else.
#pragma once

#include <cstdint>
#include <string>

namespace faultline::checks {

struct HttpAnswer {
  bool answered = false; // false: no HTTP answer; `failure` says why
  int status = 0;
  std::string body;
  std::string failure; // "cannot connect (refused or unreachable)", "no complete answer within 1000 ms"
  std::uint64_t took_ns = 0;
};

// `url` is http://HOST[:PORT][/PATH][?QUERY] (the policy parser admits no other form).
HttpAnswer http_get(const std::string& url, std::uint64_t timeout_ns);

// `s` percent-encoded for a query string value (RFC 3986 unreserved characters kept).
std::string url_encode(const std::string& s);

} // namespace faultline::checks
