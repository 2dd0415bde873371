// The CLI's side of the daemon API: JSON over HTTP on the Unix socket.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "util/result.hpp"

namespace faultline::cli {

class DaemonClient {
public:
  explicit DaemonClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}
  // Returns the response body for 2xx; otherwise an Error with the daemon's message.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const nlohmann::json& body = {});

private:
  std::string socket_path_;
};

} // namespace faultline::cli
