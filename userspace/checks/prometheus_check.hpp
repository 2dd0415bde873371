// A PromQL check: an instant query against a Prometheus server's HTTP API
// (GET /api/v1/query), healthy while every sample it returns is within [min, max]. NaN is never
// healthy; a query with no samples is healthy only with ifEmpty: healthy (an alert-style query,
// `rate(errors[1m]) > 0.05`, returns nothing while all is well).
#pragma once

#include <string>

#include "checks/check_result.hpp"
#include "policy/policy.hpp"

namespace faultline::checks {

CheckResult run_prometheus(const policy::PrometheusCheck& check);

// The verdict on one answer body of /api/v1/query (healthy and detail; took_ns left 0).
CheckResult judge_prometheus_answer(const policy::PrometheusCheck& check, const std::string& body);

} // namespace faultline::checks
