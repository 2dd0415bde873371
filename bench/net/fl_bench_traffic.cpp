// Traffic of the network benchmark (bench/net/measure_vm.sh), used only inside network
// namespaces the caller made. fl_udp (tests/tools) paces its bursts so that only the injector
// drops; a throughput benchmark needs the opposite: the sender as fast as one CPU lets it, so
// that what the injector costs per packet shows up as packets per second. And ping prints RTTs
// above 100 ms in whole milliseconds, too coarse for a delay's error: rtt and ping print
// microseconds.
//   fl_bench_traffic sink ADDR PORT              prints "ready", then reads and discards forever
//   fl_bench_traffic send ADDR PORT SECONDS SIZE send() of SIZE-byte datagrams on a connected
//                                                socket for SECONDS; prints "sent N errors E
//                                                seconds S pps P" (E: calls that failed, e.g.
//                                                ENOBUFS or ECONNREFUSED; not counted as sent)
//   fl_bench_traffic echo ADDR PORT              prints "ready", then returns every datagram to
//                                                its sender, forever
//   fl_bench_traffic rtt ADDR PORT COUNT GAP_MS  sends COUNT probes GAP_MS apart to an echo
//                                                without waiting for the replies (as ping does),
//                                                then prints one RTT per line in ms (microsecond
//                                                resolution) in send order, and "lost N" for
//                                                probes without a reply 5 s after the last send
//   fl_bench_traffic ping ADDR COUNT GAP_MS      the same with ICMP echo requests (IPv4, raw
//                                                socket: root), answered by the peer's kernel
// Addresses are IPv4 or IPv6 by their form.
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
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

int bound(const Addr& a) {
  const int fd = ::socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int size = 16 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&a.sa), a.len) != 0) {
    std::perror("fl_bench_traffic bind");
    return -1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  return fd;
}

int sink(const Addr& a) {
  const int fd = bound(a);
  if (fd < 0) return 1;
  std::vector<char> buf(1 << 16);
  for (;;)
    (void)!::recv(fd, buf.data(), buf.size(), 0);
}

int echo(const Addr& a) {
  const int fd = bound(a);
  if (fd < 0) return 1;
  std::vector<char> buf(1 << 16);
  for (;;) {
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    const ssize_t got = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (got > 0)
      (void)!::sendto(fd, buf.data(), static_cast<size_t>(got), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Each probe carries its index and its send time; the reply is matched by the index.
struct Probe {
  std::uint32_t index;
  std::uint32_t pad;
  std::int64_t sent_ns;
};

struct IcmpProbe {
  icmphdr h;
  Probe p;
};

std::uint16_t checksum(const void* data, size_t len) {
  const auto* b = static_cast<const std::uint8_t*>(data);
  std::uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += static_cast<std::uint32_t>(b[i] << 8 | b[i + 1]);
  if (len % 2) sum += static_cast<std::uint32_t>(b[len - 1] << 8);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

// Probes over UDP to an echo server, or ICMP echo requests that the peer's kernel answers (no
// process wakes up on the far side: less noise in an emulated machine).
class Prober {
public:
  Prober(const Addr& a, bool icmp) : icmp_(icmp), id_(static_cast<std::uint16_t>(::getpid())) {
    fd_ = icmp ? ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)
               : ::socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&a.sa), a.len) != 0) fd_ = -1;
    if (fd_ >= 0 && icmp) {
      std::uint32_t only_replies = ~(1U << ICMP_ECHOREPLY);
      ::setsockopt(fd_, SOL_RAW, ICMP_FILTER, &only_replies, sizeof(only_replies));
    }
  }
  ~Prober() {
    if (fd_ >= 0) ::close(fd_);
  }
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool send(const Probe& p) {
    if (!icmp_) return ::send(fd_, &p, sizeof(p), 0) == static_cast<ssize_t>(sizeof(p));
    IcmpProbe m;
    std::memset(&m, 0, sizeof(m)); // every byte defined: the checksum reads them all
    m.h.type = ICMP_ECHO;
    m.h.un.echo.id = htons(id_);
    m.h.un.echo.sequence = htons(static_cast<std::uint16_t>(p.index));
    m.p = p;
    m.h.checksum = checksum(&m, sizeof(m));
    return ::send(fd_, &m, sizeof(m), 0) == static_cast<ssize_t>(sizeof(m));
  }
  // The probe a reply carries, if it is one of ours.
  bool receive(Probe* out) {
    if (!icmp_) return ::recv(fd_, out, sizeof(*out), 0) == static_cast<ssize_t>(sizeof(*out));
    std::uint8_t buf[256];
    const ssize_t got = ::recv(fd_, buf, sizeof(buf), 0);
    if (got < static_cast<ssize_t>(sizeof(iphdr))) return false;
    const size_t ihl = static_cast<size_t>(buf[0] & 0xf) * 4;
    if (static_cast<size_t>(got) < ihl + sizeof(IcmpProbe)) return false;
    IcmpProbe m{};
    std::memcpy(&m, buf + ihl, sizeof(m));
    if (m.h.type != ICMP_ECHOREPLY || ntohs(m.h.un.echo.id) != id_) return false;
    *out = m.p;
    return true;
  }

private:
  bool icmp_;
  std::uint16_t id_;
  int fd_ = -1;
};

