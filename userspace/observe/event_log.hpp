// Injection events as users see them: decoded from the programs' ring buffer records (pid, comm,
// cgroup, which experiment and fault, what was done) and kept in a bounded log that readers
// page through by sequence number, waiting for the next one (`faultline events --follow`).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "faultline/abi.h"

namespace faultline::observe {

// Which experiment and fault a rule id belongs to (ids are handed out round robin, so an event
// read just after its experiment ended still finds its owner).
struct RuleOwner {
  std::string experiment;
  std::string fault;
};

struct Event {
  std::uint64_t seq = 0;       // 1, 2, ... in the order the daemon read them
  std::int64_t time_ns = 0;    // unix time of the injection
  std::uint32_t pid = 0;       // 0 for packets (no task context)
  std::string comm;            // empty for packets
  std::uint64_t cgroup_id = 0; // the cgroup of the task or socket
  std::string experiment;      // empty when its rule is no longer known
  std::string fault;
  std::string effect;   // "drop", "errno EIO", "signal SIGKILL", ...
  std::string where;    // the hook: "net egress", "file read", "syscall openat", ...
  bool dry_run = false; // counted, nothing injected
};

// `owner` from the controller; `mono_to_unix_ns` = unix time minus CLOCK_MONOTONIC, now.
Event decode_event(const fl_event& raw, const std::optional<RuleOwner>& owner, std::int64_t mono_to_unix_ns);
// One JSON line: {"seq", "time" (RFC 3339, UTC, microseconds), "pid", "comm", "cgroup",
// "experiment", "fault", "effect", "where", "dryRun"}.
nlohmann::json to_json(const Event& event);
// unix time minus CLOCK_MONOTONIC, read now.
std::int64_t mono_to_unix_offset_ns();

struct EventPage {
  std::vector<Event> events;
  std::uint64_t next = 0; // pass as `after` for the following page
  std::uint64_t lost = 0; // events after `after` already pushed out of the log (it is bounded)
};

class EventLog {
public:
  explicit EventLog(std::size_t capacity = 16384) : capacity_(capacity) {}

  void append(Event event); // assigns the sequence number
  // Events with seq > after, of `experiment` when it is not empty, at most `max`; when there is
  // none yet, waits up to `wait` for one (or close()).
  EventPage read(std::uint64_t after, const std::string& experiment, std::size_t max,
                 std::chrono::milliseconds wait);
  std::uint64_t appended() const;
  void close(); // wakes every reader: the daemon is going away

private:
  EventPage collect_locked(std::uint64_t after, const std::string& experiment, std::size_t max) const;

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  std::uint64_t last_seq_ = 0;
  bool closed_ = false;
};

} // namespace faultline::observe
