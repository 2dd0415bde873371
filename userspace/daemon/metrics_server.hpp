// faultlined --metrics HOST:PORT: the Prometheus scrape endpoint, GET /metrics over TCP. Off
// unless asked for: it answers anyone who can reach the address, so it serves counters only,
// read-only, and the operator picks the address (loopback in the examples).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "daemon/http.hpp"
#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

// Binds and listens on "HOST:PORT": an IPv4 address ("127.0.0.1:9464", "0.0.0.0:9464") or an
// IPv6 one in brackets ("[::1]:9464"). Names are not resolved: the address is exact.
Result<kernel::UniqueFd> listen_metrics(const std::string& address);

// Serves GET /metrics (the text `render` returns, Prometheus text format 0.0.4) one request at
// a time until `stop`; anything else gets 404, or 405 for another method on /metrics.
void serve_metrics(int listener, const HttpLimits& limits, const std::function<std::string()>& render,
                   std::atomic<bool>& stop);

} // namespace faultline::daemon
