// The syscall family: Errors from any syscall.
#include "faults/family.hpp"
#include "syscall/abi.h"

#include "faults/syscall/section.hpp"
#include "faults/syscall/sys_kprobe.hpp"
#include "faults/syscall/sys_lsm.hpp"
#include "policy/names.hpp"
#include "policy/syscalls.hpp"

namespace faultline::faults {
namespace {

class SyscallFamily final : public Family {
public:
  const policy::FaultSection& section() const override { return syscall_section(); }
  std::vector<const KernelBackend*> backends() const override { return {&sys_kprobe(), &sys_lsm()}; }
  std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t sub) const override {
    if (hook != FL_HOOK_SYSCALL) return std::nullopt;
    return "syscall " + policy::native_syscall_name(static_cast<int>(sub));
  }
  std::optional<std::string> describe_effect(std::uint32_t action, std::int32_t value) const override {
    if (action != FL_ACT_ERRNO) return std::nullopt;
    return "errno " + policy::errno_name(value);
  }
};

} // namespace

const Family& syscall_family() {
  static const SyscallFamily kFamily;
  return kFamily;
}

} // namespace faultline::faults
