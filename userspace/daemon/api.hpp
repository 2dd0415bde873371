// The daemon's HTTP/JSON API as plain functions of (method, path, body), so handlers are tested
// in-process; server.cpp only adapts cpp-httplib to this.
//
//   GET    /v1/health                 {"status":"ok"}
//   GET    /v1/doctor                 kernel features and fault-family support
//   POST   /v1/experiments            body {"policy": "<yaml>", "file": "name.yaml"} -> 201 view
//   GET    /v1/experiments            [views]
//   GET    /v1/experiments/NAME       view with live counters
//   DELETE /v1/experiments/NAME       stop one -> final view
//   GET    /v1/experiments/NAME/report  view + verdict + timeline (counters and checks over time)
//   POST   /v1/stop-all               kill switch -> {"stopped": N}
//   GET    /v1/events?after=SEQ&experiment=NAME&waitMs=MS&max=N
//                                      {"events": [...], "next": SEQ, "lost": N,
//                                       "droppedInKernel": N}; waits up to waitMs (<= 10000)
//                                      for the first event after SEQ
// Errors: {"error": "..."} with 400 (bad policy), 403 (the safety guard refused a target), 404,
// 409 (already running), 412 (its steady state does not hold: not started), 422 (this kernel
// cannot), 500, 503 (as many event followers waiting as allowed; ask again later).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <string>

#include "daemon/http.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/journal.hpp"
#include "lifecycle/watchdog.hpp"
#include "observe/event_log.hpp"

namespace faultline::daemon {

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};

// Where /v1/events reads: the daemon's log of decoded events, and the programs' count of events
// they could not write (rate limit, full ring buffer).
struct EventsSource {
  observe::EventLog* log = nullptr;
  std::function<std::uint64_t()> dropped_in_kernel;
  // Followers that may wait for events at once: each holds a request worker for up to 10 s, and
  // stop or status must always find one free (faultlined allows half of its workers).
  int max_waiting = 4;
};

class Api {
public:
  // Every change (apply, stop, stop-all) is journaled with who asked (SO_PEERCRED) when a
  // journal is given. Without a watchdog, a policy with stop conditions is refused (nothing
  // would check them).
  Api(lifecycle::Controller& controller, std::function<nlohmann::json()> doctor,
      lifecycle::Journal* journal = nullptr, EventsSource events = {},
      lifecycle::Watchdog* watchdog = nullptr)
      : controller_(controller), doctor_(std::move(doctor)), journal_(journal), events_(std::move(events)),
        watchdog_(watchdog) {}
  ApiResponse handle(const std::string& method, const std::string& path, const std::string& body,
                     const Caller& caller = {});

private:
  ApiResponse route(const std::string& method, const std::string& target, const std::string& body);
  ApiResponse apply(const std::string& body);
  ApiResponse events(const std::string& query);
  lifecycle::Controller& controller_;
  std::function<nlohmann::json()> doctor_;
  lifecycle::Journal* journal_;
  EventsSource events_;
  lifecycle::Watchdog* watchdog_; // checks each started experiment's stop conditions
  std::atomic<int> waiting_{0};   // /v1/events requests waiting for an event now
};

int http_status_for(const Error& error);

} // namespace faultline::daemon
