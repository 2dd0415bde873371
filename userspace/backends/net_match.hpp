// What every network backend shares: the packet filter of a fault in the ABI's form, and which
// kind of effect a fault asks for.
#pragma once

#include "faultline/abi.h"
#include "policy/policy.hpp"

namespace faultline::backends {

fl_net_match net_match(const policy::NetworkFault& n); // protocol, peer (IPv4/IPv6), ports
bool shapes(const policy::NetworkFault& n);            // delay, jitter or rate
bool drops(const policy::NetworkFault& n);             // loss (any model) or blackhole

} // namespace faultline::backends
