// Syscall faults on the kernel side: which argument of each syscall carries what a filter looks
// at (open flags, a peer address), and the number a syscall has on this architecture. Shared by
// the syscall family's backends.
#pragma once

#include <string>
#include <string_view>

#include <vector>

#include "engine/backend.hpp"
#include "faultline/abi.h"
#include "faults/syscall/syscall_spec.hpp"
#include "policy/policy.hpp"
#include "policy/syscalls.hpp"
#include "syscall/abi.h"
#include "util/result.hpp"

namespace faultline::faults {

// The argument filters of a syscall fault for one of its syscalls, in the ABI's form.
fl_sys_match sys_match(const SyscallFault& fault, std::string_view syscall);

// The rules of a syscall fault: one per syscall named, keyed (FL_HOOK_SYSCALL, its number), the
// same for every backend that injects syscall errors. Only for faults whose syscalls all exist
// here (native_syscall).
std::vector<engine::HookRule> compile_syscall_fault(const policy::Fault& fault,
                                                    const engine::BuildContext& ctx);

} // namespace faultline::faults
