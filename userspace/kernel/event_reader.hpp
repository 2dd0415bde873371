// Reads the programs' ring buffer (fl_events) on a thread of its own and hands each record to a
// sink. The programs rate-limit what they write and count what they could not (events dropped),
// so a reader that falls behind loses records visibly, never silently.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "faultline/abi.h"
#include "kernel/bpf_handles.hpp"
#include "util/result.hpp"

namespace faultline::kernel {

class EventReader {
public:
  using Sink = std::function<void(const fl_event&)>;

  // `map_fd`: the BPF_MAP_TYPE_RINGBUF map. The sink runs on the reader's thread.
  static Result<std::unique_ptr<EventReader>> start(int map_fd, Sink sink);
  ~EventReader(); // stops the thread after one last drain
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  std::uint64_t read() const { return read_.load(); }     // records handed to the sink
  std::uint64_t malformed() const { return bad_.load(); } // records of the wrong size (never expected)

private:
  explicit EventReader(Sink sink) : sink_(std::move(sink)) {}
  static int on_record(void* ctx, void* data, std::size_t size);

  Sink sink_;
  RingBuffer rb_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> read_{0};
  std::atomic<std::uint64_t> bad_{0};
  std::thread thread_;
};

} // namespace faultline::kernel
