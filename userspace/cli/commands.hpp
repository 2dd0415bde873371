// The daemon-backed subcommands. Each returns the process exit status.
#pragma once

#include <string>

#include "cli/client.hpp"

namespace faultline::cli {

struct OutputOptions {
  bool json = false;
};

int cmd_apply(DaemonClient& client, const std::string& policy_path, const OutputOptions& out);
struct ReportFiles {
  std::string json_path; // empty = none
  std::string svg_path;
};

// Applies, waits for the experiment to end (Ctrl-C stops it early), prints the report and writes
// the files asked for.
int cmd_run(DaemonClient& client, const std::string& policy_path, const OutputOptions& out,
            const ReportFiles& files = {});
// Prints an experiment's report (live or finished); writes its plot when asked.
int cmd_report(DaemonClient& client, const std::string& name, const OutputOptions& out,
               const std::string& plot_path);
int cmd_stop(DaemonClient& client, const std::string& name, bool all, const OutputOptions& out);
int cmd_list(DaemonClient& client, const OutputOptions& out);
// Prints the daemon's injection events as JSON lines; with `follow`, new ones as they come, until
// Ctrl-C or (with a name) until that experiment has ended and its last events are printed.
int cmd_events(DaemonClient& client, const std::string& name, bool follow);
int cmd_status(DaemonClient& client, const std::string& name, const OutputOptions& out);

} // namespace faultline::cli
