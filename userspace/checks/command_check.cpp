#include "checks/command_check.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/unique_fd.hpp"
#include "util/clock.hpp"

extern char** environ;

namespace faultline::checks {
namespace {

// posix_spawn, not fork: glibc spawns with CLONE_VFORK, so a check costs an exec, not a copy of
// the daemon's page tables (a fork of a large process took 15+ ms, a sixth of an abort's budget).
// In a group of its own, so a timeout kills what the command started too.
pid_t spawn_shell(const std::string& command, int& error) {
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&files);
  posix_spawnattr_init(&attr);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&files, fd, "/dev/null", O_RDWR, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none); // the daemon blocks SIGTERM/SIGINT in its threads
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  error = ::posix_spawn(&pid, "/bin/sh", &files, &attr, const_cast<char* const*>(argv), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&files);
  return error == 0 ? pid : -1;
}

} // namespace

CheckResult run_command(const policy::CommandCheck& check) {
  CheckResult r;
  const std::uint64_t start = monotonic_ns();
  int error = 0;
  const pid_t pid = spawn_shell(check.command, error);
  if (pid < 0) {
    r.detail = fmt::format("cannot start /bin/sh: {}", std::strerror(error));
    return r;
  }
  // A pidfd becomes readable when the child exits: a wait with a timeout, without polling.
  kernel::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  const std::uint64_t deadline = start + check.timeout_ns;
  bool exited = false;
  int status = 0;
  while (!exited) {
    const std::uint64_t now = monotonic_ns();
    if (now >= deadline) break;
    if (!pidfd.valid()) {
      // No pidfd (kernel < 5.3, or out of descriptors): poll the child every 5 ms instead, so
      // the timeout still holds.
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) exited = true;
      if (done == 0) ::usleep(5000);
      if (done < 0 && errno != EINTR) break;
      continue;
    }
    pollfd p{pidfd.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>((deadline - now + 999999) / 1000000));
    if (n > 0) exited = true;
    if (n < 0 && errno != EINTR) break;
  }
  if (!exited) ::kill(-pid, SIGKILL);
  // Reaps it (the pidfd path, or the killed child); the WNOHANG path already has.
  if (pidfd.valid() || !exited)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  r.took_ns = monotonic_ns() - start;
  const std::uint64_t ms = r.took_ns / 1000000;
  if (!exited) {
    r.detail = fmt::format("still running after {} ms: killed", check.timeout_ns / 1000000);
  } else if (WIFEXITED(status)) {
    r.healthy = WEXITSTATUS(status) == 0;
    r.detail = fmt::format("exit status {} in {} ms", WEXITSTATUS(status), ms);
  } else if (WIFSIGNALED(status)) {
    r.detail = fmt::format("killed by signal {} in {} ms", WTERMSIG(status), ms);
  }
  return r;
}

} // namespace faultline::checks
