#include "backends/net_match.hpp"

#include <array>
#include <cstring>

namespace faultline::backends {
namespace {

std::uint8_t protocol_number(policy::Protocol p) {
  switch (p) {
  case policy::Protocol::tcp: return 6;
  case policy::Protocol::udp: return 17;
  case policy::Protocol::icmp: return FL_IPPROTO_ICMP_ANY; // ICMP and ICMPv6
  case policy::Protocol::any: break;
  }
  return 0;
}

} // namespace

fl_net_match net_match(const policy::NetworkFault& n) {
  fl_net_match m{};
  m.protocol = protocol_number(n.protocol);
  if (n.connect_delay_ns) {
    m.protocol = 6; // TCP
    m.syn_only = 1;
  }
  if (n.peer) {
    m.family = n.peer->family == 6 ? FL_FAMILY_IPV6 : FL_FAMILY_IPV4;
    m.prefix = n.peer->prefix;
    // The mask as bytes in network order over the same 16 bytes as the address.
    std::array<std::uint8_t, 16> mask{};
    for (unsigned bit = 0; bit < n.peer->prefix; ++bit)
      mask[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    std::memcpy(m.peer, n.peer->addr.data(), sizeof(m.peer));
    std::memcpy(m.mask, mask.data(), sizeof(m.mask));
  }
  m.port_min = n.port.min;
  m.port_max = n.port.max;
  return m;
}

bool shapes(const policy::NetworkFault& n) { return n.delay_ns || n.rate_bps || n.connect_delay_ns; }
bool drops(const policy::NetworkFault& n) { return n.loss || n.loss_model || n.blackhole; }

} // namespace faultline::backends
