// What every network backend shares: the packet filter of a fault in the ABI's form, and which
// kind of effect a fault asks for.
#pragma once

#include <optional>
#include <vector>

#include "faultline/abi.h"
#include "policy/policy.hpp"

namespace faultline::backends {

fl_net_match net_match(const policy::NetworkFault& n); // protocol, peer (IPv4/IPv6), ports
// A peer prefix and port range alone (also what syscall filters compare a sockaddr against).
fl_net_match peer_match(const std::optional<policy::Cidr>& peer, policy::PortRange port);
bool shapes(const policy::NetworkFault& n);  // delay, jitter, rate, connect delay, dns delay
bool drops(const policy::NetworkFault& n);   // loss (any model), blackhole, dns drop
bool answers(const policy::NetworkFault& n); // dns nxdomain, servfail
// The departure delay a shaping fault sets: connectDelay, a dns delay, or delay.
std::uint64_t shape_delay_ns(const policy::NetworkFault& n);
// The match of each rule a fault needs: one per DNS name (a dns fault), else net_match alone.
std::vector<fl_net_match> dns_matches(const policy::NetworkFault& n);

} // namespace faultline::backends
