// Typed, located access to a YAML tree. Every failure names file:line:col, the field's path and
// what would be valid. Used by the parser and by each family's section parser (policy/fault_section.hpp);
// parse_policy() turns the exception into an Error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace faultline::policy {

class PolicyError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A node plus the dotted path that led to it ("spec.faults[1].network.loss").
class Field {
public:
  Field(const std::string* file, const YAML::Node& node, std::string path)
      : file_(file), node_(node), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& message) const;
  Location location() const;
  const std::string& path() const { return path_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  // Maps: rejects keys outside `allowed` (suggesting the closest) and duplicate keys.
  void expect_keys(std::initializer_list<const char*> allowed) const;
  void expect_keys(const std::vector<std::string>& allowed) const;
  bool has(const char* key) const;
  Field get(const char* key) const; // must exist
  std::optional<Field> find(const char* key) const;
  std::vector<std::string> keys() const;
  // Sequences.
  std::vector<Field> items() const;

  // Scalars.
  std::string str() const;
  bool boolean() const;
  std::uint64_t uint(std::uint64_t max) const;
  std::uint64_t duration_ns() const;
  double number() const;  // a finite decimal: 0.05, -3, 1e6
  double percent() const; // "5%" -> 0.05, within 0%..100%
  std::uint64_t size_bytes() const;
  std::uint64_t rate_bps() const;
  Cidr cidr() const;
  PortRange ports() const;
  int errno_value() const;
  // `EIO` or a weighted mix `{EIO: 70%, ENOSPC: 30%}` whose weights sum to 100%.
  ErrnoMix errno_mix() const;
  int signal_value() const;

private:
  const std::string* file_;
  YAML::Node node_;
  std::string path_;
};

} // namespace faultline::policy
