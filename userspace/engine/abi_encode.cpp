#include "engine/abi_encode.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace faultline::engine {

std::uint32_t probability_threshold(double probability) {
  if (!(probability > 0.0)) return 0; // also NaN: never
  if (probability >= 1.0) return FL_PROB_ALWAYS;
  // A positive rate below the kernel's 2^-32 step is its smallest step, not 0 (never).
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::floor(probability * 4294967296.0)));
}

fl_trigger make_trigger(const policy::Trigger& t, std::optional<double> probability,
                        const BuildContext& ctx) {
  fl_trigger out{};
  out.start_ns = ctx.start_ns + t.start_ns;
  out.deadline_ns = ctx.deadline_ns;
  out.probability = probability_threshold(probability.value_or(t.probability.value_or(1.0)));
  out.every = t.every;
  out.after = t.after;
  out.times = t.times;
  return out;
}

fl_effect errno_effect(const policy::ErrnoMix& mix) {
  fl_effect e{};
  e.action = FL_ACT_ERRNO;
  double cumulative = 0;
  for (const auto& choice : mix) {
    if (e.nerr == FL_MAX_ERRNOS) break; // the parser allows no more
    cumulative += choice.weight;
    e.errs[e.nerr++] = {choice.err, probability_threshold(cumulative)};
  }
  if (e.nerr > 0) e.errs[e.nerr - 1].threshold = FL_PROB_ALWAYS; // rounding never leaves a gap
  return e;
}

fl_peer_match peer_match(const std::optional<policy::Cidr>& peer, policy::PortRange port) {
  fl_peer_match m{};
  if (peer) {
    m.family = peer->family == 6 ? FL_FAMILY_IPV6 : FL_FAMILY_IPV4;
    m.prefix = peer->prefix;
    // The mask as bytes in network order over the same 16 bytes as the address.
    std::array<std::uint8_t, 16> mask{};
    for (unsigned bit = 0; bit < peer->prefix; ++bit)
      mask[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    std::memcpy(m.addr, peer->addr.data(), sizeof(m.addr));
    std::memcpy(m.mask, mask.data(), sizeof(m.mask));
  }
  m.port_min = port.min;
  m.port_max = port.max;
  return m;
}

fl_path_match path_match(std::string_view prefix) {
  fl_path_match m{};
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.remove_suffix(1);
  prefix = prefix.substr(0, sizeof(m.prefix) - 1); // the parser allows no more
  m.prefix_len = static_cast<std::uint32_t>(prefix.size());
  std::memcpy(m.prefix, prefix.data(), prefix.size());
  return m;
}

} // namespace faultline::engine
