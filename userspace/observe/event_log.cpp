#include "observe/event_log.hpp"

#include <fmt/format.h>

#include <ctime>
#include <tuple>
#include <utility>

#include "faults/registry.hpp"

namespace faultline::observe {
namespace {

// The family whose hook it is names where it happened ("net egress", "syscall openat") and what
// it did ("drop", "errno EIO"); a hook no family knows is given by number.
std::pair<std::string, std::string> place_and_effect(const fl_event& raw) {
  for (const auto* family : faults::families())
    if (auto where = family->describe_hook(raw.hook, raw.sub)) {
      auto effect = family->describe_effect(raw.action, raw.err);
      return {*where, effect ? *effect : fmt::format("action {}", raw.action)};
    }
  return {fmt::format("hook {}", raw.hook), fmt::format("action {}", raw.action)};
}

std::string rfc3339_utc(std::int64_t unix_ns) {
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1000000000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unix_ns % 1000000000) / 1000);
}

} // namespace

std::int64_t mono_to_unix_offset_ns() {
  timespec real{};
  timespec mono{};
  ::clock_gettime(CLOCK_REALTIME, &real);
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  return (static_cast<std::int64_t>(real.tv_sec) - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
}

Event decode_event(const fl_event& raw, const std::optional<RuleOwner>& owner, std::int64_t mono_to_unix_ns) {
  Event e;
  e.time_ns = static_cast<std::int64_t>(raw.ts_ns) + mono_to_unix_ns;
  e.pid = raw.tgid; // the process, as ps shows it (the thread is raw.pid)
  e.comm.assign(raw.comm, ::strnlen(raw.comm, sizeof(raw.comm)));
  e.cgroup_id = raw.cgroup_id;
  if (owner) {
    e.experiment = owner->experiment;
    e.fault = owner->fault;
  }
  std::tie(e.where, e.effect) = place_and_effect(raw);
  e.dry_run = (raw.flags & FL_RULE_DRY_RUN) != 0;
  return e;
}

nlohmann::json to_json(const Event& event) {
  return {{"seq", event.seq},          {"time", rfc3339_utc(event.time_ns)},
          {"pid", event.pid},          {"comm", event.comm},
          {"cgroup", event.cgroup_id}, {"experiment", event.experiment},
          {"fault", event.fault},      {"effect", event.effect},
          {"where", event.where},      {"dryRun", event.dry_run}};
}

void EventLog::append(Event event) {
  {
    std::lock_guard lock(mu_);
    event.seq = ++last_seq_;
    events_.push_back(std::move(event));
    if (events_.size() > capacity_) events_.pop_front();
  }
  cv_.notify_all();
}

EventPage EventLog::collect_locked(std::uint64_t after, const std::string& experiment,
                                   std::size_t max) const {
  EventPage page;
  page.next = after;
  if (events_.empty()) return page;
  const std::uint64_t first = events_.front().seq;
  if (after + 1 < first) page.lost = first - after - 1;
  // Sequence numbers are consecutive in the deque: index by arithmetic, not by search.
  std::size_t i = after < first ? 0 : static_cast<std::size_t>(after - first + 1);
  for (; i < events_.size() && page.events.size() < max; ++i) {
    page.next = events_[i].seq;
    if (experiment.empty() || events_[i].experiment == experiment) page.events.push_back(events_[i]);
  }
  return page;
}

EventPage EventLog::read(std::uint64_t after, const std::string& experiment, std::size_t max,
                         std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::uint64_t lost = 0;
  while (true) {
    EventPage page = collect_locked(after, experiment, max);
    lost += page.lost;
    page.lost = lost;
    if (!page.events.empty() || closed_ || std::chrono::steady_clock::now() >= deadline) return page;
    // Nothing of this experiment yet, but later events were passed over: go on from there.
    after = page.next;
    cv_.wait_until(lock, deadline);
  }
}

std::uint64_t EventLog::appended() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

void EventLog::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

} // namespace faultline::observe
