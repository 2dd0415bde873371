// One check of the service from outside (a command, an HTTP request, a PromQL query), whichever kind.
// Counter checks read faultline's own counts: the watchdog makes those.
#pragma once

#include "checks/check_result.hpp"
#include "policy/policy.hpp"

namespace faultline::checks {

CheckResult run_external(const policy::CheckSpec& check);

} // namespace faultline::checks
