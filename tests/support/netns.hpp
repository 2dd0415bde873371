// Test networks: two network namespaces joined by a veth pair, made by the test and removed
// when it ends (also when it fails). Addresses are TEST-NET-1 (192.0.2.0/24) and never leave
// the pair.
#pragma once

#include <string>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::testing {

// Runs a shell command; its output goes to the test log.
Status run_command(const std::string& command);

class NetnsPair {
public:
  static Result<NetnsPair> create(const std::string& tag);
  NetnsPair(NetnsPair&& other) noexcept;
  NetnsPair& operator=(NetnsPair&&) = delete;
  ~NetnsPair();

  const std::string& ns_a() const { return ns_a_; } // sender side, 192.0.2.1
  const std::string& ns_b() const { return ns_b_; } // receiver side, 192.0.2.2
  static constexpr const char* kAddrA = "192.0.2.1";
  static constexpr const char* kAddrB = "192.0.2.2";
  static constexpr const char* kAddr6A = "2001:db8::1"; // documentation prefix, RFC 3849
  static constexpr const char* kAddr6B = "2001:db8::2";

private:
  NetnsPair(std::string a, std::string b) : ns_a_(std::move(a)), ns_b_(std::move(b)) {}
  std::string ns_a_;
  std::string ns_b_;
};

// Switches the calling thread into a named network namespace until destroyed. Sockets made
// meanwhile stay in that namespace.
class NetnsGuard {
public:
  static Result<NetnsGuard> enter(const std::string& name);
  NetnsGuard(NetnsGuard&&) noexcept = default;
  ~NetnsGuard();

private:
  explicit NetnsGuard(kernel::UniqueFd original) : original_(std::move(original)) {}
  kernel::UniqueFd original_;
};

} // namespace faultline::testing
