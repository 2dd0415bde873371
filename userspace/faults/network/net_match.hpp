// What every network backend shares: the packet filter of a fault in the ABI's form, and which
// kind of effect a fault asks for.
#pragma once

#include <optional>
#include <vector>

#include "faultline/abi.h"
#include "faults/network/network_spec.hpp"
#include "network/abi.h"

namespace faultline::faults {

fl_net_match net_match(const NetworkFault& n); // protocol, peer (IPv4/IPv6), ports
bool shapes(const NetworkFault& n);            // delay, jitter, rate, connect delay, dns delay
bool drops(const NetworkFault& n);             // loss (any model), blackhole, dns drop
bool answers(const NetworkFault& n);           // dns nxdomain, servfail
// The departure delay a shaping fault sets: connectDelay, a dns delay, or delay.
std::uint64_t shape_delay_ns(const NetworkFault& n);
// The match of each rule a fault needs: one per DNS name (a dns fault), else net_match alone.
std::vector<fl_net_match> dns_matches(const NetworkFault& n);
// A rule of this family: its action, its packet filter and its effect's parameters in the rule's
// family part (the trigger is the caller's).
fl_rule net_rule(fl_action action, const fl_net_match& match, const fl_net_effect& effect = {});

} // namespace faultline::faults
