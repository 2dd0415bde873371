// faultline: the command-line client. Daemon commands talk to faultlined over its Unix socket;
// `exec`, `observe` and `doctor` need no daemon.
#include <cstdio>
#include <exception>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/exec.hpp"
#include "cli/observe_cmd.hpp"
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
  if (json)
    std::printf("%s\n", observe::doctor_json(features).dump(2).c_str());
  else
    std::fputs(observe::doctor_text(features).c_str(), stdout);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    const cli::Invocation inv = cli::parse_args(argc, argv);
    using C = cli::Invocation::Command;
    cli::DaemonClient client(inv.socket);
    const cli::OutputOptions out{inv.json};
    switch (inv.command) {
    case C::help:
      std::fputs(inv.help_text.c_str(), inv.exit_code == 0 ? stdout : stderr);
      return inv.exit_code;
    case C::doctor: return run_doctor(inv.json, inv.require);
    case C::exec: return cli::run_exec(inv.exec);
    case C::observe: return cli::run_observe(inv.observe);
    case C::run: return cli::cmd_run(client, inv.policy_path, out, {inv.report_path, inv.plot_path});
    case C::report: return cli::cmd_report(client, inv.name, out, inv.plot_path);
    case C::apply: return cli::cmd_apply(client, inv.policy_path, out);
    case C::stop: return cli::cmd_stop(client, inv.name, inv.all, out);
    case C::list: return cli::cmd_list(client, out);
    case C::status: return cli::cmd_status(client, inv.name, out);
    case C::events: return cli::cmd_events(client, inv.name, inv.follow);
    }
    return 2;
  } catch (const std::exception& e) {
    log::error("fatal: {}", e.what());
    return 1;
  }
}
