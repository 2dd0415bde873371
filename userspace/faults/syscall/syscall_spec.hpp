// The syscall family's section of a fault (`syscall: {name, errno, ...}`), as its parser validated it.
#pragma once

#include "policy/policy.hpp"
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::faults {

using policy::Cidr;
using policy::ErrnoMix;
using policy::PortRange;

// Open flags a syscall filter selects (`flags: [O_WRONLY, O_CREAT]`): a call matches when its
// access mode is one of `accmodes` or it carries any of `bits`.
struct OpenFlagsFilter {
  std::uint32_t accmodes = 0; // bit (1 << mode) for O_RDONLY (0), O_WRONLY (1), O_RDWR (2)
  std::uint32_t bits = 0;     // O_CREAT, O_TRUNC, O_APPEND...
};

struct SyscallFault {
  std::vector<std::string> names; // `name: fsync` or `name: [fsync, fdatasync]`
  ErrnoMix errs;
  std::optional<OpenFlagsFilter> flags; // open, openat
  std::optional<Cidr> peer;             // connect, bind, sendto, sendmsg
  PortRange port;
  std::string path; // prefix of the path argument as written (syscall_path_arg); empty = any
};
// Longest syscall `path:` prefix, in bytes: the rule's buffer in the kernel ABI (FL_SYS_PATH_MAX,
// NUL included; sys_args.cpp holds the two equal).
inline constexpr std::size_t kSyscallPathMax = 123;

} // namespace faultline::faults