int rtt(const Addr& a, bool icmp, int count, double gap_ms) {
  Prober prober(a, icmp);
  if (!prober.ok()) {
    std::perror("fl_bench_traffic probe socket");
    return 1;
  }
  std::vector<double> rtt_ms(static_cast<size_t>(count), -1);
  const auto gap_ns = static_cast<std::int64_t>(gap_ms * 1e6);
  const std::int64_t start = now_ns();
  int sent = 0;
  std::int64_t last_send = start;
  for (;;) {
    const std::int64_t now = now_ns();
    if (sent < count && now >= start + sent * gap_ns) {
      if (!prober.send({static_cast<std::uint32_t>(sent), 0, now})) {
        std::perror("fl_bench_traffic probe send");
        return 1;
      }
      last_send = now;
      ++sent;
      continue;
    }
    const std::int64_t until = sent < count ? start + sent * gap_ns : last_send + 5'000'000'000LL;
    if (now >= until) break;
    pollfd pfd{prober.fd(), POLLIN, 0};
    const int wait_ms = static_cast<int>((until - now + 999'999) / 1'000'000);
    if (::poll(&pfd, 1, wait_ms) <= 0) continue;
    Probe p{};
    if (!prober.receive(&p)) continue;
    const std::int64_t back = now_ns();
    if (p.index < static_cast<std::uint32_t>(count))
      rtt_ms[p.index] = static_cast<double>(back - p.sent_ns) / 1e6;
    if (sent == count && std::find(rtt_ms.begin(), rtt_ms.end(), -1.0) == rtt_ms.end()) break;
  }
  int lost = 0;
  for (const double r : rtt_ms) {
    if (r < 0)
      ++lost;
    else
      std::printf("%.3f\n", r);
  }
  std::printf("lost %d\n", lost);
  return 0;
}

int send_for(const Addr& a, double seconds, int size) {
  const int fd = ::socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&a.sa), a.len) != 0) {
    std::perror("fl_bench_traffic send");
    return 1;
  }
  std::vector<char> payload(static_cast<size_t>(size), 'f');
  std::uint64_t sent = 0;
  std::uint64_t errors = 0;
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto now = start;
  while (now < end) {
    // The clock is read once per 64 sends: its cost stays out of the per-packet figure.
    for (int i = 0; i < 64; ++i) {
      if (::send(fd, payload.data(), payload.size(), 0) == static_cast<ssize_t>(payload.size()))
        ++sent;
      else
        ++errors;
    }
    now = Clock::now();
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();
  std::printf("sent %llu errors %llu seconds %.3f pps %.0f\n", static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(errors), elapsed, static_cast<double>(sent) / elapsed);
  ::close(fd);
  return 0;
}

int run(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const bool two = mode == "sink" || mode == "echo";
  if (mode == "ping" && argc == 5)
    return rtt(parse(argv[2], 0), true, std::atoi(argv[3]), std::atof(argv[4]));
  if (!((two && argc == 4) || ((mode == "send" || mode == "rtt") && argc == 6))) {
    std::fprintf(stderr, "usage: fl_bench_traffic sink|echo ADDR PORT | send ADDR PORT SECONDS SIZE | "
                         "rtt ADDR PORT COUNT GAP_MS | ping ADDR COUNT GAP_MS\n");
    return 2;
  }
  const Addr a = parse(argv[2], std::atoi(argv[3]));
  if (mode == "sink") return sink(a);
  if (mode == "echo") return echo(a);
  if (mode == "rtt") return rtt(a, false, std::atoi(argv[4]), std::atof(argv[5]));
  const int size = std::atoi(argv[5]);
  if (size < 1 || size > 65000) {
    std::fprintf(stderr, "SIZE must be 1..65000\n");
    return 2;
  }
  return send_for(a, std::atof(argv[4]), size);
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fl_bench_traffic: %s\n", e.what());
    return 1;
  }
}
