// Policy values in the kernel ABI's form, shared by every family's compile step: triggers,
// errno effects, peer and path filters, and the family's part of a rule. One place, so each
// field of the core ABI has one encoder.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "engine/backend.hpp"
#include "faultline/abi.h"
#include "policy/policy.hpp"

namespace faultline::engine {

std::uint32_t probability_threshold(double probability); // bpf_get_prandom_u32() < threshold
fl_trigger make_trigger(const policy::Trigger& t, std::optional<double> probability, const BuildContext& ctx);
// An FL_ACT_ERRNO effect for a weighted errno mix (cumulative thresholds, the last always).
fl_effect errno_effect(const policy::ErrnoMix& mix);
// A peer prefix (IPv4 or IPv6) and port range: what packet filters and syscall address filters
// compare against.
fl_peer_match peer_match(const std::optional<policy::Cidr>& peer, policy::PortRange port);
// A path prefix compared on component boundaries (a trailing '/' dropped, but of "/").
fl_path_match path_match(std::string_view prefix);

// The family's part of a rule (fl_rule.family), laid out by the family's ABI header
// (bpf/<family>/abi.h). Copied in and out, never aliased: the bytes are the map's.
template <class Part> void set_family_part(fl_rule& rule, const Part& part) {
  static_assert(std::is_trivially_copyable_v<Part> && sizeof(Part) <= sizeof(rule.family) &&
                alignof(Part) <= alignof(decltype(rule.family)));
  std::memcpy(rule.family, &part, sizeof(Part));
}
template <class Part> Part family_part(const fl_rule& rule) {
  static_assert(std::is_trivially_copyable_v<Part> && sizeof(Part) <= sizeof(rule.family));
  Part part;
  std::memcpy(&part, rule.family, sizeof(Part));
  return part;
}

} // namespace faultline::engine
