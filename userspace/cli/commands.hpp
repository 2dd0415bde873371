// The daemon-backed subcommands. Each returns the process exit status.
#pragma once

#include <string>

#include "cli/client.hpp"

namespace faultline::cli {

struct OutputOptions {
  bool json = false;
};

int cmd_apply(DaemonClient& client, const std::string& policy_path, const OutputOptions& out);
// Applies, waits for the experiment to end (Ctrl-C stops it early), prints the report.
int cmd_run(DaemonClient& client, const std::string& policy_path, const OutputOptions& out);
int cmd_stop(DaemonClient& client, const std::string& name, bool all, const OutputOptions& out);
int cmd_list(DaemonClient& client, const OutputOptions& out);
int cmd_status(DaemonClient& client, const std::string& name, const OutputOptions& out);

} // namespace faultline::cli
