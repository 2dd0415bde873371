#include "policy/units.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace faultline::policy {
namespace {

// Splits "12.5ms" into 12.5 and "ms"; nullopt when there is no leading number.
std::optional<std::pair<double, std::string_view>> number_and_unit(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  const std::string_view num = text.substr(0, i);
  if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return std::nullopt;
  // from_chars, not stod: a number too large for a double is a refusal, not an exception.
  double value = 0;
  const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
  if (ec != std::errc() || ptr != num.data() + num.size() || !std::isfinite(value)) return std::nullopt;
  return std::pair{value, text.substr(i)};
}

// The only door from double to integer: NaN, infinities, negatives and values past uint64 are
// refused instead of cast (undefined behaviour).
std::optional<std::uint64_t> to_uint64(double v) {
  if (!(v >= 0.0 && v < 18446744073709551616.0)) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

using Unit = std::pair<std::string_view, double>;

constexpr std::array<Unit, 6> kDurationUnits = {
    {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}}};
constexpr std::array<Unit, 9> kSizeUnits = {{{"", 1},
                                             {"B", 1},
                                             {"Ki", 1024.0},
                                             {"Mi", 1048576.0},
                                             {"Gi", 1073741824.0},
                                             {"K", 1e3},
                                             {"k", 1e3},
                                             {"M", 1e6},
                                             {"G", 1e9}}};
// tc's spelling: bit/kbit/mbit/gbit are bits per second; bps/kbps/mbps/gbps are bytes.
constexpr std::array<Unit, 8> kRateUnits = {{{"bit", 1},
                                             {"kbit", 1e3},
                                             {"mbit", 1e6},
                                             {"gbit", 1e9},
                                             {"bps", 8},
                                             {"kbps", 8e3},
                                             {"mbps", 8e6},
                                             {"gbps", 8e9}}};

template <size_t N> std::optional<double> scale_of(std::string_view unit, const std::array<Unit, N>& table) {
  for (const auto& [name, scale] : table)
    if (unit == name) return scale;
  return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || v > max) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_duration_ns(std::string_view text) {
  // A sequence of number+unit terms: "1h", "1m30s", "250ms", "1.5s".
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    auto term = number_and_unit(text);
    if (!term) return std::nullopt;
    auto [value, rest] = *term;
    size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len])))
      ++unit_len;
    const std::string_view unit = rest.substr(0, unit_len);
    const auto scale = scale_of(unit, kDurationUnits);
    if (!scale) return std::nullopt;
    total += value * *scale;
    text = rest.substr(unit_len);
  }
  return to_uint64(std::round(total));
}

std::optional<double> parse_percent(std::string_view text) {
  auto term = number_and_unit(text);
  if (!term || term->second != "%") return std::nullopt;
  return term->first / 100.0;
}

std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
  auto term = number_and_unit(text);
  if (!term) return std::nullopt;
  const auto [v, unit] = *term;
  const auto scale = scale_of(unit, kSizeUnits);
  if (!scale) return std::nullopt;
  return to_uint64(v * *scale);
}

std::optional<std::uint64_t> parse_rate_bps(std::string_view text) {
  auto term = number_and_unit(text);
  if (!term) return std::nullopt;
  const auto [v, unit] = *term;
  const auto bits = scale_of(unit, kRateUnits);
  if (!bits) return std::nullopt;
  return to_uint64(v * *bits);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  Cidr c;
  c.family = addr.find(':') != std::string::npos ? 6 : 4;
  if (::inet_pton(c.family == 6 ? AF_INET6 : AF_INET, addr.c_str(), c.addr.data()) != 1) return std::nullopt;
  const unsigned bits = c.family == 6 ? 128 : 32;
  c.prefix = static_cast<std::uint8_t>(bits);
  if (slash != std::string_view::npos) {
    auto prefix = parse_uint(text.substr(slash + 1), bits);
    if (!prefix) return std::nullopt;
    c.prefix = static_cast<std::uint8_t>(*prefix);
  }
  // Host bits set ("10.0.0.1/8") are almost surely a typo.
  for (unsigned bit = c.prefix; bit < bits; ++bit)
    if (c.addr[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
  return c;
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  const size_t dash = text.find('-');
  auto lo = parse_uint(text.substr(0, dash), 65535);
  if (!lo || *lo == 0) return std::nullopt;
  auto hi = lo;
  if (dash != std::string_view::npos) hi = parse_uint(text.substr(dash + 1), 65535);
  if (!hi || *hi < *lo) return std::nullopt;
  return PortRange{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)};
}

} // namespace faultline::policy
