#include "policy/syscalls.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string>

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

std::optional<int> syscall_path_arg(std::string_view name) {
  // Same positions on x86_64 and arm64 (arm64 lacks the legacy names, which it then refuses).
  static constexpr std::array<std::pair<std::string_view, int>, 44> kPathArgs = {{
      {"open", 0},       {"creat", 0},     {"openat", 1},      {"openat2", 1},
      {"unlink", 0},     {"unlinkat", 1},  {"rmdir", 0},       {"mkdir", 0},
      {"mkdirat", 1},    {"mknod", 0},     {"mknodat", 1},     {"rename", 0},
      {"renameat", 1},   {"renameat2", 1}, {"link", 0},        {"linkat", 1},
      {"symlink", 1},    {"symlinkat", 2}, {"truncate", 0},    {"chmod", 0},
      {"fchmodat", 1},   {"chown", 0},     {"lchown", 0},      {"fchownat", 1},
      {"stat", 0},       {"lstat", 0},     {"newfstatat", 1},  {"statx", 1},
      {"access", 0},     {"faccessat", 1}, {"faccessat2", 1},  {"readlink", 0},
      {"readlinkat", 1}, {"execve", 0},    {"execveat", 1},    {"utimes", 0},
      {"utimensat", 1},  {"chdir", 0},     {"chroot", 0},      {"statfs", 0},
      {"setxattr", 0},   {"getxattr", 0},  {"removexattr", 0}, {"inotify_add_watch", 1},
  }};
  for (const auto& [n, arg] : kPathArgs)
    if (n == name) return arg;
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

Result<SyscallInfo> native_syscall(std::string_view name) {
  const auto arch = native_arch();
  if (auto info = find_syscall(name, arch)) return *info;
  return make_error(ENOSYS, "syscall '{}' does not exist on {}", name, arch_name(arch));
}

std::string native_syscall_name(int nr) {
  if (auto info = find_syscall(nr, native_arch())) return std::string(info->name);
  return "#" + std::to_string(nr);
}

} // namespace faultline::policy
