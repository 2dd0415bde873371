// The syscall.lsm backend: which hook judges each syscall, and the refusal of a syscall no hook sees.
#include <gtest/gtest.h>

#include "engine/abi_encode.hpp"
#include "faults/backend_set.hpp"
#include "faults/syscall/sys_lsm.hpp"
#include "faults/syscall/syscall_spec.hpp"
#include "syscall/abi.h"

namespace faultline::faults {
namespace {

policy::Fault fault_of(SyscallFault spec) {
  policy::Fault f;
  f.name = "f";
  f.family = "syscall";
  f.spec = std::move(spec);
  return f;
}

// Without kprobe override, a syscall that passes no LSM hook is refused, naming why.
TEST(SyscallLsm, RefusesWhatNoHookSeesAndJudgesEachCallAtItsOwnHook) {
  EXPECT_EQ(lsm_hook_of("pread64"), "file_permission");
  EXPECT_EQ(lsm_hook_of("connect"), "socket_connect");
  EXPECT_FALSE(lsm_hook_of("fsync"));
  const auto* lsm = find_backend("syscall.lsm");
  ASSERT_NE(lsm, nullptr);
  SyscallFault fsync;
  fsync.names = {"write", "fsync"};
  fsync.errs = {{EIO, 1.0}};
  auto why = lsm->cannot_express(fault_of(fsync));
  ASSERT_TRUE(why);
  // Each rule is judged at its syscall's own hook only.
  SyscallFault rw;
  rw.names = {"read", "connect"};
  rw.errs = {{EIO, 1.0}};
  const auto rules = lsm->compile(fault_of(rw), {});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(engine::family_part<fl_sys_match>(rules[0].rule).lsm_hook, FL_LSM_FILE_PERMISSION);
  EXPECT_EQ(engine::family_part<fl_sys_match>(rules[1].rule).lsm_hook, FL_LSM_SOCKET_CONNECT);
  const auto* kprobe = find_backend("syscall.kprobe");
  ASSERT_NE(kprobe, nullptr);
  EXPECT_EQ(engine::family_part<fl_sys_match>(kprobe->compile(fault_of(rw), {})[0].rule).lsm_hook,
            FL_LSM_AT_ENTRY);
  EXPECT_EQ(*why, "'fsync' passes no LSM hook it could fail from (faults-syscall-hooks.md); only kprobe + "
                  "bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) can fail it");
}

} // namespace
} // namespace faultline::faults
