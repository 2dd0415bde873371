#include "daemon/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

namespace faultline::daemon {

Result<Journal> Journal::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return make_error(errno, "cannot open journal {}", path);
  return Journal(path, std::move(fd));
}

Status Journal::record(const std::string& event, const std::string& name, const nlohmann::json& detail) {
  nlohmann::json line = detail.is_object() ? detail : nlohmann::json::object();
  line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  line["event"] = event;
  line["name"] = name;
  const std::string text = line.dump() + "\n";
  if (::write(fd_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return make_error(errno, "cannot append to journal {}", path_);
  if (::fdatasync(fd_.get()) != 0) return make_error(errno, "cannot sync journal {}", path_);
  return {};
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

} // namespace faultline::daemon
