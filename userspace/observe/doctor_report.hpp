// `faultline doctor`: what this kernel supports, per feature and per fault backend (the
// registry), and why not.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "kernel/features.hpp"

namespace faultline::observe {

nlohmann::json doctor_json(kernel::Features& features);
std::string doctor_text(kernel::Features& features);

} // namespace faultline::observe
