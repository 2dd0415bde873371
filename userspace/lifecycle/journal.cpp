#include "lifecycle/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "util/log.hpp"

namespace faultline::lifecycle {
namespace {

kernel::UniqueFd open_append(const std::string& path) {
  return kernel::UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
}

// The records that end an experiment (ExperimentJournal::ended, start_failed).
bool ends_experiment(const std::string& event) {
  return event == "stopped" || event == "completed" || event == "failed" || event == "aborted";
}

} // namespace

Result<std::unique_ptr<Journal>> Journal::open(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  kernel::UniqueFd fd = open_append(path);
  if (!fd.valid()) return make_error(errno, "cannot open journal {}", path);
  return std::unique_ptr<Journal>(new Journal(path, std::move(fd), max_bytes));
}

Journal::Journal(std::string path, kernel::UniqueFd fd, std::uint64_t max_bytes)
    : path_(std::move(path)), fd_(std::move(fd)), max_bytes_(max_bytes), writer_([this] { write_loop(); }) {}

Journal::~Journal() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

Status Journal::rotate_if_full() {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return make_error(errno, "cannot stat journal {}", path_);
  if (static_cast<std::uint64_t>(st.st_size) < max_bytes_) return {};
  const std::string previous = path_ + ".1";
  if (::rename(path_.c_str(), previous.c_str()) != 0)
    return make_error(errno, "cannot rotate journal {} to {}", path_, previous);
  kernel::UniqueFd fresh = open_append(path_);
  if (!fresh.valid()) return make_error(errno, "cannot reopen journal {} after rotation", path_);
  fd_ = std::move(fresh);
  return {};
}

void Journal::write_loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty() && closing_) return;
    std::string batch;
    std::uint64_t upto = synced_seq_;
    while (!queue_.empty()) {
      batch += queue_.front();
      queue_.pop_front();
      ++upto;
    }
    lock.unlock();
    Status written = rotate_if_full();
    if (written && (::write(fd_.get(), batch.data(), batch.size()) != static_cast<ssize_t>(batch.size()) ||
                    ::fdatasync(fd_.get()) != 0))
      written = make_error(errno, "cannot append to journal {}", path_);
    if (!written) log::warn("{}", written.error().describe());
    lock.lock();
    last_write_ = written;
    synced_seq_ = upto;
    cv_.notify_all();
  }
}

std::string Journal::line_of(const std::string& event, const std::string& name,
                             const nlohmann::json& detail) const {
  nlohmann::json line = detail.is_object() ? detail : nlohmann::json::object();
  line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  line["event"] = event;
  line["name"] = name;
  return line.dump() + "\n";
}

std::uint64_t Journal::enqueue(std::string line) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(line));
  const std::uint64_t seq = ++queued_seq_;
  cv_.notify_all();
  return seq;
}

void Journal::record(const std::string& event, const std::string& name, const nlohmann::json& detail) {
  (void)enqueue(line_of(event, name, detail));
}

Status Journal::record_durable(const std::string& event, const std::string& name,
                               const nlohmann::json& detail) {
  const std::uint64_t seq = enqueue(line_of(event, name, detail));
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return synced_seq_ >= seq; });
  return last_write_;
}

void JournalReplay::read(std::istream& in, const std::string& source) {
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto j = nlohmann::json::parse(line, nullptr, false);
    const bool valid = !j.is_discarded() && j.is_object() && j.contains("event") && j.contains("name") &&
                       j["event"].is_string() && j["name"].is_string();
    if (!valid) {
      log::warn("journal {}:{}: not a journal record, skipped", source, number);
      continue;
    }
    const std::string event = j["event"].get<std::string>();
    const std::string name = j["name"].get<std::string>();
    apply(event, name, std::move(j));
  }
}

void JournalReplay::apply(const std::string& event, const std::string& name, nlohmann::json record) {
  if (name.empty()) return; // stop-all, a refused request: each experiment's own end follows
  if (event == "started")
    open_[name] = std::move(record);
  else if (ends_experiment(event))
    open_.erase(name);
}

std::vector<OpenExperiment> JournalReplay::open_experiments() const {
  std::vector<OpenExperiment> open;
  for (const auto& [name, started] : open_)
    open.push_back({name, started});
  return open;
}

std::vector<OpenExperiment> Journal::recover_interrupted() {
  JournalReplay replay;
  for (const std::string& file : {path_ + ".1", path_}) {
    std::ifstream in(file);
    replay.read(in, file);
  }
  return replay.open_experiments();
}

} // namespace faultline::lifecycle
