#include "support/udp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

namespace faultline::testing {
namespace {

// IPv4 or IPv6 by the address's form; the family to open the socket with.
struct Peer {
  sockaddr_storage sa{};
  socklen_t len = 0;
  int family = AF_INET;
};

Peer make_addr(const char* addr, std::uint16_t port) {
  Peer p;
  if (std::strchr(addr, ':') != nullptr) {
    auto* sa6 = reinterpret_cast<sockaddr_in6*>(&p.sa);
    sa6->sin6_family = AF_INET6;
    sa6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, addr, &sa6->sin6_addr);
    p.len = sizeof(sockaddr_in6);
    p.family = AF_INET6;
  } else {
    auto* sa4 = reinterpret_cast<sockaddr_in*>(&p.sa);
    sa4->sin_family = AF_INET;
    sa4->sin_port = htons(port);
    ::inet_pton(AF_INET, addr, &sa4->sin_addr);
    p.len = sizeof(sockaddr_in);
  }
  return p;
}

constexpr size_t kPayload = 64;

// Intact: bytes 4..7 are the complement of the sequence number, the rest zero.
bool intact(const char* buf, ssize_t n) {
  if (n != static_cast<ssize_t>(kPayload)) return false;
  std::uint32_t seq = 0;
  std::uint32_t check = 0;
  std::memcpy(&seq, buf, sizeof(seq));
  std::memcpy(&check, buf + 4, sizeof(check));
  if (check != ~seq) return false;
  for (size_t i = 8; i < kPayload; ++i)
    if (buf[i] != 0) return false;
  return true;
}

// Reads what is queued now. Returns true when the end marker was among them.
bool read_queued(int fd, Tally& tally) {
  char buf[2048];
  ssize_t n = 0;
  bool ended = false;
  while ((n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
    if (static_cast<size_t>(n) == sizeof(kEndMarker) &&
        std::memcmp(buf, kEndMarker, sizeof(kEndMarker)) == 0) {
      ended = true;
    } else if (!intact(buf, n)) {
      ++tally.corrupt;
    } else {
      std::uint32_t seq = 0;
      std::memcpy(&seq, buf, sizeof(seq));
      tally.seqs.push_back(seq);
    }
  }
  return ended;
}

} // namespace

long send_datagrams(const char* addr, std::uint16_t port, int count) {
  const Peer peer = make_addr(addr, port);
  kernel::UniqueFd fd(::socket(peer.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return -1;
  char payload[kPayload] = "";
  long sent = 0;
  for (int i = 0; i < count; ++i) {
    const auto seq = static_cast<std::uint32_t>(i);
    const std::uint32_t check = ~seq;
    std::memcpy(payload, &seq, sizeof(seq));
    std::memcpy(payload + 4, &check, sizeof(check));
    if (::sendto(fd.get(), payload, sizeof(payload), 0, reinterpret_cast<const sockaddr*>(&peer.sa),
                 peer.len) == static_cast<ssize_t>(sizeof(payload)))
      ++sent;
    // Pace the burst so the receiver's backlog never overflows: only the injector may drop.
    if (i % 64 == 63) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return sent;
}

Result<kernel::UniqueFd> open_receiver(const char* addr, std::uint16_t port) {
  const Peer local = make_addr(addr, port);
  kernel::UniqueFd fd(::socket(local.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(errno, "socket");
  const int size = 16 << 20;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local.sa), local.len) != 0)
    return make_error(errno, "bind {}:{}", addr, port);
  return fd;
}

Tally drain_tally(int fd, int quiet_ms) {
  Tally tally;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, quiet_ms) > 0)
    read_queued(fd, tally);
  return tally;
}

std::vector<std::uint32_t> drain_sequence(int fd, int quiet_ms) { return drain_tally(fd, quiet_ms).seqs; }

long drain_datagrams(int fd, int quiet_ms) { return static_cast<long>(drain_sequence(fd, quiet_ms).size()); }

Status send_end_marker(const char* addr, std::uint16_t port) {
  const Peer peer = make_addr(addr, port);
  kernel::UniqueFd fd(::socket(peer.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(errno, "socket");
  if (::sendto(fd.get(), kEndMarker, sizeof(kEndMarker), 0, reinterpret_cast<const sockaddr*>(&peer.sa),
               peer.len) != static_cast<ssize_t>(sizeof(kEndMarker)))
    return make_error(errno, "cannot send the end marker to {}:{}", addr, port);
  return {};
}

Result<Tally> tally_until_end(int fd, int quiet_ms, int timeout_ms) {
  Tally tally;
  pollfd p{fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool ended = false;
  while (!ended) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return make_error(ETIMEDOUT, "no end marker within {} ms ({} datagrams so far)", timeout_ms,
                        tally.seqs.size());
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ended = read_queued(fd, tally);
  }
  // Datagrams queued on another CPU's backlog may land just after the marker.
  const Tally late = drain_tally(fd, quiet_ms);
  tally.seqs.insert(tally.seqs.end(), late.seqs.begin(), late.seqs.end());
  tally.corrupt += late.corrupt;
  return tally;
}

Result<long> count_until_end(int fd, int quiet_ms, int timeout_ms) {
  auto tally = tally_until_end(fd, quiet_ms, timeout_ms);
  if (!tally) return tally.error();
  return static_cast<long>(tally->seqs.size() + static_cast<size_t>(tally->corrupt));
}

long duplicates(const std::vector<std::uint32_t>& seqs) {
  std::vector<std::uint32_t> sorted = seqs;
  std::sort(sorted.begin(), sorted.end());
  return static_cast<long>(sorted.size()) -
         static_cast<long>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
}

LossRuns loss_runs(const std::vector<std::uint32_t>& seqs, std::uint32_t sent) {
  std::vector<bool> got(sent, false);
  for (auto seq : seqs)
    if (seq < sent) got[seq] = true;
  LossRuns runs;
  bool in_burst = false;
  for (std::uint32_t i = 0; i < sent; ++i) {
    if (!got[i]) {
      ++runs.lost;
      if (!in_burst) ++runs.bursts;
    }
    in_burst = !got[i];
  }
  return runs;
}

} // namespace faultline::testing
