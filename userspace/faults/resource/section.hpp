// The resource family's block of a fault: its key, parser and trigger checks.
#pragma once

#include "policy/fault_section.hpp"

namespace faultline::faults {

const policy::FaultSection& resource_section();

} // namespace faultline::faults
