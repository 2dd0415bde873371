// Every syscall of the architectures faultline knows, with its number and kernel entry point,
// from tables generated out of the kernel's own (scripts/gen-syscall-tables.py). A policy may
// name any of them; the engine resolves the name for the architecture it runs on.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace faultline::policy {

enum class Arch { x86_64, arm64 };

struct SyscallInfo {
  std::string_view name;  // "fstat"
  int number = -1;        // on its architecture
  std::string_view entry; // "sys_newfstat": the kernel function behind it
};

Arch native_arch(); // the architecture this binary was built for
const char* arch_name(Arch arch);

std::optional<SyscallInfo> find_syscall(std::string_view name, Arch arch);
std::optional<SyscallInfo> find_syscall(int number, Arch arch);
// The syscall on the architecture this binary runs on; ENOSYS naming the architecture if its
// table has no such syscall (a policy written for another machine).
Result<SyscallInfo> native_syscall(std::string_view name);
// The name of syscall number `nr` on this architecture, or "#nr" when its table has none.
std::string native_syscall_name(int nr);
// Named by some architecture's table (a policy may be written for another machine).
bool is_known_syscall(std::string_view name);
std::vector<std::string> syscall_names(); // of every architecture, for suggestions
// The function a kprobe attaches to: the architecture's syscall wrapper ("__x64_sys_newfstat").
std::string syscall_wrapper_symbol(const SyscallInfo& info, Arch arch);

// The position (0-based) of the path a syscall acts on, for `path:` filters: openat's second
// argument, rename's source, symlink's new link. nullopt for syscalls without one.
std::optional<int> syscall_path_arg(std::string_view name);

} // namespace faultline::policy
