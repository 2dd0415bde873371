#pragma once

#include <string>
#include <vector>

#include "kernel/features.hpp"

namespace faultline::cli {

// `faultline doctor`: what this kernel supports, per feature and per fault family, and why not.
// With `require`, exits 0 only when every named feature is supported (used by vmtests/).
int run_doctor(kernel::Features& features, const std::vector<std::string>& require, bool json);

} // namespace faultline::cli
