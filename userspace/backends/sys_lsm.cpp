#include "backends/sys_lsm.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "backends/sys_args.hpp"

namespace faultline::backends {
namespace {

// Syscall -> the one LSM hook every successful call of it passes before it changes anything.
// Kept in step with docs/syscall-hooks.md. Syscalls without such a hook (fsync, fdatasync,
// getppid, ...) are left to the kprobe backend.
constexpr std::array<std::pair<const char*, const char*>, 54> kHooks = {{
    {"open", "file_open"},
    {"openat", "file_open"},
    {"openat2", "file_open"},
    {"creat", "file_open"},
    {"read", "file_permission"},
    {"pread64", "file_permission"},
    {"readv", "file_permission"},
    {"preadv", "file_permission"},
    {"preadv2", "file_permission"},
    {"write", "file_permission"},
    {"pwrite64", "file_permission"},
    {"writev", "file_permission"},
    {"pwritev", "file_permission"},
    {"pwritev2", "file_permission"},
    {"sendfile", "file_permission"},
    {"copy_file_range", "file_permission"},
    {"mmap", "mmap_file"},
    {"mprotect", "file_mprotect"},
    {"pkey_mprotect", "file_mprotect"},
    {"ioctl", "file_ioctl"},
    {"fcntl", "file_fcntl"},
    {"flock", "file_lock"},
    {"unlink", "inode_unlink"},
    {"rmdir", "inode_rmdir"},
    {"mkdir", "inode_mkdir"},
    {"mkdirat", "inode_mkdir"},
    {"rename", "inode_rename"},
    {"renameat", "inode_rename"},
    {"renameat2", "inode_rename"},
    {"link", "inode_link"},
    {"linkat", "inode_link"},
    {"symlink", "inode_symlink"},
    {"symlinkat", "inode_symlink"},
    {"stat", "inode_getattr"},
    {"lstat", "inode_getattr"},
    {"fstat", "inode_getattr"},
    {"newfstatat", "inode_getattr"},
    {"statx", "inode_getattr"},
    {"execve", "bprm_check_security"},
    {"execveat", "bprm_check_security"},
    {"kill", "task_kill"},
    {"tkill", "task_kill"},
    {"tgkill", "task_kill"},
    {"socket", "socket_create"},
    {"connect", "socket_connect"},
    {"bind", "socket_bind"},
    {"listen", "socket_listen"},
    {"accept", "socket_accept"},
    {"accept4", "socket_accept"},
    {"sendto", "socket_sendmsg"},
    {"sendmsg", "socket_sendmsg"},
    {"recvfrom", "socket_recvmsg"},
    {"recvmsg", "socket_recvmsg"},
    {"shutdown", "socket_shutdown"},
}};

std::string program_of(std::string_view hook) { return "fl_lsm_sys_" + std::string(hook); }

class SysLsm final : public KernelBackend {
public:
  std::string_view name() const override { return "syscall.lsm"; }
  std::string_view family() const override { return "syscall"; }
  std::string_view summary() const override {
    return "errors from the syscalls that pass an LSM hook (docs/syscall-hooks.md), with open-flag and peer "
           "filters: BPF-LSM";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  bool attaches_per_sub() const override { return true; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_SYSCALL}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    for (const auto& name : std::get<policy::SyscallFault>(fault.spec).names) {
      if (auto info = native_syscall(name); !info) return info.error().message;
      if (!lsm_hook_of(name))
        return "'" + name +
               "' passes no LSM hook it could fail from (docs/syscall-hooks.md); only kprobe + "
               "bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) can fail it";
    }
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    return compile_syscall_fault(fault, ctx);
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::lsm);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override {
    std::vector<std::string> out;
    for (const auto& [syscall, hook] : kHooks) {
      std::string p = program_of(hook);
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
    }
    return out;
  }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target&, fl_hook,
                                           std::uint32_t sub) const override {
    const auto arch = policy::native_arch();
    auto info = policy::find_syscall(static_cast<int>(sub), arch);
    if (!info) return make_error(ENOSYS, "no syscall number {} on {}", sub, policy::arch_name(arch));
    auto hook = lsm_hook_of(info->name);
    if (!hook) return make_error(EOPNOTSUPP, "'{}' passes no LSM hook faultline attaches to", info->name);
    return attach_shared(programs, program_of(*hook)); // read and pread64 share file_permission
  }
};

} // namespace

std::optional<std::string_view> lsm_hook_of(std::string_view syscall) {
  for (const auto& [name, hook] : kHooks)
    if (syscall == name) return hook;
  return std::nullopt;
}

const KernelBackend& sys_lsm() {
  static const SysLsm kBackend;
  return kBackend;
}

} // namespace faultline::backends
