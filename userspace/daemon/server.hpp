// faultlined's HTTP server on a Unix socket (root-only, mode 0600): the convention users know
// from Docker, so `curl --unix-socket /run/faultline/faultline.sock http://x/v1/health` works.
#pragma once

#include <atomic>
#include <string>

#include "daemon/api.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

struct ServerOptions {
  std::string socket_path = "/run/faultline/faultline.sock";
};

// Serves until `stop` becomes true (checked by a watcher) ; returns when the listener closed.
Status serve(Api& api, lifecycle::Controller& controller, const ServerOptions& options,
             std::atomic<bool>& stop);

} // namespace faultline::daemon
