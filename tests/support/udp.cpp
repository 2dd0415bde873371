#include "support/udp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace faultline::testing {
namespace {

sockaddr_in make_addr(const char* addr, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, addr, &sa.sin_addr);
  return sa;
}

} // namespace

long send_datagrams(const char* addr, std::uint16_t port, int count) {
  kernel::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return -1;
  const sockaddr_in sa = make_addr(addr, port);
  const char payload[64] = "faultline";
  long sent = 0;
  for (int i = 0; i < count; ++i) {
    if (::sendto(fd.get(), payload, sizeof(payload), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) ==
        static_cast<ssize_t>(sizeof(payload)))
      ++sent;
    // Pace the burst so the receiver's backlog never overflows: only the injector may drop.
    if (i % 64 == 63) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return sent;
}

Result<kernel::UniqueFd> open_receiver(const char* addr, std::uint16_t port) {
  kernel::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(errno, "socket");
  const int size = 16 << 20;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
  const sockaddr_in sa = make_addr(addr, port);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0)
    return make_error(errno, "bind {}:{}", addr, port);
  return fd;
}

long drain_datagrams(int fd, int quiet_ms) {
  long received = 0;
  char buf[2048];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, quiet_ms) > 0) {
    while (::recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
      ++received;
  }
  return received;
}

Status send_end_marker(const char* addr, std::uint16_t port) {
  kernel::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(errno, "socket");
  const sockaddr_in sa = make_addr(addr, port);
  if (::sendto(fd.get(), kEndMarker, sizeof(kEndMarker), 0, reinterpret_cast<const sockaddr*>(&sa),
               sizeof(sa)) != static_cast<ssize_t>(sizeof(kEndMarker)))
    return make_error(errno, "cannot send the end marker to {}:{}", addr, port);
  return {};
}

Result<long> count_until_end(int fd, int quiet_ms, int timeout_ms) {
  long received = 0;
  char buf[2048];
  pollfd p{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool ended = false;
  while (!ended) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return make_error(ETIMEDOUT, "no end marker within {} ms ({} datagrams so far)", timeout_ms, received);
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
      if (static_cast<size_t>(n) == sizeof(kEndMarker) &&
          std::memcmp(buf, kEndMarker, sizeof(kEndMarker)) == 0)
        ended = true;
      else
        ++received;
    }
  }
  // Datagrams queued on another CPU's backlog may land just after the marker.
  return received + drain_datagrams(fd, quiet_ms);
}

} // namespace faultline::testing
