#include "checks/run_check.hpp"

#include "checks/command_check.hpp"
#include "checks/http_check.hpp"
#include "checks/prometheus_check.hpp"

namespace faultline::checks {

CheckResult run_external(const policy::CheckSpec& check) {
  if (const auto* http = std::get_if<policy::HttpCheck>(&check)) return run_http(*http);
  if (const auto* command = std::get_if<policy::CommandCheck>(&check)) return run_command(*command);
  if (const auto* prom = std::get_if<policy::PrometheusCheck>(&check)) return run_prometheus(*prom);
  return {false, "a counter is not a check of the service (it belongs in stopConditions)", 0};
}

} // namespace faultline::checks
