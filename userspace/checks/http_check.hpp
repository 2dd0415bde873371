// An HTTP check: GET the URL, healthy when the status is the expected one within maxLatency (and
// the timeout). A connection refused or a timeout is a failure with that reason.
#pragma once

#include "checks/check_result.hpp"
#include "policy/policy.hpp"

namespace faultline::checks {

CheckResult run_http(const policy::HttpCheck& check);

} // namespace faultline::checks
