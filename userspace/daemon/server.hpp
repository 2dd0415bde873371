// faultlined's HTTP server on a Unix socket (root-only, mode 0600): the convention users know
// from Docker, so `curl --unix-socket /run/faultline/faultline.sock http://x/v1/health` works.
#pragma once

#include <atomic>
#include <string>

#include "daemon/api.hpp"
#include "daemon/http.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

struct ServerOptions {
  std::string socket_path = "/run/faultline/faultline.sock";
  HttpLimits limits;
  int workers = 8; // requests served at once; more wait in the queue and the listen backlog
};

// Serves until `stop` becomes true; returns when every worker has finished.
Status serve(Api& api, lifecycle::Controller& controller, const ServerOptions& options,
             std::atomic<bool>& stop);

} // namespace faultline::daemon
