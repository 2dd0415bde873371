#include "faults/syscall/section.hpp"

#include <any>

#include "faults/syscall/syscall_spec.hpp"

#include <fmt/format.h>

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <set>

#include "policy/syscalls.hpp"

namespace faultline::faults {

using policy::check_syscall_name;
using policy::Field;
namespace {

// Syscalls whose arguments carry open flags / a peer address (the kernel side finds them by the
// argument indexes the backend sets; see sys_args.cpp).
constexpr std::array kFlagSyscalls = {"open", "openat"};
constexpr std::array kAddressSyscalls = {"connect", "bind", "sendto", "sendmsg"};

template <typename Names> bool all_in(const std::vector<std::string>& names, const Names& allowed) {
  return std::all_of(names.begin(), names.end(), [&](const std::string& n) {
    return std::find(allowed.begin(), allowed.end(), n) != allowed.end();
  });
}

OpenFlagsFilter parse_open_flags(const Field& f) {
  static constexpr std::array<std::pair<const char*, std::uint32_t>, 3> kModes = {
      {{"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR}}};
  // Multi-bit flags by their own bit: O_SYNC includes O_DSYNC, O_TMPFILE includes O_DIRECTORY,
  // and "any bit" would match every O_DSYNC open or every opendir.
  static constexpr std::array<std::pair<const char*, std::uint32_t>, 7> kBits = {
      {{"O_CREAT", O_CREAT},
       {"O_EXCL", O_EXCL},
       {"O_TRUNC", O_TRUNC},
       {"O_APPEND", O_APPEND},
       {"O_DIRECT", O_DIRECT},
       {"O_SYNC", O_SYNC & ~O_DSYNC},
       {"O_TMPFILE", O_TMPFILE & ~O_DIRECTORY}}};
  OpenFlagsFilter out;
  const auto items = f.items();
  if (items.empty()) f.fail("list at least one flag, e.g. [O_WRONLY, O_RDWR]");
  for (const auto& item : items) {
    const std::string s = item.str();
    auto mode = std::find_if(kModes.begin(), kModes.end(), [&](const auto& m) { return s == m.first; });
    auto bit = std::find_if(kBits.begin(), kBits.end(), [&](const auto& b) { return s == b.first; });
    if (mode != kModes.end())
      out.accmodes |= 1u << mode->second;
    else if (bit != kBits.end())
      out.bits |= bit->second;
    else
      item.fail(fmt::format("unknown open flag '{}'; expected O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, "
                            "O_TRUNC, O_APPEND, O_DIRECT, O_SYNC or O_TMPFILE",
                            s));
  }
  return out;
}

} // namespace

namespace {

SyscallFault parse_syscall(const Field& f) {
  f.expect_keys({"name", "errno", "flags", "peer", "port", "path"});
  SyscallFault s;
  const Field name = f.get("name");
  if (name.is_sequence()) {
    std::set<std::string> seen;
    for (const auto& n : name.items()) {
      check_syscall_name(n);
      if (!seen.insert(n.str()).second) n.fail(fmt::format("'{}' is listed twice", n.str()));
      s.names.push_back(n.str());
    }
    if (s.names.empty()) name.fail("list at least one syscall");
  } else {
    check_syscall_name(name);
    s.names.push_back(name.str());
  }
  s.errs = f.get("errno").errno_mix();
  if (auto fl = f.find("flags")) {
    if (!all_in(s.names, kFlagSyscalls)) fl->fail("flags filters apply only to open and openat");
    s.flags = parse_open_flags(*fl);
  }
  if (auto p = f.find("peer")) {
    if (!all_in(s.names, kAddressSyscalls))
      p->fail("peer filters apply only to connect, bind, sendto and sendmsg");
    s.peer = p->cidr();
  }
  if (auto p = f.find("port")) {
    if (!all_in(s.names, kAddressSyscalls))
      p->fail("port filters apply only to connect, bind, sendto and sendmsg");
    s.port = p->ports();
  }
  if (auto p = f.find("path")) {
    for (const auto& n : s.names)
      if (!policy::syscall_path_arg(n))
        p->fail(fmt::format("{} takes no path argument; path filters apply to syscalls that do (open, "
                            "openat, unlink, mkdir, rename, truncate, stat, execve, ...)",
                            n));
    s.path = p->str();
    if (s.path.empty() || s.path.front() != '/')
      p->fail(fmt::format("'{}' must be an absolute path (it is matched against the path argument as "
                          "the caller wrote it)",
                          s.path));
    if (s.path.size() > kSyscallPathMax)
      p->fail(fmt::format("syscall path prefixes are limited to {} bytes", kSyscallPathMax));
  }
  return s;
}

class SyscallSection final : public policy::FaultSection {
public:
  std::string_view key() const override { return "syscall"; }
  std::any parse(const Field& block) const override { return parse_syscall(block); }
};

} // namespace

const policy::FaultSection& syscall_section() {
  static const SyscallSection kSection;
  return kSection;
}

} // namespace faultline::faults
