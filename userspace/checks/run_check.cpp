#include "checks/run_check.hpp"

#include "checks/command_check.hpp"
#include "checks/http_check.hpp"
#include "checks/prometheus_check.hpp"

#include <exception>
#include <string>

namespace faultline::checks {

CheckResult run_external(const policy::CheckSpec& check) {
  // Checks run on the watchdog's threads, where an exception would end the process mid-
  // experiment: whatever goes wrong is a failed check with the reason.
  try {
    if (const auto* http = std::get_if<policy::HttpCheck>(&check)) return run_http(*http);
    if (const auto* command = std::get_if<policy::CommandCheck>(&check)) return run_command(*command);
    if (const auto* prom = std::get_if<policy::PrometheusCheck>(&check)) return run_prometheus(*prom);
  } catch (const std::exception& e) {
    return {false, std::string("the check failed: ") + e.what(), 0};
  }
  return {false, "a counter is not a check of the service (it belongs in stopConditions)", 0};
}

} // namespace faultline::checks
