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

fl_net_match peer_match(const std::optional<policy::Cidr>& peer, policy::PortRange port) {
  fl_net_match m{};
  if (peer) {
    m.family = peer->family == 6 ? FL_FAMILY_IPV6 : FL_FAMILY_IPV4;
    m.prefix = peer->prefix;
    // The mask as bytes in network order over the same 16 bytes as the address.
    std::array<std::uint8_t, 16> mask{};
    for (unsigned bit = 0; bit < peer->prefix; ++bit)
      mask[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    std::memcpy(m.peer, peer->addr.data(), sizeof(m.peer));
    std::memcpy(m.mask, mask.data(), sizeof(m.mask));
  }
  m.port_min = port.min;
  m.port_max = port.max;
  return m;
}

fl_net_match net_match(const policy::NetworkFault& n) {
  fl_net_match m = peer_match(n.peer, n.port);
  m.protocol = protocol_number(n.protocol);
  if (n.connect_delay_ns) {
    m.protocol = 6; // TCP
    m.syn_only = 1;
  }
  return m;
}

bool shapes(const policy::NetworkFault& n) {
  return n.delay_ns || n.rate_bps || n.connect_delay_ns ||
         (n.dns && n.dns->action == policy::DnsFault::Action::delay);
}
bool drops(const policy::NetworkFault& n) {
  return n.loss || n.loss_model || n.blackhole || (n.dns && n.dns->action == policy::DnsFault::Action::drop);
}

std::uint64_t shape_delay_ns(const policy::NetworkFault& n) {
  if (n.connect_delay_ns) return *n.connect_delay_ns;
  if (n.dns) return n.dns->delay_ns;
  return n.delay_ns.value_or(0);
}

bool answers(const policy::NetworkFault& n) {
  return n.dns && (n.dns->action == policy::DnsFault::Action::nxdomain ||
                   n.dns->action == policy::DnsFault::Action::servfail);
}

namespace {
// "db.internal" -> "\x02db\x08internal\x00". The parser has checked the labels (1..62 bytes in
// all, no empty label), so the result fits FL_DNS_NAME_MAX.
std::string wire_name(const std::string& dotted) {
  std::string out;
  std::size_t begin = 0;
  while (begin <= dotted.size()) {
    std::size_t end = dotted.find('.', begin);
    if (end == std::string::npos) end = dotted.size();
    out.push_back(static_cast<char>(end - begin));
    out.append(dotted, begin, end - begin);
    begin = end + 1;
  }
  out.push_back('\0');
  return out;
}
} // namespace

std::vector<fl_net_match> dns_matches(const policy::NetworkFault& n) {
  std::vector<fl_net_match> out;
  if (!n.dns) return {net_match(n)};
  for (const auto& name : n.dns->names) {
    fl_net_match m = net_match(n);
    m.protocol = 17; // UDP
    m.port_min = m.port_max = 53;
    const bool wildcard = name.rfind("*.", 0) == 0;
    // Wire form, as the query carries it: "*.db.internal" -> 2db8internal0 (a suffix).
    const std::string text = wire_name(wildcard ? name.substr(2) : name);
    m.dns_flags = wildcard ? FL_DNS_SUFFIX : 0;
    m.dns_len = static_cast<std::uint8_t>(text.size());
    std::memcpy(m.dns_name, text.data(), text.size());
    out.push_back(m);
  }
  return out;
}

} // namespace faultline::backends
