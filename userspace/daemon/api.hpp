// The daemon's HTTP/JSON API as plain functions of (method, path, body), so handlers are tested
// in-process; server.cpp only adapts cpp-httplib to this.
//
//   GET    /v1/health                 {"status":"ok"}
//   GET    /v1/doctor                 kernel features and fault-family support
//   POST   /v1/experiments            body {"policy": "<yaml>", "file": "name.yaml"} -> 201 view
//   GET    /v1/experiments            [views]
//   GET    /v1/experiments/NAME       view with live counters
//   DELETE /v1/experiments/NAME       stop one -> final view
//   POST   /v1/stop-all               kill switch -> {"stopped": N}
// Errors: {"error": "..."} with 400 (bad policy), 403 (the safety guard refused a target), 404,
// 409 (already running), 422 (this kernel cannot), 500.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "daemon/http.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/journal.hpp"

namespace faultline::daemon {

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};

class Api {
public:
  // Every change (apply, stop, stop-all) is journaled with who asked (SO_PEERCRED) when a
  // journal is given.
  Api(lifecycle::Controller& controller, std::function<nlohmann::json()> doctor,
      lifecycle::Journal* journal = nullptr)
      : controller_(controller), doctor_(std::move(doctor)), journal_(journal) {}
  ApiResponse handle(const std::string& method, const std::string& path, const std::string& body,
                     const Caller& caller = {});

private:
  ApiResponse route(const std::string& method, const std::string& path, const std::string& body);
  ApiResponse apply(const std::string& body);
  lifecycle::Controller& controller_;
  std::function<nlohmann::json()> doctor_;
  lifecycle::Journal* journal_;
};

int http_status_for(const Error& error);

} // namespace faultline::daemon
