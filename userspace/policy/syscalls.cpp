#include "policy/syscalls.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace faultline::policy {
namespace {

struct Row {
  Arch arch;
  int number;
  const char* name;
  const char* entry;
};

// std::to_array from one braced list: class template argument deduction of a std::array of ~650
// elements would instantiate a fold expression past clang's nesting limit.
#define FL_SYSCALL(arch, nr, name, entry) Row{Arch::arch, nr, name, entry},
constexpr auto kRows = std::to_array<Row>({
#include "policy/syscall_tables.inc"
});
#undef FL_SYSCALL

} // namespace

Arch native_arch() {
#if defined(__aarch64__)
  return Arch::arm64;
#else
  return Arch::x86_64;
#endif
}

const char* arch_name(Arch arch) { return arch == Arch::arm64 ? "arm64" : "x86_64"; }

std::optional<SyscallInfo> find_syscall(std::string_view name, Arch arch) {
  for (const auto& r : kRows)
    if (r.arch == arch && name == r.name) return SyscallInfo{r.name, r.number, r.entry};
  return std::nullopt;
}

std::optional<SyscallInfo> find_syscall(int number, Arch arch) {
  for (const auto& r : kRows)
    if (r.arch == arch && r.number == number) return SyscallInfo{r.name, r.number, r.entry};
  return std::nullopt;
}

bool is_known_syscall(std::string_view name) {
  return std::any_of(kRows.begin(), kRows.end(), [&](const Row& r) { return name == r.name; });
}

std::vector<std::string> syscall_names() {
  std::set<std::string> names;
  for (const auto& r : kRows)
    names.insert(r.name);
  return {names.begin(), names.end()};
}

std::string syscall_wrapper_symbol(const SyscallInfo& info, Arch arch) {
  // SYSCALL_DEFINE wraps each entry point for the pt_regs calling convention (and marks the
  // wrapper ALLOW_ERROR_INJECTION): sys_openat becomes __x64_sys_openat / __arm64_sys_openat.
  return std::string(arch == Arch::arm64 ? "__arm64_" : "__x64_") + std::string(info.entry);
}

} // namespace faultline::policy
