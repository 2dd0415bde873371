// A durable, append-only record of experiment lifecycle events (JSON lines, fsync'd), so that
// after a crash or restart it is known what ran, how it ended, or that it was cut short.
// Most writes happen on a background thread: an fdatasync (~0.15 ms here) must not delay the
// moment a fault is disarmed. record_durable() waits for its line to be on disk: a fault is
// armed only after its "started" record is. The file is rotated at max_bytes (one previous file,
// PATH.1, is kept and read back). Destruction flushes everything queued.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// An experiment the journal leaves open: its latest "started" record (file, targets, duration,
// ts) with no end after it.
struct OpenExperiment {
  std::string name;
  nlohmann::json started;
};

// Which experiments a journal leaves open, replayed record by record. Only lifecycle records move
// an experiment's state: "started" opens it, an end (stopped, completed, failed, aborted) closes
// it. Every other record (request, recovery, stop-all, a kind added later) is a note that changes
// no state wherever it falls: the API journals a change's "request" once it has answered, so an
// apply's "request" comes after its "started" (a replay that looked only at each name's last
// record missed every experiment applied through the API). Reads journals of every version.
class JournalReplay {
public:
  // JSON lines from `in`; a line that is not a JSON object with string "event" and "name" is
  // skipped with a warning naming source:line.
  void read(std::istream& in, const std::string& source);
  std::vector<OpenExperiment> open_experiments() const;

private:
  void apply(const std::string& event, const std::string& name, nlohmann::json record);

  std::map<std::string, nlohmann::json> open_; // name -> its "started" record
};

class Journal {
public:
  static constexpr std::uint64_t kDefaultMaxBytes = 16ull << 20;
  static Result<std::unique_ptr<Journal>> open(const std::string& path,
                                               std::uint64_t max_bytes = kDefaultMaxBytes);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Queues {"ts": unix ms, "event": event, "name": name, ...detail} for appending.
  void record(const std::string& event, const std::string& name, const nlohmann::json& detail = {});
  // The same, returning once the line is on disk (written and fdatasync'd), or the error.
  Status record_durable(const std::string& event, const std::string& name, const nlohmann::json& detail = {});
  // The experiments this journal (PATH.1, then PATH) leaves open (JournalReplay): they were live
  // when the previous daemon died. Their programs detached with it and their rules carried
  // deadlines; the caller records them as aborted (ExperimentJournal::abort_interrupted).
  std::vector<OpenExperiment> recover_interrupted();
  const std::string& path() const { return path_; }

private:
  Journal(std::string path, kernel::UniqueFd fd, std::uint64_t max_bytes);
  void write_loop();
  std::string line_of(const std::string& event, const std::string& name, const nlohmann::json& detail) const;
  std::uint64_t enqueue(std::string line); // returns the line's sequence number
  Status rotate_if_full();                 // writer thread only

  std::string path_;
  kernel::UniqueFd fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::uint64_t max_bytes_;
  std::uint64_t queued_seq_ = 0; // lines queued so far
  std::uint64_t synced_seq_ = 0; // lines written and synced (or failed) so far
  Status last_write_;            // the outcome of the latest batch
  bool closing_ = false;
  std::thread writer_;
};

} // namespace faultline::lifecycle
