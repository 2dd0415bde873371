// A durable, append-only record of experiment lifecycle events (JSON lines, fsync'd), so that
// after a crash or restart it is known what ran, how it ended, or that it was cut short.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

class Journal {
public:
  static Result<Journal> open(const std::string& path);

  // Appends {"ts": unix ms, "event": event, "name": name, ...detail}.
  Status record(const std::string& event, const std::string& name, const nlohmann::json& detail = {});
  // Experiments whose last event is "started": they were live when the previous daemon died.
  // Their programs detached with it and their rules carried deadlines; record them as aborted.
  std::vector<std::string> recover_interrupted();
  const std::string& path() const { return path_; }

private:
  Journal(std::string path, kernel::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  kernel::UniqueFd fd_;
};

} // namespace faultline::daemon
