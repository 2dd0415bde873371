#include "daemon/unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace faultline::daemon {
namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    return make_error(ENAMETOOLONG, "socket path {} is longer than {} bytes", path,
                      sizeof(addr.sun_path) - 1);
  path.copy(addr.sun_path, path.size());
  return addr;
}

bool answers(const std::string& path) {
  auto addr = address_of(path);
  if (!addr) return false;
  kernel::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() && ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) == 0;
}

} // namespace

Result<kernel::UniqueFd> listen_unix_socket(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (!dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path(), ec);
    // Ours: root and its group may enter it; the socket inside is 0600 anyway.
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
      return make_error(errno, "cannot create the socket directory {}", dir.string());
    ::chmod(dir.c_str(), 0750); // mkdir's mode is filtered by the umask; this directory is ours
  }
  if (answers(path)) return make_error(EADDRINUSE, "another faultlined is serving {}", path);

  // Bound inside a private directory, made 0600, then renamed into place: at no moment can a
  // non-root process reach it, and no process-wide umask is changed.
  std::string private_dir = (dir / ".faultlined-XXXXXX").string();
  if (::mkdtemp(private_dir.data()) == nullptr)
    return make_error(errno, "cannot create a private directory next to {}", path);
  const std::string staged = private_dir + "/s";
  auto cleanup = [&] {
    ::unlink(staged.c_str());
    ::rmdir(private_dir.c_str());
  };
  auto addr = address_of(staged);
  if (!addr) {
    cleanup();
    return addr.error();
  }
  kernel::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0 ||
      ::chmod(staged.c_str(), 0600) != 0 || ::rename(staged.c_str(), path.c_str()) != 0) {
    const Error e = make_error(errno, "cannot create the socket {}", path);
    cleanup();
    return e;
  }
  cleanup();
  if (::listen(fd.get(), SOMAXCONN) != 0) return make_error(errno, "cannot listen on {}", path);
  return fd;
}

} // namespace faultline::daemon
