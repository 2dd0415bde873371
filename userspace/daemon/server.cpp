#include "daemon/server.hpp"

#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "util/log.hpp"

namespace faultline::daemon {
namespace {

bool socket_is_live(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return live;
}

} // namespace

Status serve(Api& api, lifecycle::Controller& controller, const ServerOptions& options,
             std::atomic<bool>& stop) {
  const std::filesystem::path sock(options.socket_path);
  std::error_code ec;
  std::filesystem::create_directories(sock.parent_path(), ec);
  ::chmod(sock.parent_path().c_str(), 0700);
  if (socket_is_live(options.socket_path))
    return make_error(EADDRINUSE, "another faultlined is serving {}", options.socket_path);
  std::filesystem::remove(sock, ec); // a stale socket from a killed daemon

  httplib::Server server;
  server.set_address_family(AF_UNIX);
  auto handler = [&api](const httplib::Request& req, httplib::Response& res) {
    const ApiResponse r = api.handle(req.method, req.path, req.body);
    res.status = r.status;
    res.set_content(r.body.dump(), "application/json");
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Delete(".*", handler);

  // Deadlines are enforced in BPF; this retires finished experiments (and their programs) and
  // notices the stop request.
  std::thread ticker([&] {
    while (!stop.load()) {
      controller.expire();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    server.stop();
  });
  const mode_t old_umask = ::umask(0177); // the socket is created 0600: root only
  const bool bound = server.bind_to_port(options.socket_path, 80);
  ::umask(old_umask);
  if (!bound) {
    stop.store(true);
    ticker.join();
    return make_error(errno, "cannot listen on {}", options.socket_path);
  }
  log::info("faultlined listening on {}", options.socket_path);
  server.listen_after_bind();
  stop.store(true);
  ticker.join();
  std::filesystem::remove(sock, ec);
  return {};
}

} // namespace faultline::daemon
