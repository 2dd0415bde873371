#include "cli/exec.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "cli/exec_cgroups.hpp"
#include "faults/registry.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/kernel_host.hpp"
#include "lifecycle/steady_state.hpp"
#include "lifecycle/watchdog.hpp"
#include "observe/plot_svg.hpp"
#include "util/log.hpp"

namespace faultline::cli {
namespace {

constexpr int kFaultlineFailed = 125;
// Each of these, sent to faultline, ends the command and removes its cgroup. SIGPIPE included:
// `faultline exec ... | head -1` must not leave the command running when the reader goes away.
constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
volatile sig_atomic_t g_ending_signal = 0;

void remember_signal(int sig) { g_ending_signal = sig; }

// Installed before fork, so no signal can slip between the fork and the handler.
void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = remember_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kEndingSignals)
    ::sigaction(sig, &sa, nullptr);
}

[[noreturn]] void exec_child(const std::string& cgroup, const std::vector<std::string>& command,
                             pid_t parent) {
  for (int sig : kEndingSignals)
    ::signal(sig, SIG_DFL);
  // A SIGKILLed faultline must not leave its command running; checked after setting it, in
  // case the parent died before.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(kFaultlineFailed);
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

// SIGTERM, two seconds to finish, then SIGKILL; returns the command's wait status.
int end_child(pid_t child) {
  int status = 0;
  ::kill(child, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(child, &status, WNOHANG) == child) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child, SIGKILL);
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

} // namespace

int run_exec(const ExecOptions& options) {
  if (options.quiet && std::getenv("FAULTLINE_LOG") == nullptr) log::set_level(log::Level::warn);
  install_handlers();
  auto policy = faults::load_policy_file(options.policy_path);
  if (!policy) {
    log::error("{}", policy.error().describe());
    return kFaultlineFailed;
  }
  // Only what this policy needs: each program verified is start-up time the command waits for.
  auto host = lifecycle::KernelHost::create(&policy->faults);
  if (!host) {
    log::error("{}", host.error().describe());
    return kFaultlineFailed;
  }
  auto parent = exec_parent((*host)->cgroups());
  if (!parent) {
    log::error("{}", parent.error().describe());
    return kFaultlineFailed;
  }
  sweep_stale_exec_cgroups(*parent);
  auto cgroup = kernel::ScopedCgroup::create(fmt::format("{}/run-{}", *parent, ::getpid()));
  if (!cgroup) {
    log::error("{}", cgroup.error().describe());
    return kFaultlineFailed;
  }
  // The policy's faults apply to the command's fresh cgroup; its own targets are for the daemon.
  policy->targets = {{policy::TargetSpec::Kind::cgroup, cgroup->path(), {}}};
  policy->selection = {};

  int status = 0;
  int ended_by = 0;
  {
    lifecycle::Controller controller(**host);
    if (policy->steady_state)
      if (auto before = lifecycle::check_probes(*policy->steady_state, controller.probe_counters(*policy));
          !before.held) {
        log::error("experiment {} not started: its steady state does not hold: {}", policy->name,
                   before.detail);
        return kFaultlineFailed;
      }
    auto started = controller.start(*policy);
    if (!started) {
      log::error("{}", started.error().describe());
      return kFaultlineFailed;
    }
    const pid_t self = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) {
      log::error("fork: {}", std::strerror(errno));
      return kFaultlineFailed;
    }
    if (child == 0) exec_child(cgroup->path(), options.command, self);
    // After the fork: the child of a threaded process may only exec.
    lifecycle::Watchdog watchdog(controller);
    // Unwatchable, the run is aborted (faults off) and the report says why; the command goes on.
    if (auto watched = watchdog.watch(*policy, started->run); !watched)
      log::error("{}", watched.error().describe());

    while (true) {
      const pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) break;
      if (done < 0 && errno != EINTR) {
        status = kFaultlineFailed << 8;
        break;
      }
      if (g_ending_signal != 0) {
        ended_by = g_ending_signal;
        // Faults off first: a frozen command could not even take its SIGTERM, and its shutdown
        // is not part of the experiment.
        (void)controller.stop(policy->name, fmt::format("faultline got signal {}", ended_by));
        status = end_child(child);
        break;
      }
      // The kernel enforces the deadline; this retires the experiment and times its changes (a
      // freeze of the command thaws here, at its end or at the deadline).
      controller.tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto report = controller.stop(policy->name, ended_by ? fmt::format("faultline got signal {}", ended_by)
                                                         : std::string("command exited"));
    // The steady state's recovery (the watchdog checks it once the experiment has ended) goes
    // into the report: wait for it, but never past a signal (the recovery is then not known).
    while (ended_by == 0 && g_ending_signal == 0 && watchdog.active() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (report) {
      // With its timeline: what the counters and the stop conditions' checks did over time.
      auto full = controller.report(policy->name);
      const observe::ExperimentReport r = full ? std::move(*full) : observe::ExperimentReport{*report, {}};
      // stderr may be a closed pipe by now: the handler turned SIGPIPE into EPIPE, ignored here.
      if (!options.quiet) std::fputs(observe::to_text(r).c_str(), stderr);
      if (!options.report_path.empty())
        std::ofstream(options.report_path) << observe::to_json(r).dump(2) << "\n";
      if (!options.plot_path.empty()) std::ofstream(options.plot_path) << observe::plot_svg(r);
    }
  } // the controller detaches every program; then ~ScopedCgroup kills what is left and removes it
  return ended_by != 0 ? 128 + ended_by : exit_status_of(status);
}

} // namespace faultline::cli
