#include "lifecycle/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "util/log.hpp"

namespace faultline::lifecycle {

Result<std::unique_ptr<Journal>> Journal::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return make_error(errno, "cannot open journal {}", path);
  return std::unique_ptr<Journal>(new Journal(path, std::move(fd)));
}

Journal::Journal(std::string path, kernel::UniqueFd fd)
    : path_(std::move(path)), fd_(std::move(fd)), writer_([this] { write_loop(); }) {}

Journal::~Journal() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void Journal::write_loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty() && closing_) return;
    std::string batch;
    while (!queue_.empty()) {
      batch += queue_.front();
      queue_.pop_front();
    }
    lock.unlock();
    if (::write(fd_.get(), batch.data(), batch.size()) != static_cast<ssize_t>(batch.size()) ||
        ::fdatasync(fd_.get()) != 0)
      log::warn("cannot append to journal {}: {}", path_, std::strerror(errno));
    lock.lock();
  }
}

void Journal::record(const std::string& event, const std::string& name, const nlohmann::json& detail) {
  nlohmann::json line = detail.is_object() ? detail : nlohmann::json::object();
  line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  line["event"] = event;
  line["name"] = name;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(line.dump() + "\n");
  }
  cv_.notify_all();
}

std::vector<std::string> Journal::recover_interrupted() {
  std::map<std::string, std::string> last;
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("event") || !j.contains("name")) continue; // a torn last line
    if (j["name"].get<std::string>().empty()) continue;
    last[j["name"].get<std::string>()] = j["event"].get<std::string>();
  }
  std::vector<std::string> interrupted;
  for (const auto& [name, event] : last)
    if (event == "started") interrupted.push_back(name);
  return interrupted;
}

} // namespace faultline::lifecycle
