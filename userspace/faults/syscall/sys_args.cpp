#include "faults/syscall/sys_args.hpp"

#include <array>

#include "engine/abi_encode.hpp"

namespace faultline::faults {

static_assert(kSyscallPathMax + 1 == FL_SYS_PATH_MAX, "the parser admits what fits the rule");
namespace {

// Argument positions (0-based) of the syscalls whose filters need one. The parser admits flags
// only on open/openat and peers only on connect/bind/sendto/sendmsg, so these cover them all.
struct Signature {
  const char* name;
  int flags_arg;    // -1: none
  int addr_kind;    // enum fl_sys_addr_kind
  int addr_arg;     // the sockaddr or msghdr pointer
  int addr_len_arg; // the sockaddr's length
};
constexpr std::array<Signature, 6> kSignatures = {{
    {"open", 1, FL_SYS_ADDR_NONE, 0, 0},         // open(path, flags, mode)
    {"openat", 2, FL_SYS_ADDR_NONE, 0, 0},       // openat(dirfd, path, flags, mode)
    {"connect", -1, FL_SYS_ADDR_SOCKADDR, 1, 2}, // connect(fd, addr, addrlen)
    {"bind", -1, FL_SYS_ADDR_SOCKADDR, 1, 2},    // bind(fd, addr, addrlen)
    {"sendto", -1, FL_SYS_ADDR_SOCKADDR, 4, 5},  // sendto(fd, buf, len, flags, addr, addrlen)
    {"sendmsg", -1, FL_SYS_ADDR_MSGHDR, 1, 0},   // sendmsg(fd, msghdr, flags)
}};

const Signature* signature(std::string_view name) {
  for (const auto& s : kSignatures)
    if (name == s.name) return &s;
  return nullptr;
}

} // namespace

fl_sys_match sys_match(const SyscallFault& fault, std::string_view syscall) {
  fl_sys_match m{};
  if (!fault.path.empty()) {
    if (auto arg = policy::syscall_path_arg(syscall)) {
      m.path_arg = static_cast<std::uint8_t>(*arg + 1);
      m.path_len = static_cast<std::uint8_t>(fault.path.size());
      fault.path.copy(m.path, sizeof(m.path) - 1);
    }
  }
  const Signature* sig = signature(syscall);
  if (sig == nullptr) return m;
  if (fault.flags && sig->flags_arg >= 0) {
    m.flags_arg = static_cast<std::uint8_t>(sig->flags_arg + 1);
    m.accmodes = static_cast<std::uint8_t>(fault.flags->accmodes);
    m.flag_bits = fault.flags->bits;
  }
  if ((fault.peer || fault.port.min || fault.port.max) && sig->addr_kind != FL_SYS_ADDR_NONE) {
    m.addr_kind = static_cast<std::uint8_t>(sig->addr_kind);
    m.addr_arg = static_cast<std::uint8_t>(sig->addr_arg);
    m.addr_len_arg = static_cast<std::uint8_t>(sig->addr_len_arg);
    m.peer = engine::peer_match(fault.peer, fault.port);
  }
  return m;
}

std::vector<engine::HookRule> compile_syscall_fault(const policy::Fault& fault,
                                                    const engine::BuildContext& ctx) {
  const auto& sf = policy::spec_of<SyscallFault>(fault);
  std::vector<engine::HookRule> out;
  for (const auto& name : sf.names) {
    auto info = policy::native_syscall(name);
    if (!info) continue; // refused earlier by cannot_express
    fl_rule r{};
    r.effect = engine::errno_effect(sf.errs);
    r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
    engine::set_family_part(r, sys_match(sf, name));
    out.push_back({FL_HOOK_SYSCALL, static_cast<std::uint32_t>(info->number), r});
  }
  return out;
}

} // namespace faultline::faults
