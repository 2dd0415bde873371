// Process faults: a signal to a target-cgroup process when it enters a syscall, on exactly the
// calls the trigger picks (the n-th, every n-th, a probability). The raw sys_enter tracepoint
// with bpf_send_signal (bpf/process/process.bpf.c): the signal is delivered as the syscall returns.
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/process/process_spec.hpp"

namespace faultline::faults {

const KernelBackend& process_signal();

} // namespace faultline::faults
