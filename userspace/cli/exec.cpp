#include "cli/exec.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "lifecycle/controller.hpp"
#include "lifecycle/kernel_host.hpp"
#include "policy/parser.hpp"
#include "util/log.hpp"

namespace faultline::cli {
namespace {

constexpr int kFaultlineFailed = 125;
volatile sig_atomic_t g_forward_signal = 0;

void remember_signal(int sig) { g_forward_signal = sig; }

[[noreturn]] void exec_child(const std::string& cgroup, const std::vector<std::string>& command) {
  // Join the cgroup before exec, so every file and socket CMD opens is in scope.
  if (!kernel::move_to_cgroup(cgroup, ::getpid())) _exit(kFaultlineFailed);
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (const auto& a : command)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  std::fprintf(stderr, "faultline exec: cannot run %s: %s\n", argv[0], std::strerror(errno));
  _exit(127);
}

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kFaultlineFailed;
}

} // namespace

int run_exec(const ExecOptions& options) {
  if (options.quiet && std::getenv("FAULTLINE_LOG") == nullptr) log::set_level(log::Level::warn);
  auto policy = policy::load_policy_file(options.policy_path);
  if (!policy) {
    log::error("{}", policy.error().describe());
    return kFaultlineFailed;
  }
  auto host = lifecycle::KernelHost::create();
  if (!host) {
    log::error("{}", host.error().describe());
    return kFaultlineFailed;
  }
  auto cgroup = kernel::ScopedCgroup::create(
      fmt::format("{}/faultline-exec-{}", (*host)->cgroups().mount_point(), ::getpid()));
  if (!cgroup) {
    log::error("{}", cgroup.error().describe());
    return kFaultlineFailed;
  }
  // The policy's faults apply to the command's fresh cgroup; its own targets are for the daemon.
  policy->targets = {{policy::TargetSpec::Kind::cgroup, cgroup->path(), {}}};
  policy->selection = {};

  int status = 0;
  {
    lifecycle::Controller controller(**host);
    auto started = controller.start(*policy);
    if (!started) {
      log::error("{}", started.error().describe());
      return kFaultlineFailed;
    }
    const pid_t child = ::fork();
    if (child < 0) {
      log::error("fork: {}", std::strerror(errno));
      return kFaultlineFailed;
    }
    if (child == 0) exec_child(cgroup->path(), options.command);

    struct sigaction sa {};
    sa.sa_handler = remember_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    while (true) {
      const pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) break;
      if (done < 0 && errno != EINTR) {
        status = kFaultlineFailed << 8;
        break;
      }
      if (g_forward_signal != 0) {
        ::kill(child, g_forward_signal);
        g_forward_signal = 0;
      }
      controller.expire(); // the kernel enforces the deadline; this retires the experiment
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto report = controller.stop(policy->name, "command exited");
    if (report) {
      if (!options.quiet) std::fputs(observe::to_text(*report).c_str(), stderr);
      if (!options.report_path.empty())
        std::ofstream(options.report_path) << observe::to_json(*report).dump(2) << "\n";
    }
  } // the controller detaches every program before the cgroup is removed
  return exit_status_of(status);
}

} // namespace faultline::cli
