// Control-plane latency through the real API: how long from a client's apply request until the
// fault is live in the kernel (the daemon answers after the generation flip), for a policy of
// N rules (N target cgroups x 1 fault), and how long stop and stop-all take.
//   fl_bench_control --socket S --rules N --iterations K     through faultlined's API
//   fl_bench_control --in-process --rules N --iterations K   the kernel step alone: one
//     generation flip of an N-rule table (FaultPrograms::apply) and the kill switch (disarm)
// Prints one JSON object with percentiles in microseconds.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/client.hpp"
#include "kernel/cgroup.hpp"
#include "kernel/fault_programs.hpp"
#include "network/abi.h"

using namespace faultline;
using Clock = std::chrono::steady_clock;

namespace {

nlohmann::json summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())))];
  };
  return {{"n", us.size()},
          {"p50_us", pct(0.50)},
          {"p90_us", pct(0.90)},
          {"p99_us", pct(0.99)},
          {"max_us", us.back()}};
}

double micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// The kernel step alone: the rule table swap and the kill switch, no HTTP, no attach.
int in_process(int rules, int iterations) {
  auto programs = kernel::FaultPrograms::load({.programs = {"fl_skb_egress", "fl_skb_ingress"}});
  if (!programs) {
    std::fprintf(stderr, "%s\n", programs.error().describe().c_str());
    return 1;
  }
  engine::CompiledRules table;
  for (int i = 0; i < rules; ++i) {
    fl_rule r{};
    r.rule_id = static_cast<std::uint32_t>(i);
    r.effect.action = FL_ACT_DROP;
    r.trigger.deadline_ns = ~0ull;
    r.trigger.probability = FL_PROB_ALWAYS;
    (void)table.add(1000000 + static_cast<std::uint64_t>(i), 3, FL_HOOK_NET_EGRESS, r);
  }
  const engine::CompiledRules empty;
  std::vector<double> apply_us, disarm_us, clear_us;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    if (!programs->apply(table)) return 1;
    apply_us.push_back(micros(t0, Clock::now()));
    t0 = Clock::now();
    if (!programs->disarm()) return 1;
    disarm_us.push_back(micros(t0, Clock::now()));
    t0 = Clock::now();
    if (!programs->apply(empty)) return 1;
    clear_us.push_back(micros(t0, Clock::now()));
  }
  nlohmann::json out{{"rules", rules},
                     {"kernel_apply", summarize(apply_us)},
                     {"kernel_disarm", summarize(disarm_us)},
                     {"kernel_clear", summarize(clear_us)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::string socket = "/run/faultline/faultline.sock";
  int rules = 1;
  int iterations = 100;
  bool kernel_only = false;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--in-process") kernel_only = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--in-process") {
      --i;
      continue;
    }
    if (k == "--socket")
      socket = argv[i + 1];
    else if (k == "--rules")
      rules = std::stoi(argv[i + 1]);
    else if (k == "--iterations")
      iterations = std::stoi(argv[i + 1]);
  }
  if (kernel_only) return in_process(rules, iterations);
  auto fs = kernel::CgroupFs::discover();
  if (!fs) {
    std::fprintf(stderr, "%s\n", fs.error().describe().c_str());
    return 1;
  }
  const std::string base = fs->mount_point() + "/faultline-bench-" + std::to_string(::getpid());
  ::mkdir(base.c_str(), 0755);
  std::string policy = "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: bench}\nspec:\n"
                       "  duration: 600s\n  targets:\n";
  for (int i = 0; i < rules; ++i) {
    const std::string dir = base + "/t" + std::to_string(i);
    ::mkdir(dir.c_str(), 0755);
    policy += "    - cgroup: " + dir + "\n";
  }
  policy += "  faults:\n    - name: drop\n      network: {loss: 30%, protocol: udp, port: 9}\n";
  const nlohmann::json body{{"policy", policy}, {"file", "bench.yaml"}};

  cli::DaemonClient client(socket);
  std::vector<double> apply_us, stop_us, stop_all_us;
  int failures = 0;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    auto r = client.call("POST", "/v1/experiments", body);
    auto t1 = Clock::now();
    if (!r) {
      std::fprintf(stderr, "apply: %s\n", r.error().message.c_str());
      ++failures;
      break;
    }
    apply_us.push_back(micros(t0, t1));
    if (i % 2 == 0) {
      t0 = Clock::now();
      auto s = client.call("DELETE", "/v1/experiments/bench");
      stop_us.push_back(micros(t0, Clock::now()));
      failures += s ? 0 : 1;
    } else {
      t0 = Clock::now();
      auto s = client.call("POST", "/v1/stop-all");
      stop_all_us.push_back(micros(t0, Clock::now()));
      failures += s ? 0 : 1;
    }
  }
  for (int i = 0; i < rules; ++i)
    ::rmdir((base + "/t" + std::to_string(i)).c_str());
  ::rmdir(base.c_str());
  if (failures || apply_us.empty()) return 1;
  nlohmann::json out{{"rules", rules},
                     {"apply", summarize(apply_us)},
                     {"stop", summarize(stop_us)},
                     {"stop_all", summarize(stop_all_us)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
