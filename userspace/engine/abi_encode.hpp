// Policy values in the kernel ABI's form, shared by every family's compile step: triggers,
// errno effects, peer and port filters. One place, so each field of the ABI has one encoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/backend.hpp"
#include "faultline/abi.h"
#include "policy/policy.hpp"

namespace faultline::engine {

std::uint32_t probability_threshold(double probability); // bpf_get_prandom_u32() < threshold
fl_trigger make_trigger(const policy::Trigger& t, std::optional<double> probability, const BuildContext& ctx);
// An FL_ACT_ERRNO effect for a weighted errno mix (cumulative thresholds, the last always).
fl_effect errno_effect(const policy::ErrnoMix& mix);
// A peer prefix (IPv4 or IPv6) and port range: what packet filters and syscall address filters
// compare against. Protocol and DNS fields are left 0 (any).
fl_net_match peer_match(const std::optional<policy::Cidr>& peer, policy::PortRange port);
// A path prefix compared on component boundaries (a trailing '/' dropped, but of "/").
fl_file_match path_match(std::string_view prefix);

} // namespace faultline::engine
