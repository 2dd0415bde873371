#include "policy/units.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace faultline::policy {
namespace {

// Splits "12.5ms" into 12.5 and "ms"; nullopt when there is no leading number.
std::optional<std::pair<double, std::string_view>> number_and_unit(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  const std::string num(text.substr(0, i));
  if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return std::nullopt;
  return std::pair{std::stod(num), text.substr(i)};
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
    double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return std::nullopt;
    total += value * scale;
    text = rest.substr(unit_len);
  }
  if (total > 1e19) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(total));
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
  double scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "Ki")
    scale = 1024.0;
  else if (unit == "Mi")
    scale = 1024.0 * 1024;
  else if (unit == "Gi")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "K" || unit == "k")
    scale = 1e3;
  else if (unit == "M")
    scale = 1e6;
  else if (unit == "G")
    scale = 1e9;
  else
    return std::nullopt;
  return static_cast<std::uint64_t>(v * scale);
}

std::optional<std::uint64_t> parse_rate_bps(std::string_view text) {
  // tc's spelling: bit/kbit/mbit/gbit are bits per second; bps/kbps/mbps/gbps are bytes.
  auto term = number_and_unit(text);
  if (!term) return std::nullopt;
  const auto [v, unit] = *term;
  double bits = 0;
  if (unit == "bit")
    bits = 1;
  else if (unit == "kbit")
    bits = 1e3;
  else if (unit == "mbit")
    bits = 1e6;
  else if (unit == "gbit")
    bits = 1e9;
  else if (unit == "bps")
    bits = 8;
  else if (unit == "kbps")
    bits = 8e3;
  else if (unit == "mbps")
    bits = 8e6;
  else if (unit == "gbps")
    bits = 8e9;
  else
    return std::nullopt;
  return static_cast<std::uint64_t>(v * bits);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  in_addr a{};
  if (::inet_pton(AF_INET, addr.c_str(), &a) != 1) return std::nullopt;
  Cidr c;
  c.addr = ntohl(a.s_addr);
  if (slash != std::string_view::npos) {
    auto prefix = parse_uint(text.substr(slash + 1), 32);
    if (!prefix) return std::nullopt;
    c.prefix = static_cast<std::uint8_t>(*prefix);
  }
  const std::uint32_t mask = c.prefix == 0 ? 0 : ~0u << (32 - c.prefix);
  if ((c.addr & ~mask) != 0) return std::nullopt; // host bits set: almost surely a typo
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
