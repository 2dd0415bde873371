#include "daemon/server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/unix_socket.hpp"
#include "util/log.hpp"

namespace faultline::daemon {
namespace {

// Accepted connections waiting for a worker.
class ConnectionQueue {
public:
  void push(kernel::UniqueFd fd) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(fd));
    }
    cv_.notify_one();
  }
  // Blocks until a connection or close(); an invalid fd means: stop.
  kernel::UniqueFd pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return kernel::UniqueFd();
    kernel::UniqueFd fd = std::move(queue_.front());
    queue_.pop_front();
    return fd;
  }
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<kernel::UniqueFd> queue_;
  bool closed_ = false;
};

void serve_connection(Api& api, const HttpLimits& limits, int fd) {
  const Caller caller = peer_of(fd);
  auto parsed = read_request(fd, limits);
  if (auto* early = std::get_if<HttpResponse>(&parsed)) {
    write_response(fd, *early);
    return;
  }
  const auto& req = std::get<HttpRequest>(parsed);
  const ApiResponse r =
      api.handle(req.method, req.query.empty() ? req.path : req.path + "?" + req.query, req.body, caller);
  write_response(fd, {r.status, r.body.dump()});
}

} // namespace

Status serve(Api& api, lifecycle::Controller& controller, const ServerOptions& options,
             std::atomic<bool>& stop) {
  auto listener = listen_unix_socket(options.socket_path);
  if (!listener) return listener.error();

  // Deadlines are enforced in BPF; this retires finished experiments (and their programs), and
  // makes and puts back the changes timed within an experiment (a freeze from its start offset).
  std::thread ticker([&] {
    while (!stop.load()) {
      controller.tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  ConnectionQueue queue;
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(options.workers));
  for (int i = 0; i < options.workers; ++i)
    workers.emplace_back([&] {
      while (true) {
        kernel::UniqueFd fd = queue.pop();
        if (!fd.valid()) return;
        try {
          serve_connection(api, options.limits, fd.get());
        } catch (const std::exception& e) {
          // One bad request must never take a worker (or the daemon) down.
          log::error("request failed: {}", e.what());
          write_response(fd.get(), {500, R"({"error":"internal error"})"});
        }
      }
    });
  log::info("faultlined listening on {}", options.socket_path);
  while (!stop.load()) {
    pollfd p{listener->get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue; // wakes up to notice `stop`
    kernel::UniqueFd conn(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.valid()) queue.push(std::move(conn));
  }
  queue.close();
  for (auto& w : workers)
    w.join();
  ticker.join();
  ::unlink(options.socket_path.c_str());
  return {};
}

} // namespace faultline::daemon
