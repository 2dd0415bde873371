// UDP traffic for loss measurements: a sender that fires N datagrams, a receiver that counts.
#pragma once

#include <cstdint>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::testing {

// Sends `count` datagrams to addr:port from a fresh socket (made by the calling process, so
// it belongs to that process's cgroup). Returns how many sendto() calls succeeded; datagrams
// dropped by a cgroup egress program fail with EPERM and are not counted.
long send_datagrams(const char* addr, std::uint16_t port, int count);

// A bound UDP socket with a large receive buffer, so the test itself loses nothing.
Result<kernel::UniqueFd> open_receiver(const char* addr, std::uint16_t port);

// Counts datagrams until none arrived for `quiet_ms`.
long drain_datagrams(int fd, int quiet_ms = 300);

} // namespace faultline::testing
