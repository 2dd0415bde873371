#include "cli/args.hpp"

#include <CLI/CLI.hpp>

#include "policy/units.hpp"

namespace faultline::cli {

Invocation parse_args(int argc, const char* const* argv) {
  Invocation inv;
  CLI::App app{"faultline: kernel-level fault injection, scoped to a cgroup"};
  app.require_subcommand(1);
  app.add_option("--socket", inv.socket, "faultlined's Unix socket")->capture_default_str();
  app.add_flag("--json", inv.json, "machine-readable output");

  auto* run = app.add_subcommand("run", "apply a policy, wait for it to end, print the report");
  run->add_option("-f,--file,policy", inv.policy_path, "policy file")->required();
  run->add_option("--report", inv.report_path, "write the JSON report (with its timeline) here");
  run->add_option("--plot", inv.plot_path, "write an SVG plot of the report here");
  auto* apply = app.add_subcommand("apply", "apply a policy and return (the daemon keeps it running)");
  apply->add_option("-f,--file,policy", inv.policy_path, "policy file")->required();
  auto* stop = app.add_subcommand("stop", "stop one experiment, or every fault with --all (kill switch)");
  stop->add_option("name", inv.name, "experiment name");
  stop->add_flag("--all", inv.all, "disarm every fault at once, then stop every experiment");
  auto* list = app.add_subcommand("list", "list experiments");
  auto* status = app.add_subcommand("status", "an experiment's state and counters");
  status->add_option("name", inv.name, "experiment name")->required();
  auto* report =
      app.add_subcommand("report", "an experiment's report: counters, stop-condition checks, verdict");
  report->add_option("name", inv.name, "experiment name")->required();
  report->add_option("--plot", inv.plot_path, "write an SVG plot of the report here");
  auto* events = app.add_subcommand("events", "injection events as JSON lines (time, pid, comm, cgroup, "
                                              "experiment, fault, effect)");
  events->add_option("name", inv.name, "only this experiment's events");
  events->add_flag("-f,--follow", inv.follow,
                   "keep printing new events (until Ctrl-C, or until the named experiment has ended)");
  auto* doctor = app.add_subcommand("doctor", "what this kernel supports, per fault family, and why not");
  doctor->add_flag("--json", inv.json, "machine-readable output");
  doctor->add_option("--require", inv.require, "exit 1 unless these features are supported");
  auto* exec = app.add_subcommand("exec", "run a command in a fresh cgroup under a policy, without a daemon");
  exec->add_option("-p,--policy", inv.exec.policy_path, "policy file")->required();
  exec->add_option("--report", inv.exec.report_path, "write the JSON report here");
  exec->add_option("--plot", inv.exec.plot_path, "write an SVG plot of the report here");
  exec->add_flag("-q,--quiet", inv.exec.quiet, "no report on stderr");
  exec->add_option("command", inv.exec.command, "the command and its arguments (after --)")->required();
  auto* observe =
      app.add_subcommand("observe", "count the syscall errors a cgroup meets on its own, per syscall "
                                    "and errno; --policy writes a policy that amplifies them");
  std::string observe_duration = "30s";
  observe
      ->add_option("--cgroup", inv.observe.cgroup, "the cgroup (absolute, or relative to the cgroup2 mount)")
      ->required();
  observe->add_option("--duration", observe_duration, "how long to observe (Ctrl-C ends it early)")
      ->capture_default_str();
  observe->add_option("--policy", inv.observe.policy_path,
                      "write a policy that amplifies the errors seen here");
  observe
      ->add_option("--factor", inv.observe.factor,
                   "the policy injects each error at this multiple of its rate")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1e6));
  observe->add_option("--min-errors", inv.observe.min_errors, "leave out syscalls with fewer errors")
      ->capture_default_str();
  observe->add_option("--name", inv.observe.name, "the policy's experiment name (default amplify-CGROUP)");
  observe->add_option("--policy-duration", inv.observe.policy_duration, "the policy's duration")
      ->capture_default_str();
  observe->add_flag("--json", inv.observe.json, "machine-readable output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    inv.command = Invocation::Command::help;
    inv.exit_code = e.get_exit_code() == 0 ? 0 : 2;
    inv.help_text = e.get_exit_code() == 0 ? app.help() : std::string(e.what()) + "\n" + app.help();
    return inv;
  }
  if (*stop && inv.name.empty() && !inv.all) {
    inv.command = Invocation::Command::help;
    inv.exit_code = 2;
    inv.help_text = "stop: name an experiment, or use --all\n";
    return inv;
  }
  if (*observe) {
    const auto ns = policy::parse_duration_ns(observe_duration);
    std::string bad;
    if (!ns || *ns == 0)
      bad = "observe: --duration " + observe_duration + " is not a duration (30s, 1m, 500ms)\n";
    else if (!policy::parse_duration_ns(inv.observe.policy_duration))
      bad = "observe: --policy-duration " + inv.observe.policy_duration + " is not a duration (60s, 5m)\n";
    if (!bad.empty()) {
      inv.command = Invocation::Command::help;
      inv.exit_code = 2;
      inv.help_text = bad;
      return inv;
    }
    inv.observe.duration_ns = *ns;
    inv.observe.json = inv.observe.json || inv.json;
  }
  using C = Invocation::Command;
  inv.command = *run       ? C::run
                : *apply   ? C::apply
                : *stop    ? C::stop
                : *list    ? C::list
                : *status  ? C::status
                : *report  ? C::report
                : *events  ? C::events
                : *doctor  ? C::doctor
                : *observe ? C::observe
                           : C::exec;
  return inv;
}

} // namespace faultline::cli
