#include "daemon/http.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

namespace faultline::daemon {
namespace {

using Clock = std::chrono::steady_clock;

HttpResponse error(int status, std::string_view message) {
  std::string body = "{\"error\":\"";
  body += message;
  body += "\"}";
  return {status, body};
}

// Appends what arrives before the deadline; false on timeout, EOF or error.
bool read_more(int fd, std::string& buf, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  char chunk[8192];
  const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  buf.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

const char* reason(int status) {
  switch (status) {
  case 100: return "Continue";
  case 200: return "OK";
  case 201: return "Created";
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 411: return "Length Required";
  case 413: return "Payload Too Large";
  case 422: return "Unprocessable Entity";
  case 431: return "Request Header Fields Too Large";
  case 503: return "Service Unavailable";
  case 507: return "Insufficient Storage";
  default: return "Internal Server Error";
  }
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return; // the client went away: nothing to tell it
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

} // namespace

std::variant<HttpRequest, HttpResponse> read_request(int fd, const HttpLimits& limits) {
  const auto deadline = Clock::now() + limits.timeout;
  std::string buf;
  std::size_t header_end = std::string::npos;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > limits.max_header_bytes) return error(431, "request headers too large");
    if (!read_more(fd, buf, deadline)) return error(408, "request not received in time");
  }
  if (header_end > limits.max_header_bytes) return error(431, "request headers too large");
  const std::string_view head(buf.data(), header_end);
  const auto line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      request_line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0)
    return error(400, "malformed request line");
  HttpRequest req;
  req.method = std::string(request_line.substr(0, sp1));
  req.path = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (const auto q = req.path.find('?'); q != std::string::npos) {
    req.query = req.path.substr(q + 1);
    req.path.resize(q);
  }

  std::size_t length = 0;
  bool has_length = false;
  bool expect_continue = false;
  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    const std::string_view field = head.substr(pos, next - pos);
    pos = next + 2;
    const auto colon = field.find(':');
    if (colon == std::string_view::npos) return error(400, "malformed header line");
    const std::string name = lower(trim(field.substr(0, colon)));
    const std::string_view value = trim(field.substr(colon + 1));
    if (name == "content-length") {
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (ec != std::errc() || ptr != value.data() + value.size()) return error(400, "bad Content-Length");
      has_length = true;
    } else if (name == "transfer-encoding") {
      return error(411, "send the body with a Content-Length");
    } else if (name == "expect" && lower(value) == "100-continue") {
      expect_continue = true;
    }
  }
  if (!has_length) length = 0;
  if (length > limits.max_body_bytes) return error(413, "request body larger than the limit");
  if (expect_continue && length > 0) write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  req.body = buf.substr(header_end + 4);
  while (req.body.size() < length)
    if (!read_more(fd, req.body, deadline)) return error(408, "request body not received in time");
  req.body.resize(length);
  return req;
}

void write_response(int fd, const HttpResponse& response) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
                    "\r\nContent-Type: " + response.content_type +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) +
                    "\r\nConnection: close\r\n\r\n";
  out += response.body;
  write_all(fd, out);
}

Caller peer_of(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return {};
  return {cred.uid, cred.pid};
}

} // namespace faultline::daemon
