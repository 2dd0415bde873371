#include "faults/syscall/sys_lsm.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "faults/syscall/sys_args.hpp"

namespace faultline::faults {
namespace {

// Syscall -> the one LSM hook every successful call of it passes before it changes anything.
// Kept in step with hooks.md, this folder's table. Syscalls without such a hook (fsync, fdatasync,
// getppid, ...) are left to the kprobe backend.
struct HookOf {
  const char* syscall;
  const char* hook;
  fl_lsm_hook id; // the program's own id (bpf/syscall/sys.bpf.c FL_SYS_LSM)
};
constexpr std::array<HookOf, 54> kHooks = {{
    {"open", "file_open", FL_LSM_FILE_OPEN},
    {"openat", "file_open", FL_LSM_FILE_OPEN},
    {"openat2", "file_open", FL_LSM_FILE_OPEN},
    {"creat", "file_open", FL_LSM_FILE_OPEN},
    {"read", "file_permission", FL_LSM_FILE_PERMISSION},
    {"pread64", "file_permission", FL_LSM_FILE_PERMISSION},
    {"readv", "file_permission", FL_LSM_FILE_PERMISSION},
    {"preadv", "file_permission", FL_LSM_FILE_PERMISSION},
    {"preadv2", "file_permission", FL_LSM_FILE_PERMISSION},
    {"write", "file_permission", FL_LSM_FILE_PERMISSION},
    {"pwrite64", "file_permission", FL_LSM_FILE_PERMISSION},
    {"writev", "file_permission", FL_LSM_FILE_PERMISSION},
    {"pwritev", "file_permission", FL_LSM_FILE_PERMISSION},
    {"pwritev2", "file_permission", FL_LSM_FILE_PERMISSION},
    {"sendfile", "file_permission", FL_LSM_FILE_PERMISSION},
    {"copy_file_range", "file_permission", FL_LSM_FILE_PERMISSION},
    {"mmap", "mmap_file", FL_LSM_MMAP_FILE},
    {"mprotect", "file_mprotect", FL_LSM_FILE_MPROTECT},
    {"pkey_mprotect", "file_mprotect", FL_LSM_FILE_MPROTECT},
    {"ioctl", "file_ioctl", FL_LSM_FILE_IOCTL},
    {"fcntl", "file_fcntl", FL_LSM_FILE_FCNTL},
    {"flock", "file_lock", FL_LSM_FILE_LOCK},
    {"unlink", "inode_unlink", FL_LSM_INODE_UNLINK},
    {"rmdir", "inode_rmdir", FL_LSM_INODE_RMDIR},
    {"mkdir", "inode_mkdir", FL_LSM_INODE_MKDIR},
    {"mkdirat", "inode_mkdir", FL_LSM_INODE_MKDIR},
    {"rename", "inode_rename", FL_LSM_INODE_RENAME},
    {"renameat", "inode_rename", FL_LSM_INODE_RENAME},
    {"renameat2", "inode_rename", FL_LSM_INODE_RENAME},
    {"link", "inode_link", FL_LSM_INODE_LINK},
    {"linkat", "inode_link", FL_LSM_INODE_LINK},
    {"symlink", "inode_symlink", FL_LSM_INODE_SYMLINK},
    {"symlinkat", "inode_symlink", FL_LSM_INODE_SYMLINK},
    {"stat", "inode_getattr", FL_LSM_INODE_GETATTR},
    {"lstat", "inode_getattr", FL_LSM_INODE_GETATTR},
    {"fstat", "inode_getattr", FL_LSM_INODE_GETATTR},
    {"newfstatat", "inode_getattr", FL_LSM_INODE_GETATTR},
    {"statx", "inode_getattr", FL_LSM_INODE_GETATTR},
    {"execve", "bprm_check_security", FL_LSM_BPRM_CHECK_SECURITY},
    {"execveat", "bprm_check_security", FL_LSM_BPRM_CHECK_SECURITY},
    {"kill", "task_kill", FL_LSM_TASK_KILL},
    {"tkill", "task_kill", FL_LSM_TASK_KILL},
    {"tgkill", "task_kill", FL_LSM_TASK_KILL},
    {"socket", "socket_create", FL_LSM_SOCKET_CREATE},
    {"connect", "socket_connect", FL_LSM_SOCKET_CONNECT},
    {"bind", "socket_bind", FL_LSM_SOCKET_BIND},
    {"listen", "socket_listen", FL_LSM_SOCKET_LISTEN},
    {"accept", "socket_accept", FL_LSM_SOCKET_ACCEPT},
    {"accept4", "socket_accept", FL_LSM_SOCKET_ACCEPT},
    {"sendto", "socket_sendmsg", FL_LSM_SOCKET_SENDMSG},
    {"sendmsg", "socket_sendmsg", FL_LSM_SOCKET_SENDMSG},
    {"recvfrom", "socket_recvmsg", FL_LSM_SOCKET_RECVMSG},
    {"recvmsg", "socket_recvmsg", FL_LSM_SOCKET_RECVMSG},
    {"shutdown", "socket_shutdown", FL_LSM_SOCKET_SHUTDOWN},
}};

// The program FL_SYS_LSM(hook) defines (the FamilyRegistry unit test holds every name a backend
// gives to the object's programs).
std::string program_of(std::string_view hook) { return "fl_lsm_sys_" + std::string(hook); }

fl_lsm_hook hook_id_of(std::string_view syscall) {
  for (const auto& h : kHooks)
    if (syscall == h.syscall) return h.id;
  return FL_LSM_AT_ENTRY;
}

class SysLsm final : public KernelBackend {
public:
  std::string_view name() const override { return "syscall.lsm"; }
  std::string_view family() const override { return "syscall"; }
  std::string_view summary() const override {
    return "errors from the syscalls that pass an LSM hook (faults-syscall-hooks.md), with open-flag and "
           "peer "
           "filters: BPF-LSM";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  bool attaches_per_sub() const override { return true; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_SYSCALL}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    for (const auto& name : policy::spec_of<SyscallFault>(fault).names) {
      if (auto info = policy::native_syscall(name); !info) return info.error().message;
      if (!lsm_hook_of(name))
        return "'" + name +
               "' passes no LSM hook it could fail from (faults-syscall-hooks.md); only kprobe + "
               "bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) can fail it";
    }
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    auto rules = compile_syscall_fault(fault, ctx);
    // Judged only by the program of the syscall's own hook: exec maps files (mmap_file) and a
    // read on a socket passes socket_recvmsg too, and those must not count as the rule's calls.
    for (auto& hr : rules)
      if (auto info = policy::find_syscall(static_cast<int>(hr.sub), policy::native_arch())) {
        auto match = engine::family_part<fl_sys_match>(hr.rule);
        match.lsm_hook = static_cast<std::uint8_t>(hook_id_of(info->name));
        engine::set_family_part(hr.rule, match);
      }
    return rules;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::lsm);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override {
    std::vector<std::string> out;
    for (const auto& [syscall, hook, id] : kHooks)
      add_program(out, program_of(hook));
    return out;
  }
  std::vector<std::string> programs_for(const std::vector<policy::Fault>& faults) const override {
    std::vector<std::string> out; // one program per hook: only the hooks of the syscalls named
    for (const auto& f : faults) {
      const auto* sys = policy::spec_if<SyscallFault>(f);
      if (sys == nullptr) continue;
      for (const auto& name : sys->names) {
        if (auto hook = lsm_hook_of(name))
          add_program(out, program_of(*hook)); // else refused by cannot_express
      }
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
  for (const auto& [name, hook, id] : kHooks)
    if (syscall == name) return hook;
  return std::nullopt;
}

const KernelBackend& sys_lsm() {
  static const SysLsm kBackend;
  return kBackend;
}

} // namespace faultline::faults
