// The HTTP/1.1 subset faultlined speaks on its Unix socket: one request per connection
// (Connection: close), Content-Length bodies, `Expect: 100-continue` (curl sends it for bodies
// over 1 KiB). Hand-written rather than a library server because the daemon needs the peer's
// credentials (SO_PEERCRED) for its journal, its own listen backlog and hard limits on time and
// size per request.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <variant>

namespace faultline::daemon {

struct Caller {
  uid_t uid = 0;
  pid_t pid = 0; // 0: unknown (in-process calls)
};

struct HttpRequest {
  std::string method;
  std::string path;  // without the query
  std::string query; // after '?', as sent
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body; // JSON unless content_type says otherwise
  std::string content_type = "application/json";
};

struct HttpLimits {
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000}; // for the whole request: a silent client is cut off
};

// Reads one request from a connected socket. On a protocol problem or a limit, returns the
// response to send instead: 400, 408 (timeout), 411 (no length), 413 (body), 431 (headers).
std::variant<HttpRequest, HttpResponse> read_request(int fd, const HttpLimits& limits);
void write_response(int fd, const HttpResponse& response);
Caller peer_of(int fd);

} // namespace faultline::daemon
