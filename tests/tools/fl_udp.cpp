// A measured UDP workload for tests, the demo and benchmarks, used only inside network
// namespaces the caller made:
//   fl_udp send ADDR PORT COUNT        prints "sent N"   (sendto() calls that succeeded)
//   fl_udp recv ADDR PORT QUIET_MS     prints "received N" after QUIET_MS without traffic
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/udp.hpp"

int main(int argc, char** argv) {
  using namespace faultline::testing;
  if (argc != 5) {
    std::fprintf(stderr, "usage: fl_udp send ADDR PORT COUNT | fl_udp recv ADDR PORT QUIET_MS\n");
    return 2;
  }
  const std::string mode = argv[1];
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[3]));
  const int n = std::atoi(argv[4]);
  if (mode == "send") {
    const long sent = send_datagrams(argv[2], port, n);
    std::printf("sent %ld\n", sent);
    return sent < 0 ? 1 : 0;
  }
  if (mode == "recv") {
    auto fd = open_receiver(argv[2], port);
    if (!fd) {
      std::fprintf(stderr, "%s\n", fd.error().describe().c_str());
      return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    std::printf("received %ld\n", drain_datagrams(fd->get(), n));
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
