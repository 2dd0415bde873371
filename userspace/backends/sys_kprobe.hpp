// Syscall errors for the tasks of a target cgroup, from any syscall: a kprobe on each named
// syscall's wrapper returns -errno through bpf_override_return before the syscall runs
// (bpf/sys.bpf.c). Needs CONFIG_BPF_KPROBE_OVERRIDE (Ubuntu, Fedora; not Debian or RHEL).
#pragma once

#include "backends/kernel_backend.hpp"

namespace faultline::backends {

const KernelBackend& sys_kprobe();

} // namespace faultline::backends
