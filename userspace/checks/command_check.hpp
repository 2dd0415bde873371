// A command check: /bin/sh -c COMMAND, healthy on exit status 0 within the timeout. Its output
// is discarded; a command still running at the timeout is killed with its whole process group.
#pragma once

#include "checks/check_result.hpp"
#include "policy/policy.hpp"

namespace faultline::checks {

CheckResult run_command(const policy::CommandCheck& check);

} // namespace faultline::checks
