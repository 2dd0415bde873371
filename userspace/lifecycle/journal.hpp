// A durable, append-only record of experiment lifecycle events (JSON lines, fsync'd), so that
// after a crash or restart it is known what ran, how it ended, or that it was cut short.
// Writes happen on a background thread: an fdatasync (~0.3 ms here) must not delay the moment
// a fault is armed or disarmed. Destruction flushes everything queued.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

class Journal {
public:
  static Result<std::unique_ptr<Journal>> open(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Queues {"ts": unix ms, "event": event, "name": name, ...detail} for appending.
  void record(const std::string& event, const std::string& name, const nlohmann::json& detail = {});
  // Experiments whose last event is "started": they were live when the previous daemon died.
  // Their programs detached with it and their rules carried deadlines; record them as aborted.
  std::vector<std::string> recover_interrupted();
  const std::string& path() const { return path_; }

private:
  Journal(std::string path, kernel::UniqueFd fd);
  void write_loop();

  std::string path_;
  kernel::UniqueFd fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool closing_ = false;
  std::thread writer_;
};

} // namespace faultline::lifecycle
