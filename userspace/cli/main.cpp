// faultline: the command-line client. Daemon commands talk to faultlined over its Unix socket;
// `exec` and `doctor` need no daemon.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/exec.hpp"
#include "kernel/features.hpp"
#include "observe/doctor_report.hpp"
#include "util/log.hpp"

using namespace faultline;

namespace {

int run_doctor(bool json, const std::vector<std::string>& require) {
  kernel::Features features(std::make_unique<kernel::KernelFeatureProbe>());
  if (!require.empty()) {
    int missing = 0;
    for (const auto& name : require) {
      auto feature = kernel::feature_from_name(name);
      if (!feature) {
        std::fprintf(stderr, "unknown feature '%s'\n", name.c_str());
        return 2;
      }
      const auto& st = features.status(*feature);
      if (!st.supported) {
        std::printf("%s: unsupported: %s\n", name.c_str(), st.detail.c_str());
        ++missing;
      }
    }
    return missing == 0 ? 0 : 1;
  }
  if (json) std::printf("%s\n", observe::doctor_json(features).dump(2).c_str());
  else std::fputs(observe::doctor_text(features).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"faultline: kernel-level fault injection, scoped to a cgroup"};
  app.require_subcommand(1);
  std::string socket = "/run/faultline/faultline.sock";
  cli::OutputOptions out;
  app.add_option("--socket", socket, "faultlined's Unix socket")->capture_default_str();
  app.add_flag("--json", out.json, "machine-readable output");

  std::string policy_path;
  auto* run = app.add_subcommand("run", "apply a policy, wait for it to end, print the report");
  run->add_option("-f,--file,policy", policy_path, "policy file")->required();
  auto* apply = app.add_subcommand("apply", "apply a policy and return (the daemon keeps it running)");
  apply->add_option("-f,--file,policy", policy_path, "policy file")->required();

  std::string name;
  bool all = false;
  auto* stop = app.add_subcommand("stop", "stop one experiment, or every fault with --all (kill switch)");
  stop->add_option("name", name, "experiment name");
  stop->add_flag("--all", all, "disarm every fault at once, then stop every experiment");
  auto* list = app.add_subcommand("list", "list experiments");
  auto* status = app.add_subcommand("status", "an experiment's state and counters");
  status->add_option("name", name, "experiment name")->required();

  bool doctor_json = false;
  std::vector<std::string> require;
  auto* doctor = app.add_subcommand("doctor", "what this kernel supports, per fault family, and why not");
  doctor->add_flag("--json", doctor_json, "machine-readable output");
  doctor->add_option("--require", require, "exit 1 unless these features are supported");

  cli::ExecOptions exec_options;
  auto* exec = app.add_subcommand("exec", "run a command in a fresh cgroup under a policy, without a daemon");
  exec->add_option("-p,--policy", exec_options.policy_path, "policy file")->required();
  exec->add_option("--report", exec_options.report_path, "write the JSON report here");
  exec->add_flag("-q,--quiet", exec_options.quiet, "no report on stderr");
  exec->add_option("command", exec_options.command, "the command and its arguments (after --)")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*doctor) return run_doctor(doctor_json || out.json, require);
    if (*exec) return cli::run_exec(exec_options);
    cli::DaemonClient client(socket);
    if (*run) return cli::cmd_run(client, policy_path, out);
    if (*apply) return cli::cmd_apply(client, policy_path, out);
    if (*stop) return cli::cmd_stop(client, name, all, out);
    if (*list) return cli::cmd_list(client, out);
    if (*status) return cli::cmd_status(client, name, out);
    return 2;
  } catch (const std::exception& e) {
    log::error("fatal: {}", e.what());
    return 1;
  }
}
