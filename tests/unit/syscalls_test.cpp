#include <gtest/gtest.h>

#include "engine/abi_encode.hpp"
#include "policy/syscalls.hpp"

namespace faultline::policy {
namespace {

// The tables are the kernel's, whole: not a hand-picked list.
TEST(SyscallTables, HoldEveryArchitecturesSyscalls) {
  int x86 = 0;
  int arm = 0;
  for (const auto& name : syscall_names()) {
    x86 += find_syscall(name, Arch::x86_64) ? 1 : 0;
    arm += find_syscall(name, Arch::arm64) ? 1 : 0;
  }
  EXPECT_GT(x86, 330);
  EXPECT_GT(arm, 290);
  EXPECT_EQ(find_syscall("getppid", Arch::x86_64)->number, 110);
  EXPECT_EQ(find_syscall("getppid", Arch::arm64)->number, 173);
  EXPECT_EQ(find_syscall("openat", Arch::x86_64)->number, 257);
  EXPECT_EQ(find_syscall("openat", Arch::arm64)->number, 56);
  EXPECT_EQ(find_syscall("fdatasync", Arch::x86_64)->number, 75);
  EXPECT_FALSE(find_syscall("open", Arch::arm64)) << "arm64 has only openat";
  EXPECT_TRUE(is_known_syscall("open"));
  EXPECT_FALSE(is_known_syscall("opne"));
  EXPECT_EQ(find_syscall(257, Arch::x86_64)->name, "openat");
}

TEST(SyscallTables, NameTheWrapperAKprobeAttachesTo) {
  EXPECT_EQ(syscall_wrapper_symbol(*find_syscall("fstat", Arch::x86_64), Arch::x86_64), "__x64_sys_newfstat");
  EXPECT_EQ(syscall_wrapper_symbol(*find_syscall("openat", Arch::arm64), Arch::arm64), "__arm64_sys_openat");
  EXPECT_EQ(syscall_wrapper_symbol(*find_syscall("pread64", Arch::x86_64), Arch::x86_64),
            "__x64_sys_pread64");
}

// A weighted errno mix becomes cumulative thresholds ending at "always".
TEST(ErrnoEffect, CumulativeThresholds) {
  const fl_effect e = engine::errno_effect({{EIO, 0.7}, {ENOSPC, 0.3}});
  EXPECT_EQ(e.action, FL_ACT_ERRNO);
  ASSERT_EQ(e.nerr, 2u);
  EXPECT_EQ(e.errs[0].err, EIO);
  EXPECT_NEAR(e.errs[0].threshold / 4294967296.0, 0.7, 1e-9);
  EXPECT_EQ(e.errs[1].err, ENOSPC);
  EXPECT_EQ(e.errs[1].threshold, FL_PROB_ALWAYS);
  const fl_effect one = engine::errno_effect({{EROFS, 1.0}});
  EXPECT_EQ(one.nerr, 1u);
  EXPECT_EQ(one.errs[0].threshold, FL_PROB_ALWAYS);
}

} // namespace
} // namespace faultline::policy
