#include "cli/commands.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "faults/registry.hpp"
#include "observe/experiment_report.hpp"
#include "observe/plot_svg.hpp"

namespace faultline::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

int fail(const Error& e) {
  fmt::print(stderr, "faultline: {}\n", e.message);
  return 1;
}

void print_view(const nlohmann::json& j, const OutputOptions& out) {
  if (out.json)
    fmt::print("{}\n", j.dump(2));
  else
    fmt::print("{}", observe::to_text(observe::view_from_json(j)));
}

// Validates locally first: a bad file is reported without a round trip and never reaches the daemon.
Result<nlohmann::json> apply_file(DaemonClient& client, const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errno, "cannot read {}", path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto policy = faults::parse_policy(ss.str(), path);
  if (!policy) return policy.error();
  return client.call("POST", "/v1/experiments", {{"policy", ss.str()}, {"file", path}});
}

// Prints the report (text or JSON) and writes the files asked for.
int write_report(DaemonClient& client, const std::string& name, const OutputOptions& out,
                 const ReportFiles& files) {
  auto r = client.call("GET", "/v1/experiments/" + name + "/report");
  if (!r) return fail(r.error());
  const observe::ExperimentReport report = observe::report_from_json(*r);
  if (out.json)
    fmt::print("{}\n", r->dump(2));
  else
    fmt::print("{}", observe::to_text(report));
  const std::vector<std::pair<std::string, std::string>> writes = {
      {files.json_path, files.json_path.empty() ? "" : r->dump(2) + "\n"},
      {files.svg_path, files.svg_path.empty() ? "" : observe::plot_svg(report)}};
  for (const auto& [path, content] : writes) {
    if (path.empty()) continue;
    std::ofstream file(path);
    file << content;
    if (!file.flush()) return fail(make_error(errno, "cannot write {}", path));
  }
  return 0;
}

} // namespace

int cmd_apply(DaemonClient& client, const std::string& policy_path, const OutputOptions& out) {
  auto view = apply_file(client, policy_path);
  if (!view) return fail(view.error());
  print_view(*view, out);
  return 0;
}

int cmd_run(DaemonClient& client, const std::string& policy_path, const OutputOptions& out,
            const ReportFiles& files) {
  auto view = apply_file(client, policy_path);
  if (!view) return fail(view.error());
  const std::string name = (*view)["name"];
  if (!out.json)
    fmt::print("experiment {} running for {} ms (Ctrl-C stops it)\n", name,
               (*view)["durationMs"].get<std::uint64_t>());
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  nlohmann::json last = *view;
  while (last.value("state", "") == "running") {
    if (g_interrupted) {
      auto stopped = client.call("DELETE", "/v1/experiments/" + name);
      if (!stopped) return fail(stopped.error());
      last = *stopped;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = client.call("GET", "/v1/experiments/" + name);
    if (!now) return fail(now.error());
    last = *now;
  }
  // With a steady state, the verdict waits for its recovery (Ctrl-C prints what is known).
  while (last.value("recovery", "") == "checking" && !g_interrupted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto now = client.call("GET", "/v1/experiments/" + name);
    if (!now) return fail(now.error());
    last = *now;
  }
  return write_report(client, name, out, files);
}

int cmd_report(DaemonClient& client, const std::string& name, const OutputOptions& out,
               const std::string& plot_path) {
  return write_report(client, name, out, {"", plot_path});
}

int cmd_stop(DaemonClient& client, const std::string& name, bool all, const OutputOptions& out) {
  if (all) {
    auto r = client.call("POST", "/v1/stop-all");
    if (!r) return fail(r.error());
    if (out.json)
      fmt::print("{}\n", r->dump(2));
    else
      fmt::print("all faults disarmed; {} experiment(s) stopped\n", (*r)["stopped"].get<int>());
    return 0;
  }
  if (name.empty()) return fail(Error{0, "name an experiment to stop, or use --all"});
  auto r = client.call("DELETE", "/v1/experiments/" + name);
  if (!r) return fail(r.error());
  print_view(*r, out);
  return 0;
}

int cmd_list(DaemonClient& client, const OutputOptions& out) {
  auto r = client.call("GET", "/v1/experiments");
  if (!r) return fail(r.error());
  if (out.json) {
    fmt::print("{}\n", r->dump(2));
    return 0;
  }
  fmt::print("{:<32} {:<10} {:>10} {:>12}\n", "NAME", "STATE", "LEFT(ms)", "INJECTED");
  for (const auto& j : *r) {
    const auto v = observe::view_from_json(j);
    std::uint64_t injected = 0;
    for (const auto& f : v.faults)
      injected += f.injected;
    fmt::print("{:<32} {:<10} {:>10} {:>12}\n", v.name, v.state, v.remaining_ms, injected);
  }
  return 0;
}

int cmd_status(DaemonClient& client, const std::string& name, const OutputOptions& out) {
  auto r = client.call("GET", "/v1/experiments/" + name);
  if (!r) return fail(r.error());
  print_view(*r, out);
  return 0;
}

} // namespace faultline::cli

namespace faultline::cli {
namespace {

// One page of events printed; returns how many, or the error.
Result<std::size_t> print_events_page(DaemonClient& client, const std::string& name, std::uint64_t& after,
                                      int wait_ms) {
  std::string path = fmt::format("/v1/events?after={}&waitMs={}", after, wait_ms);
  if (!name.empty()) path += "&experiment=" + name;
  auto page = client.call("GET", path);
  if (!page) return page.error();
  if (const auto lost = (*page)["lost"].get<std::uint64_t>(); lost > 0)
    fmt::print(stderr, "faultline: {} event(s) left the daemon's log before they were read\n", lost);
  for (const auto& e : (*page)["events"])
    fmt::print("{}\n", e.dump());
  std::fflush(stdout);
  after = (*page)["next"].get<std::uint64_t>();
  return (*page)["events"].size();
}

} // namespace

int cmd_events(DaemonClient& client, const std::string& name, bool follow) {
  if (!name.empty()) {
    // A name that never ran is a mistake worth saying, not an empty stream.
    auto view = client.call("GET", "/v1/experiments/" + name);
    if (!view) return fail(view.error());
  }
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN); // `| head` closing early ends us through the write, quietly
  std::uint64_t after = 0;
  while (!g_interrupted) {
    auto n = print_events_page(client, name, after, follow ? 1000 : 0);
    if (!n) return fail(n.error());
    if (*n > 0) continue;
    if (!follow || std::ferror(stdout)) break;
    if (!name.empty()) {
      auto view = client.call("GET", "/v1/experiments/" + name);
      if (!view) return fail(view.error());
      if ((*view)["state"] != "running") {
        // Its last events may still be in the ring buffer for a moment: one more short wait.
        auto last = print_events_page(client, name, after, 300);
        if (!last) return fail(last.error());
        if (*last == 0) break;
      }
    }
  }
  return 0;
}

} // namespace faultline::cli
