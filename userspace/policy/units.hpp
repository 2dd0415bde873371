// Unit-bearing scalars as users write them: durations ("250ms", "1m30s"), percentages ("5%"),
// sizes ("256Mi"), bit rates ("10mbit"), addresses ("10.0.0.0/8") and port ranges ("80-89").
// Each returns nullopt on malformed input; the caller words the error.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/policy.hpp"

namespace faultline::policy {

std::optional<std::uint64_t> parse_duration_ns(std::string_view text);
std::optional<double> parse_percent(std::string_view text); // "5%" -> 0.05; range not checked
std::optional<std::uint64_t> parse_size_bytes(std::string_view text);
std::optional<std::uint64_t> parse_rate_bps(std::string_view text);
std::optional<Cidr> parse_cidr(std::string_view text);
std::optional<PortRange> parse_port_range(std::string_view text);
std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max);

} // namespace faultline::policy
