#include "kernel/ledger.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "kernel/unique_fd.hpp"

namespace faultline::kernel {

std::string state_dir() {
  const char* dir = std::getenv("FAULTLINE_STATE_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/run/faultline";
}

std::string process_owner(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')'); // comm may hold spaces and parentheses
  if (paren == std::string::npos) return {};
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) // field 22 is starttime
    if (i == 22) return fmt::format("{}:{}", pid, field);
  return {};
}

std::string self_owner() {
  static std::mutex mu;
  static pid_t pid = 0;
  static std::string owner;
  std::lock_guard lock(mu);
  if (pid != ::getpid()) {
    pid = ::getpid();
    owner = process_owner(pid);
  }
  return owner;
}

bool owner_alive(const std::string& owner) {
  const auto colon = owner.find(':');
  if (owner.empty() || colon == std::string::npos) return false; // a line from before owners
  const pid_t pid = static_cast<pid_t>(std::strtol(owner.c_str(), nullptr, 10));
  return pid > 0 && owner != self_owner() && process_owner(pid) == owner;
}

Status append_durably(const std::string& path, const std::string& line) {
  if (const auto slash = path.rfind('/'); slash != std::string::npos && slash > 0)
    ::mkdir(path.substr(0, slash).c_str(), 0700);
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd.valid()) return make_error(errno, "cannot open the ledger {}", path);
  ::flock(fd.get(), LOCK_EX);
  const std::string text = line + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.get()) != 0)
    return make_error(errno, "cannot write the ledger {}", path);
  return {};
}

} // namespace faultline::kernel
