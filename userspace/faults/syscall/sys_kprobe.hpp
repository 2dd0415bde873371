// Syscall errors for the tasks of a target cgroup, from any syscall: a kprobe on each named
// syscall's wrapper returns -errno through bpf_override_return before the syscall runs
// (bpf/syscall/sys.bpf.c). Needs CONFIG_BPF_KPROBE_OVERRIDE (Ubuntu, Fedora; not Debian or RHEL).
#pragma once

#include "faults/kernel_backend.hpp"
#include "faults/syscall/syscall_spec.hpp"

namespace faultline::faults {

const KernelBackend& sys_kprobe();

} // namespace faultline::faults
