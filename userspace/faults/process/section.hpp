// The process family's block of a fault: its key, parser and trigger checks.
#pragma once

#include "policy/fault_section.hpp"

namespace faultline::faults {

const policy::FaultSection& process_section();

} // namespace faultline::faults
