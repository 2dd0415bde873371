#include "policy/yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "faultline/abi.h"
#include "policy/names.hpp"
#include "policy/units.hpp"

namespace faultline::policy {
namespace {

constexpr std::size_t kMaxScalarBytes = 1024;

// The offset of the first byte that is a control character or not valid UTF-8, if any.
std::optional<std::size_t> first_unprintable(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return i;
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
    i += len;
  }
  return std::nullopt;
}

// At most `max` bytes of s, with anything unprintable as \xNN.
std::string printable(const std::string& s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
  }
  return out;
}

} // namespace

namespace {

std::string with_suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string guess = closest(word, candidates);
  return guess.empty() ? "" : fmt::format(" (did you mean {}?)", guess);
}

const char* kind_of(const YAML::Node& n) {
  switch (n.Type()) {
  case YAML::NodeType::Map: return "a map";
  case YAML::NodeType::Sequence: return "a list";
  case YAML::NodeType::Scalar: return "a scalar";
  case YAML::NodeType::Null: return "empty";
  case YAML::NodeType::Undefined: break;
  }
  return "missing";
}

} // namespace

Location Field::location() const {
  const YAML::Mark m = node_.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

void Field::fail(const std::string& message) const {
  const Location l = location();
  if (path_.empty()) throw PolicyError(fmt::format("{}:{}:{}: {}", *file_, l.line, l.column, message));
  throw PolicyError(fmt::format("{}:{}:{}: {}: {}", *file_, l.line, l.column, path_, message));
}

void Field::expect_keys(std::initializer_list<const char*> allowed) const {
  expect_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void Field::expect_keys(const std::vector<std::string>& allowed) const {
  if (!node_.IsMap()) fail(fmt::format("expected a map, found {}", kind_of(node_)));
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    Field key(file_, kv.first, path_);
    if (!kv.first.IsScalar()) key.fail("keys must be plain words");
    const std::string k = kv.first.Scalar();
    if (!seen.insert(k).second) key.fail(fmt::format("duplicate key '{}'", k));
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string valid;
      for (const auto& a : allowed)
        valid += (valid.empty() ? "" : ", ") + a;
      key.fail(fmt::format("unknown key '{}'{}; valid keys: {}", k, with_suggestion(k, allowed), valid));
    }
  }
}

bool Field::has(const char* key) const { return node_.IsMap() && node_[key].IsDefined(); }

std::optional<Field> Field::find(const char* key) const {
  if (!has(key)) return std::nullopt;
  return Field(file_, node_[key], path_.empty() ? key : path_ + "." + key);
}

Field Field::get(const char* key) const {
  auto f = find(key);
  if (!f) fail(fmt::format("missing required key '{}'", key));
  return *f;
}

std::vector<std::string> Field::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : node_)
    out.push_back(kv.first.Scalar());
  return out;
}

std::vector<Field> Field::items() const {
  if (!node_.IsSequence()) fail(fmt::format("expected a list, found {}", kind_of(node_)));
  std::vector<Field> out;
  size_t i = 0;
  for (const auto& item : node_)
    out.emplace_back(file_, item, fmt::format("{}[{}]", path_, i++));
  return out;
}

std::string Field::str() const {
  if (!node_.IsScalar()) fail(fmt::format("expected a value, found {}", kind_of(node_)));
  const std::string& s = node_.Scalar();
  // No policy value is legitimately long or binary; refusing here keeps every later message
  // short and printable.
  if (s.size() > kMaxScalarBytes)
    fail(fmt::format("a value of {} bytes ('{}...'); values are at most {} bytes", s.size(), printable(s, 40),
                     kMaxScalarBytes));
  if (auto bad = first_unprintable(s))
    fail(fmt::format("'{}' holds a control character or invalid UTF-8 at byte {}", printable(s, 60), *bad));
  return s;
}

bool Field::boolean() const {
  const std::string s = str();
  if (s == "true") return true;
  if (s == "false") return false;
  fail(fmt::format("'{}' is not a boolean; write true or false", s));
}

std::uint64_t Field::uint(std::uint64_t max) const {
  const std::string s = str();
  auto v = parse_uint(s, max);
  if (!v) fail(fmt::format("'{}' is not a whole number in 0..{}", s, max));
  return *v;
}

std::uint64_t Field::duration_ns() const {
  const std::string s = str();
  auto v = parse_duration_ns(s);
  if (!v) fail(fmt::format("'{}' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m", s));
  return *v;
}

double Field::number() const {
  const std::string s = str();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    fail(fmt::format("'{}' is not a number; write e.g. 0.05, 100 or 1e6", s));
  return v;
}

double Field::percent() const {
  const std::string s = str();
  auto v = parse_percent(s);
  if (!v) fail(fmt::format("'{}' is not a percentage; write e.g. 5% or 0.5%", s));
  if (*v < 0.0 || *v > 1.0) fail(fmt::format("'{}' is out of range; expected 0%..100%", s));
  return *v;
}

std::uint64_t Field::size_bytes() const {
  const std::string s = str();
  auto v = parse_size_bytes(s);
  if (!v) fail(fmt::format("'{}' is not a size; write e.g. 256Mi, 1Gi, 500M", s));
  return *v;
}

std::uint64_t Field::rate_bps() const {
  const std::string s = str();
  auto v = parse_rate_bps(s);
  if (!v || *v == 0) fail(fmt::format("'{}' is not a rate; write e.g. 1mbit, 500kbit, 10mbps", s));
  return *v;
}

Cidr Field::cidr() const {
  const std::string s = str();
  auto v = parse_cidr(s);
  if (!v)
    fail(fmt::format("'{}' is not an IPv4 or IPv6 address or CIDR (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, "
                     "host bits clear)",
                     s));
  return *v;
}

PortRange Field::ports() const {
  const std::string s = str();
  auto v = parse_port_range(s);
  if (!v) fail(fmt::format("'{}' is not a port or range; write e.g. 5432 or 8000-8080 (1..65535)", s));
  return *v;
}

int Field::errno_value() const {
  const std::string s = str();
  auto v = errno_from_name(s);
  if (!v) fail(fmt::format("unknown errno '{}'{}", s, with_suggestion(s, errno_names())));
  return *v;
}

ErrnoMix Field::errno_mix() const {
  if (!is_map()) return {{errno_value(), 1.0}};
  ErrnoMix mix;
  long long basis_points = 0; // summed exactly: 3 x 33.33% + 0.01% is 100%, whatever the floats say
  for (const auto& key : keys()) {
    const Field weight = get(key.c_str());
    auto err = errno_from_name(key);
    if (!err) weight.fail(fmt::format("unknown errno '{}'{}", key, with_suggestion(key, errno_names())));
    const double w = weight.percent();
    if (w <= 0) weight.fail("a weight of 0% never fires; leave the errno out");
    mix.push_back({*err, w});
    basis_points += std::llround(w * 10000);
  }
  if (mix.empty()) fail("give an errno, or a mix such as {EIO: 70%, ENOSPC: 30%}");
  if (mix.size() > FL_MAX_ERRNOS) fail(fmt::format("a mix holds at most {} errnos", FL_MAX_ERRNOS));
  if (basis_points != 10000)
    fail(fmt::format("the weights add up to {:g}%; they must add up to 100%", basis_points / 100.0));
  return mix;
}

int Field::signal_value() const {
  const std::string s = str();
  auto v = signal_from_name(s);
  if (!v) fail(fmt::format("unknown signal '{}'{}", s, with_suggestion(s, signal_names())));
  return *v;
}

} // namespace faultline::policy
