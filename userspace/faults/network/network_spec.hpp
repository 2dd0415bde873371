// The network family's section of a fault (`network: {...}`), as its parser validated it.
#pragma once

#include "policy/policy.hpp"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::faults {

using policy::Cidr;
using policy::ErrnoMix;
using policy::PortRange;

enum class Direction { egress, ingress, both };
enum class Protocol { any, tcp, udp, icmp };

// Bursty loss (network.loss: {model: gilbert-elliott, ...}): a two-state Markov chain per target.
struct GilbertElliott {
  double p = 0;    // good -> bad, per packet
  double r = 1;    // bad -> good, per packet
  double bad = 1;  // loss in the bad state
  double good = 0; // loss in the good state
};

// network.dns: queries for these names (UDP to port 53) are dropped, delayed or answered with a
// failure (NXDOMAIN, SERVFAIL) in place of the server.
struct DnsFault {
  enum class Action { drop, delay, nxdomain, servfail };
  std::vector<std::string> names; // lowercase, no trailing dot; "*.x.y" = any name under x.y
  Action action = Action::drop;
  std::uint64_t delay_ns = 0; // action delay
};

struct NetworkFault {
  Direction direction = Direction::egress;
  std::optional<double> loss; // fraction 0..1 (Bernoulli)
  std::optional<GilbertElliott> loss_model;
  bool blackhole = false; // 100% drop
  std::optional<std::uint64_t> delay_ns;
  std::optional<std::uint64_t> jitter_ns;
  std::optional<std::uint64_t> connect_delay_ns; // only the SYN of each new TCP connection
  std::optional<std::uint64_t> rate_bps;
  std::optional<double> corrupt;
  bool corrupt_breaks_checksum = false; // corrupt: {checksum: broken}: the receiver's stack drops it
  std::optional<double> duplicate;
  std::optional<DnsFault> dns;
  Protocol protocol = Protocol::any;
  std::optional<Cidr> peer;
  PortRange port;
};

} // namespace faultline::faults
