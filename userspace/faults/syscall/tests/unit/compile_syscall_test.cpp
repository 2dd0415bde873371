// The syscall family's compile step: one rule per syscall, keyed by its number, with its argument filters.
#include "compiler_test.hpp"
#include "policy/syscalls.hpp"
#include "syscall/abi.h"
#include <arpa/inet.h>
#include <fcntl.h>

namespace faultline::engine {
namespace {

using namespace compile_test;

// The syscall part of a compiled rule, as the programs read it.
fl_sys_match sys_of(const fl_rule& r) { return family_part<fl_sys_match>(r); }

TEST(Compiler, SyscallFaultsKeyedBySyscallNumber) {
  RuleIdAllocator ids;
  auto exp = compile(
      parse("    - name: sync\n      syscall: {name: [fsync, fdatasync], errno: {EIO: 50%, EROFS: 50%}}\n"
            "    - name: refuse\n"
            "      syscall: {name: connect, errno: ECONNREFUSED, peer: 192.0.2.0/24, port: 80}\n"
            "    - name: ro\n      syscall: {name: openat, errno: EROFS, flags: [O_WRONLY, O_CREAT]}\n"
            "    - name: data\n      syscall: {name: [unlink, renameat2], errno: EROFS, path: /data}\n"),
      {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const auto arch = policy::native_arch();
  auto nr = [&](const char* name) {
    return static_cast<std::uint32_t>(policy::find_syscall(name, arch)->number);
  };
  ASSERT_EQ(exp->entries.size(), 6u) << "one rule per syscall named";
  EXPECT_EQ(exp->entries[0].backend->name(), "syscall.kprobe");
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_SYSCALL);
  EXPECT_EQ(exp->entries[0].sub, nr("fsync"));
  EXPECT_EQ(exp->entries[1].sub, nr("fdatasync"));
  EXPECT_EQ(exp->entries[0].rule.effect.nerr, 2u);
  EXPECT_NE(exp->entries[0].rule.rule_id, exp->entries[1].rule.rule_id) << "triggers count per syscall";
  const fl_sys_match conn = sys_of(exp->entries[2].rule);
  EXPECT_EQ(conn.addr_kind, FL_SYS_ADDR_SOCKADDR);
  EXPECT_EQ(conn.addr_arg, 1);
  EXPECT_EQ(conn.addr_len_arg, 2);
  EXPECT_EQ(conn.peer.family, FL_FAMILY_IPV4);
  EXPECT_EQ(conn.peer.prefix, 24);
  EXPECT_EQ(conn.peer.port_min, 80);
  EXPECT_EQ(conn.peer.addr[0], htonl(0xc0000200u));
  EXPECT_EQ(conn.flags_arg, 0);
  const fl_sys_match ro = sys_of(exp->entries[3].rule);
  EXPECT_EQ(ro.flags_arg, 3) << "openat's flags are its third argument";
  EXPECT_EQ(ro.accmodes, 1u << O_WRONLY);
  EXPECT_EQ(ro.flag_bits, static_cast<std::uint32_t>(O_CREAT));
  EXPECT_EQ(ro.addr_kind, FL_SYS_ADDR_NONE);
  EXPECT_EQ(ro.path_arg, 0) << "no path filter";
  const fl_sys_match unl = sys_of(exp->entries[4].rule);
  EXPECT_EQ(unl.path_arg, 1) << "unlink's path is its first argument";
  EXPECT_EQ(unl.path_len, 5);
  EXPECT_STREQ(unl.path, "/data");
  EXPECT_EQ(sys_of(exp->entries[5].rule).path_arg, 2) << "renameat2(olddirfd, oldpath, ...): the source";
  release_ids(*exp, ids);
}

} // namespace
} // namespace faultline::engine
