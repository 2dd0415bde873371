// A measured UDP workload for tests, the demo and benchmarks, used only inside network
// namespaces the caller made:
//   fl_udp send ADDR PORT COUNT    prints "sent N" (sendto() calls that succeeded)
//   fl_udp recv ADDR PORT          prints "ready", then "received N bursts B duplicates D corrupt C"
//                                  once the end marker came (B = runs of consecutive lost sequence
//                                  numbers below the highest received; D = copies beyond the first;
//                                  C = datagrams whose content was damaged)
//                                  (fails after 120 s without one: never a wrong count)
//   fl_udp end ADDR PORT           sends the end marker; run it outside the faulted cgroup
// The receiver never stops on silence before the marker, so a sender that starts late on a
// busy machine is still counted in full.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "support/udp.hpp"

namespace {

int run(int argc, char** argv) {
  using namespace faultline::testing;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc < 4 || (mode == "send" && argc != 5) || (mode != "send" && argc != 4)) {
    std::fprintf(stderr,
                 "usage: fl_udp send ADDR PORT COUNT | fl_udp recv ADDR PORT | fl_udp end ADDR PORT\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[3]));
  if (mode == "send") {
    const long sent = send_datagrams(argv[2], port, std::atoi(argv[4]));
    std::printf("sent %ld\n", sent);
    return sent < 0 ? 1 : 0;
  }
  if (mode == "end") {
    auto st = send_end_marker(argv[2], port);
    if (!st) std::fprintf(stderr, "%s\n", st.error().describe().c_str());
    return st ? 0 : 1;
  }
  if (mode == "recv") {
    auto fd = open_receiver(argv[2], port);
    if (!fd) {
      std::fprintf(stderr, "%s\n", fd.error().describe().c_str());
      return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    auto got = tally_until_end(fd->get(), 300, 120000);
    if (!got) {
      std::fprintf(stderr, "%s\n", got.error().describe().c_str());
      return 1;
    }
    std::uint32_t highest = 0;
    for (auto seq : got->seqs)
      highest = seq + 1 > highest ? seq + 1 : highest;
    const LossRuns runs = loss_runs(got->seqs, highest);
    std::printf("received %zu bursts %ld duplicates %ld corrupt %ld\n", got->seqs.size() + got->corrupt,
                runs.bursts, duplicates(got->seqs), got->corrupt);
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fl_udp: %s\n", e.what());
    return 1;
  }
}
