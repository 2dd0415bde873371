// A measured TCP workload for the network tests, used only inside namespaces the caller made:
//   fl_tcp serve ADDR PORT          prints "ready"; serves every connection on a thread of its
//                                   own until killed: 'E' = echo each byte back, 'S' = sink
//                                   until EOF, then reply with the byte count (8 bytes)
//   fl_tcp probe ADDR PORT N        prints "connect_ms C rtt_ms R": how long connect() took and
//                                   the median of N one-byte echo round trips after it
//   fl_tcp bulk ADDR PORT SECONDS   sends as fast as it can for SECONDS, then waits for the
//                                   server's count; prints "bytes B seconds S mbit M"
// Addresses are IPv4 or IPv6 by their form.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Addr {
  sockaddr_storage sa{};
  socklen_t len = 0;
  int family = AF_INET;
};

Addr parse(const char* host, int port) {
  Addr a;
  if (std::strchr(host, ':') != nullptr) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&a.sa);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET6, host, &s6->sin6_addr);
    a.len = sizeof(*s6);
    a.family = AF_INET6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&a.sa);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host, &s4->sin_addr);
    a.len = sizeof(*s4);
  }
  return a;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool read_exact(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t got = ::read(fd, p, n);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

void serve_one(int fd) {
  char mode = 0;
  if (read_exact(fd, &mode, 1)) {
    if (mode == 'E') {
      char c = 0;
      while (read_exact(fd, &c, 1) && ::write(fd, &c, 1) == 1) {
      }
    } else if (mode == 'S') {
      std::vector<char> buf(1 << 16);
      std::uint64_t total = 0;
      ssize_t got = 0;
      while ((got = ::read(fd, buf.data(), buf.size())) > 0)
        total += static_cast<std::uint64_t>(got);
      (void)!::write(fd, &total, sizeof(total));
    }
  }
  ::close(fd);
}

int serve(const Addr& a) {
  const int ls = ::socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (ls < 0 || ::bind(ls, reinterpret_cast<const sockaddr*>(&a.sa), a.len) != 0 || ::listen(ls, 64) != 0) {
    std::perror("fl_tcp serve");
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) {
    const int fd = ::accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) std::thread(serve_one, fd).detach();
  }
}

int connect_to(const Addr& a, double* connect_ms) {
  const int fd = ::socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const auto t = Clock::now();
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&a.sa), a.len) != 0) {
    std::perror("fl_tcp connect");
    return -1;
  }
  if (connect_ms != nullptr) *connect_ms = ms_since(t);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

int probe(const Addr& a, int n) {
  double connect_ms = 0;
  const int fd = connect_to(a, &connect_ms);
  if (fd < 0) return 1;
  const char mode = 'E';
  if (::write(fd, &mode, 1) != 1) return 1;
  std::vector<double> rtts;
  for (int i = 0; i < n; ++i) {
    char c = 'x';
    const auto t = Clock::now();
    if (::write(fd, &c, 1) != 1 || !read_exact(fd, &c, 1)) return 1;
    rtts.push_back(ms_since(t));
  }
  std::sort(rtts.begin(), rtts.end());
  std::printf("connect_ms %.2f rtt_ms %.2f\n", connect_ms, rtts.empty() ? -1.0 : rtts[rtts.size() / 2]);
  ::close(fd);
  return 0;
}

int bulk(const Addr& a, double seconds) {
  const int fd = connect_to(a, nullptr);
  if (fd < 0) return 1;
  const char mode = 'S';
  if (::write(fd, &mode, 1) != 1) return 1;
  std::vector<char> buf(1 << 14, 'b');
  const auto t = Clock::now();
  while (ms_since(t) < seconds * 1000)
    if (::write(fd, buf.data(), buf.size()) <= 0) return 1;
  ::shutdown(fd, SHUT_WR);
  std::uint64_t total = 0;
  if (!read_exact(fd, &total, sizeof(total))) return 1;
  const double elapsed = ms_since(t) / 1000;
  std::printf("bytes %llu seconds %.2f mbit %.3f\n", static_cast<unsigned long long>(total), elapsed,
              static_cast<double>(total) * 8 / elapsed / 1e6);
  ::close(fd);
  return 0;
}

int run(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc < 4 || (mode != "serve" && argc != 5)) {
    std::fprintf(stderr, "usage: fl_tcp serve ADDR PORT | probe ADDR PORT N | bulk ADDR PORT SECONDS\n");
    return 2;
  }
  const Addr a = parse(argv[2], std::atoi(argv[3]));
  if (mode == "serve") return serve(a);
  if (mode == "probe") return probe(a, std::atoi(argv[4]));
  if (mode == "bulk") return bulk(a, std::atof(argv[4]));
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fl_tcp: %s\n", e.what());
    return 1;
  }
}
