#include <fcntl.h>

#include <cerrno>
#include <string>
#include <vector>

#include "faults/syscall/syscall_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

TEST(PolicyParser, SyscallMixesFlagsAndAnyArchitecturesNames) {
  auto p = parse_policy(
      with_faults("    - name: f\n"
                  "      syscall: {name: [fsync, fdatasync], errno: {EIO: 70%, ENOSPC: 30%}}\n"
                  "    - name: g\n"
                  "      syscall: {name: openat, errno: EROFS, flags: [O_WRONLY, O_RDWR, O_CREAT]}\n"
                  "    - name: h\n"
                  "      syscall: {name: getppid, errno: EPERM}\n"),
      "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& f = spec_of<faults::SyscallFault>(p->faults[0]);
  EXPECT_EQ(f.names, (std::vector<std::string>{"fsync", "fdatasync"}));
  ASSERT_EQ(f.errs.size(), 2u);
  EXPECT_EQ(f.errs[0].err, EIO);
  EXPECT_DOUBLE_EQ(f.errs[0].weight, 0.7);
  EXPECT_EQ(f.errs[1].err, ENOSPC);
  const auto& g = spec_of<faults::SyscallFault>(p->faults[1]);
  ASSERT_TRUE(g.flags);
  EXPECT_EQ(g.flags->accmodes, (1u << O_WRONLY) | (1u << O_RDWR));
  EXPECT_EQ(g.flags->bits, static_cast<std::uint32_t>(O_CREAT));
  EXPECT_EQ(spec_of<faults::SyscallFault>(p->faults[2]).names[0], "getppid");
  // Weights are summed exactly, and multi-bit flags select by their own bit.
  auto thirds =
      parse_policy(with_faults("    - name: f\n      syscall: {name: openat, errno: {EIO: 33.33%, ENOSPC: "
                               "33.33%, EROFS: 33.34%}, flags: [O_TMPFILE, O_SYNC]}\n"),
                   "d.yaml");
  ASSERT_TRUE(thirds) << thirds.error().message;
  const auto& t = spec_of<faults::SyscallFault>(thirds->faults[0]);
  EXPECT_EQ(t.errs.size(), 3u);
  EXPECT_EQ(t.flags->bits & O_DIRECTORY, 0u) << "O_TMPFILE must not match every opendir";
  EXPECT_EQ(t.flags->bits & O_DSYNC, 0u) << "O_SYNC must not match every O_DSYNC open";
}

INSTANTIATE_TEST_SUITE_P(
    BadSyscallInput, PolicyParserRejects,
    ::testing::Values(
        BadCase{
            "syscall_typo", with_faults(kF + "      syscall: {name: conect, errno: ECONNREFUSED}\n"),
            "bad.yaml:11:23: spec.faults[0].syscall.name: unknown syscall 'conect' (did you mean connect?)"},
        BadCase{"syscall_peer_on_read",
                with_faults(kF + "      syscall: {name: read, errno: EIO, peer: 10.0.0.1}\n"),
                "bad.yaml:11:47: spec.faults[0].syscall.peer: peer filters apply only to connect, bind, "
                "sendto and sendmsg"},
        BadCase{"syscall_flags_on_write",
                with_faults(kF + "      syscall: {name: write, errno: EIO, flags: [O_WRONLY]}\n"),
                "bad.yaml:11:49: spec.faults[0].syscall.flags: flags filters apply only to open and openat"},
        BadCase{
            "syscall_unknown_flag",
            with_faults(kF + "      syscall: {name: openat, errno: EIO, flags: [O_WRITE]}\n"),
            "bad.yaml:11:51: spec.faults[0].syscall.flags[0]: unknown open flag 'O_WRITE'; expected "
            "O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECT, O_SYNC or O_TMPFILE"},
        BadCase{
            "syscall_path_on_read", with_faults(kF + "      syscall: {name: read, errno: EIO, path: /d}\n"),
            "bad.yaml:11:47: spec.faults[0].syscall.path: read takes no path argument; path filters apply "
            "to syscalls that do (open, openat, unlink, mkdir, rename, truncate, stat, execve, ...)"},
        BadCase{"syscall_relative_path",
                with_faults(kF + "      syscall: {name: [mkdir, mkdirat], errno: EROFS, path: data}\n"),
                "bad.yaml:11:61: spec.faults[0].syscall.path: 'data' must be an absolute path (it is matched "
                "against the path argument as the caller wrote it)"},
        BadCase{
            "syscall_long_path",
            with_faults(kF + "      syscall: {name: unlink, errno: EIO, path: /" + std::string(123, 'a') +
                        "}\n"),
            "bad.yaml:11:49: spec.faults[0].syscall.path: syscall path prefixes are limited to 123 bytes"},
        BadCase{"errno_mix_not_100",
                with_faults(kF + "      syscall: {name: write, errno: {EIO: 70%, ENOSPC: 20%}}\n"),
                "bad.yaml:11:37: spec.faults[0].syscall.errno: the weights add up to 90%; they must add up "
                "to 100%"},
        BadCase{"errno_mix_typo",
                with_faults(kF + "      syscall: {name: write, errno: {EIO: 70%, ENOSPCE: 30%}}\n"),
                "bad.yaml:11:57: spec.faults[0].syscall.errno.ENOSPCE: unknown errno 'ENOSPCE' (did you mean "
                "ENOSPC?)"},
        BadCase{"syscall_listed_twice",
                with_faults(kF + "      syscall: {name: [fsync, fsync], errno: EIO}\n"),
                "bad.yaml:11:31: spec.faults[0].syscall.name[1]: 'fsync' is listed twice"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
