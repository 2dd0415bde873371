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

// Counts datagrams until none arrived for `quiet_ms`. Only for a sender that has already
// finished: a quiet period can pass before a slow sender starts.
long drain_datagrams(int fd, int quiet_ms = 300);

// The end marker: a datagram with this payload means "the sender is done".
inline constexpr char kEndMarker[] = "faultline-end";

// Sends the end marker (from the calling process: the caller keeps it out of any fault).
Status send_end_marker(const char* addr, std::uint16_t port);

// Counts data datagrams until the end marker arrives, then what is still in flight (`quiet_ms`
// without traffic). Never ends on silence before the marker, however late the sender starts;
// after `timeout_ms` without a marker it fails rather than report a wrong count.
Result<long> count_until_end(int fd, int quiet_ms, int timeout_ms);

} // namespace faultline::testing
