#include "daemon/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

#include "util/log.hpp"

namespace faultline::daemon {

Result<kernel::UniqueFd> listen_metrics(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size())
    return make_error(EINVAL, "metrics address '{}': expected HOST:PORT, e.g. 127.0.0.1:9464", address);
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return make_error(EINVAL, "metrics address '{}': port '{}' is not 1-65535", address, port_text);
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (::inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1)
      return make_error(EINVAL, "metrics address '{}': '{}' is not an IPv6 address", address, host);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<std::uint16_t>(port));
    family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    if (::inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1)
      return make_error(EINVAL, "metrics address '{}': '{}' is not an IPv4 address (IPv6 goes in brackets)",
                        address, host);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
  }
  kernel::UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(errno, "metrics: cannot create a socket");
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); // a restart rebinds at once
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0)
    return make_error(errno, "metrics: cannot listen on {}", address);
  if (::listen(fd.get(), 16) != 0) return make_error(errno, "metrics: cannot listen on {}", address);
  return fd;
}

void serve_metrics(int listener, const HttpLimits& limits, const std::function<std::string()>& render,
                   std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue; // wakes up to notice `stop`
    kernel::UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    try {
      auto parsed = read_request(conn.get(), limits);
      if (auto* early = std::get_if<HttpResponse>(&parsed)) {
        write_response(conn.get(), *early);
        continue;
      }
      const auto& req = std::get<HttpRequest>(parsed);
      if (req.path != "/metrics")
        write_response(conn.get(), {404, "not found: the metrics are at /metrics\n", "text/plain"});
      else if (req.method != "GET")
        write_response(conn.get(), {405, "GET /metrics only\n", "text/plain"});
      else
        write_response(conn.get(), {200, render(), "text/plain; version=0.0.4; charset=utf-8"});
    } catch (const std::exception& e) {
      // A scrape that fails must not take the daemon down; the next one tries again.
      log::error("metrics request failed: {}", e.what());
      write_response(conn.get(), {500, "internal error\n", "text/plain"});
    }
  }
}

} // namespace faultline::daemon
