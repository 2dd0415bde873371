#include "faults/network/net_match.hpp"

#include <cstring>

#include "engine/abi_encode.hpp"

namespace faultline::faults {
namespace {

std::uint8_t protocol_number(Protocol p) {
  switch (p) {
  case Protocol::tcp: return 6;
  case Protocol::udp: return 17;
  case Protocol::icmp: return FL_IPPROTO_ICMP_ANY; // ICMP and ICMPv6
  case Protocol::any: break;
  }
  return 0;
}

} // namespace

fl_net_match net_match(const NetworkFault& n) {
  fl_net_match m{};
  m.peer = engine::peer_match(n.peer, n.port);
  m.protocol = protocol_number(n.protocol);
  if (n.connect_delay_ns) {
    m.protocol = 6; // TCP
    m.syn_only = 1;
  }
  return m;
}

bool shapes(const NetworkFault& n) {
  return n.delay_ns || n.rate_bps || n.connect_delay_ns ||
         (n.dns && n.dns->action == DnsFault::Action::delay);
}
bool drops(const NetworkFault& n) {
  return n.loss || n.loss_model || n.blackhole || (n.dns && n.dns->action == DnsFault::Action::drop);
}

std::uint64_t shape_delay_ns(const NetworkFault& n) {
  if (n.connect_delay_ns) return *n.connect_delay_ns;
  if (n.dns) return n.dns->delay_ns;
  return n.delay_ns.value_or(0);
}

bool answers(const NetworkFault& n) {
  return n.dns &&
         (n.dns->action == DnsFault::Action::nxdomain || n.dns->action == DnsFault::Action::servfail);
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

fl_rule net_rule(fl_action action, const fl_net_match& match, const fl_net_effect& effect) {
  fl_rule r{};
  r.effect.action = action;
  fl_net_rule part{};
  part.match = match;
  part.effect = effect;
  engine::set_family_part(r, part);
  return r;
}

std::vector<fl_net_match> dns_matches(const NetworkFault& n) {
  std::vector<fl_net_match> out;
  if (!n.dns) return {net_match(n)};
  for (const auto& name : n.dns->names) {
    fl_net_match m = net_match(n);
    m.protocol = 17; // UDP
    m.peer.port_min = m.peer.port_max = 53;
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

} // namespace faultline::faults
