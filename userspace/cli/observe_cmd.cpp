#include "cli/observe_cmd.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "faults/backend_set.hpp"
#include "faults/registry.hpp"
#include "kernel/cgroup.hpp"
#include "kernel/features.hpp"
#include "kernel/syscall_observer.hpp"
#include "observe/amplify.hpp"
#include "policy/parser.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace faultline::cli {
namespace {

// Waits out the duration; Ctrl-C (or SIGTERM) ends the observation early, and the counts so far
// are still reported. Returns the time observed, in milliseconds.
std::uint64_t observe_for(std::uint64_t duration_ns) {
  sigset_t ending;
  sigemptyset(&ending);
  sigaddset(&ending, SIGINT);
  sigaddset(&ending, SIGTERM);
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, &ending, &old);
  const auto start = monotonic_ns();
  const auto end = start + duration_ns;
  for (auto now = start; now < end; now = monotonic_ns()) {
    const auto left = end - now;
    const timespec wait{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
    if (::sigtimedwait(&ending, nullptr, &wait) > 0) break;
  }
  const auto observed = monotonic_ns() - start;
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  return observed / 1'000'000;
}

// The cgroup as policies name it: relative to the cgroup2 mount.
std::string policy_cgroup(const std::string& mount, const std::string& path) {
  if (path == mount) return "/";
  if (path.starts_with(mount + "/")) return path.substr(mount.size() + 1);
  return path;
}

int write_policy(const ObserveOptions& options, const observe::Observation& obs) {
  const observe::AmplifyOptions amplify{options.factor, options.min_errors, options.name,
                                        options.policy_duration};
  kernel::Features features(std::make_unique<kernel::KernelFeatureProbe>());
  const auto amplified = observe::amplified_faults(obs, amplify);
  // The faults as apply would read them (through the families' parsers), to ask which backend
  // of this kernel would serve each.
  std::string doc = "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: amplify}\n"
                    "spec:\n  duration: 60s\n  targets: [{cgroup: /}]\n  faults:\n";
  for (const auto& f : amplified)
    doc += f.yaml();
  std::vector<policy::Fault> faults;
  if (!amplified.empty()) {
    auto parsed = faults::parse_policy(doc, "amplified faults");
    if (!parsed) {
      log::error("the amplified faults do not parse: {}", parsed.error().describe());
      return 1;
    }
    faults = parsed->faults;
  }
  const auto registry = faults::probe_backends_for(features, {}, faults);
  const auto policy = observe::amplified_policy(
      obs, amplify, [&](const observe::AmplifiedFault& fault) -> std::optional<std::string> {
        for (const auto& f : faults)
          if (f.name == fault.name) {
            auto chosen = registry.choose(f);
            return chosen ? std::nullopt : std::optional<std::string>(chosen.error().message);
          }
        return "not found among the parsed faults";
      });
  if (policy.faults == 0) {
    std::fprintf(stderr, "faultline observe: no policy written to %s: %s\n", options.policy_path.c_str(),
                 faults.empty() ? "no error to amplify was seen"
                                : "this kernel can inject none of the errors seen (the reasons below; "
                                  "faultline doctor lists the backends)");
    for (const auto& f : faults)
      if (auto chosen = registry.choose(f); !chosen)
        std::fprintf(stderr, "  %s: %s\n", f.name.c_str(), chosen.error().message.c_str());
    return 1;
  }
  // What we write must apply: parse it as apply would, before anything reaches the disk.
  if (auto parsed = faults::parse_policy(policy.yaml, options.policy_path); !parsed) {
    // --name is the user's (the rest is generated): most likely the name is the problem.
    log::error("the amplifying policy would not apply (check --name): {}", parsed.error().describe());
    return 1;
  }
  const std::string tmp = options.policy_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << policy.yaml;
    if (!out.flush()) {
      log::error("cannot write {}", tmp);
      ::unlink(tmp.c_str());
      return 1;
    }
  }
  if (::rename(tmp.c_str(), options.policy_path.c_str()) != 0) {
    log::error("cannot write {}: {}", options.policy_path, std::strerror(errno));
    ::unlink(tmp.c_str());
    return 1;
  }
  std::fprintf(
      stderr, "wrote %s: %zu faults%s\n", options.policy_path.c_str(), policy.faults,
      policy.refused == 0
          ? ""
          : fmt::format(", {} more commented out (this kernel cannot inject them)", policy.refused).c_str());
  return 0;
}

} // namespace

int run_observe(const ObserveOptions& options) {
  auto fs = kernel::CgroupFs::discover();
  if (!fs) {
    log::error("{}", fs.error().describe());
    return 1;
  }
  auto target = fs->resolve(options.cgroup);
  if (!target) {
    log::error("cannot observe cgroup {}: {}", options.cgroup, target.error().describe());
    return 1;
  }
  auto observer = kernel::SyscallObserver::start(*target);
  if (!observer) {
    log::error("{}", observer.error().describe());
    return 1;
  }
  std::fprintf(stderr, "observing %s for %.1f s (Ctrl-C ends it early)\n", target->path.c_str(),
               static_cast<double>(options.duration_ns) / 1e9);
  const auto observed_ms = observe_for(options.duration_ns);
  auto counts = observer->read();
  if (!counts) {
    log::error("{}", counts.error().describe());
    return 1;
  }
  const auto obs = observe::summarize(*counts, policy::native_arch(),
                                      policy_cgroup(fs->mount_point(), target->path), observed_ms);
  if (options.json)
    std::printf("%s\n", observe::observation_json(obs).dump(2).c_str());
  else
    std::fputs(observe::observation_text(obs).c_str(), stdout);
  std::fflush(stdout);
  return options.policy_path.empty() ? 0 : write_policy(options, obs);
}

} // namespace faultline::cli
