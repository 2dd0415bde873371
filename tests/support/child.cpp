#include "support/child.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace faultline::testing {

Result<long> run_in_child(const ChildSpec& spec, const std::function<long()>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(errno, "pipe");
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(errno, "fork");
  if (pid == 0) {
    ::close(fds[0]);
    long result = -1;
    const std::string procs = spec.cgroup_path + "/cgroup.procs";
    const int cg = ::open(procs.c_str(), O_WRONLY);
    const std::string me = std::to_string(::getpid());
    bool ok = cg >= 0 && ::write(cg, me.data(), me.size()) == static_cast<ssize_t>(me.size());
    if (ok && !spec.netns.empty()) {
      const std::string ns = "/run/netns/" + spec.netns;
      const int nsfd = ::open(ns.c_str(), O_RDONLY);
      ok = nsfd >= 0 && ::setns(nsfd, CLONE_NEWNET) == 0;
    }
    if (ok) result = body();
    (void)!::write(fds[1], &result, sizeof(result));
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  long result = -1;
  const ssize_t n = ::read(fds[0], &result, sizeof(result));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (n != sizeof(result) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(0, "child in {} could not run (status {})", spec.cgroup_path, status);
  if (result < 0) return make_error(0, "child body in {} failed", spec.cgroup_path);
  return result;
}

} // namespace faultline::testing
