// Syscall errors where kprobes cannot override (Debian, RHEL): BPF-LSM programs on the security
// hooks a syscall passes fail it from inside (bpf/syscall/sys.bpf.c), keyed by the number of the syscall
// the task is executing, so `read` and `pread64` stay apart though both pass file_permission.
// Serves the syscalls of its table (faults-syscall-hooks.md); refuses the rest with the reason.
#pragma once

#include <optional>
#include <string_view>

#include "faults/kernel_backend.hpp"
#include "faults/syscall/syscall_spec.hpp"

namespace faultline::faults {

const KernelBackend& sys_lsm();

// The LSM hook a syscall passes that the backend attaches to, if any ("file_permission").
std::optional<std::string_view> lsm_hook_of(std::string_view syscall);

} // namespace faultline::faults
