// UDP traffic for loss measurements: a sender that fires N datagrams, a receiver that counts.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::testing {

// Addresses are IPv4 ("192.0.2.2") or IPv6 ("2001:db8::2"), told apart by their form.

// Sends `count` datagrams to addr:port from a fresh socket (made by the calling process, so
// it belongs to that process's cgroup), each carrying its sequence number 0..count-1 in its
// first 4 bytes and its complement in the next 4. Returns how many sendto() calls succeeded (faultline's
// drops are silent: all).
long send_datagrams(const char* addr, std::uint16_t port, int count);

// A bound UDP socket with a large receive buffer, so the test itself loses nothing.
Result<kernel::UniqueFd> open_receiver(const char* addr, std::uint16_t port);

// Counts datagrams until none arrived for `quiet_ms`. Only for a sender that has already
// finished: a quiet period can pass before a slow sender starts.
long drain_datagrams(int fd, int quiet_ms = 300);

// What a receiver saw: the sequence numbers of intact datagrams in arrival order (duplicates
// repeat), and how many arrived damaged (bytes 4..7 must be the complement of the sequence
// number, the rest of the 64 bytes zero).
struct Tally {
  std::vector<std::uint32_t> seqs;
  long corrupt = 0;
};

// Until `quiet_ms` pass without traffic.
Tally drain_tally(int fd, int quiet_ms = 300);
std::vector<std::uint32_t> drain_sequence(int fd, int quiet_ms = 300);
// Sequence numbers received more than once, counted beyond the first.
long duplicates(const std::vector<std::uint32_t>& seqs);

// The end marker: a datagram with this payload means "the sender is done".
inline constexpr char kEndMarker[] = "faultline-end";

// Sends the end marker (from the calling process: the caller keeps it out of any fault).
Status send_end_marker(const char* addr, std::uint16_t port);

// Counts data datagrams until the end marker arrives, then what is still in flight (`quiet_ms`
// without traffic). Never ends on silence before the marker, however late the sender starts;
// after `timeout_ms` without a marker it fails rather than report a wrong count.
Result<long> count_until_end(int fd, int quiet_ms, int timeout_ms);
Result<Tally> tally_until_end(int fd, int quiet_ms, int timeout_ms);

// Runs of consecutive losses among sequence numbers 0..sent-1: bursty loss shows as few, long
// bursts; independent loss as many bursts of about 1 / (1 - loss).
struct LossRuns {
  long lost = 0;
  long bursts = 0;
};
LossRuns loss_runs(const std::vector<std::uint32_t>& seqs, std::uint32_t sent);

} // namespace faultline::testing
