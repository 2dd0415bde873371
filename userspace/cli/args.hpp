// Command-line parsing for `faultline`, separate from main() so it is unit-tested.
#pragma once

#include <string>
#include <vector>

#include "cli/exec.hpp"
#include "cli/observe_cmd.hpp"
#include "util/result.hpp"

namespace faultline::cli {

struct Invocation {
  enum class Command { run, apply, stop, list, status, report, events, doctor, exec, observe, help };
  Command command = Command::help;
  std::string socket = "/run/faultline/faultline.sock";
  bool json = false;
  std::string policy_path;
  std::string name;
  bool all = false;
  bool follow = false;              // events --follow
  std::string report_path;          // run --report: the JSON report
  std::string plot_path;            // run, report --plot: the SVG plot
  std::vector<std::string> require; // doctor --require
  ExecOptions exec;
  ObserveOptions observe;
  std::string help_text; // for help (exit 0) and usage errors
  int exit_code = 0;     // for help/usage: what main() returns
};

// Never exits the process; usage errors come back as an Invocation of help with exit_code 2.
Invocation parse_args(int argc, const char* const* argv);

} // namespace faultline::cli
