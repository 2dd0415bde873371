// The process family: Signals on a syscall, freezes.
#include "faults/family.hpp"
#include "process/abi.h"

#include "faults/process/process_freeze.hpp"
#include "faults/process/process_signal.hpp"
#include "faults/process/section.hpp"
#include "policy/names.hpp"
#include "policy/syscalls.hpp"

namespace faultline::faults {
namespace {

class ProcessFamily final : public Family {
public:
  const policy::FaultSection& section() const override { return process_section(); }
  std::vector<const KernelBackend*> backends() const override {
    return {&process_signal(), &process_freeze()};
  }
  std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t sub) const override {
    if (hook != FL_HOOK_PROCESS) return std::nullopt;
    return "process " + policy::native_syscall_name(static_cast<int>(sub));
  }
  std::optional<std::string> describe_effect(std::uint32_t action, std::int32_t value) const override {
    if (action != FL_ACT_SIGNAL) return std::nullopt;
    return "signal " + policy::signal_name(value);
  }
};

} // namespace

const Family& process_family() {
  static const ProcessFamily kFamily;
  return kFamily;
}

} // namespace faultline::faults
