#include "faults/syscall/sys_kprobe.hpp"

#include "faultline_bpf.programs.hpp"

#include "faults/syscall/sys_args.hpp"

namespace faultline::faults {
namespace {

constexpr const char* kProgram = program::fl_kprobe_syscall;

class SysKprobe final : public KernelBackend {
public:
  std::string_view name() const override { return "syscall.kprobe"; }
  std::string_view family() const override { return "syscall"; }
  std::string_view summary() const override {
    return "errors from any syscall, with open-flag and peer filters: a kprobe on the syscall's entry with "
           "bpf_override_return";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  bool attaches_per_sub() const override { return true; } // one kprobe per syscall named
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_SYSCALL}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    for (const auto& name : policy::spec_of<SyscallFault>(fault).names)
      if (auto info = policy::native_syscall(name); !info) return info.error().message;
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    return compile_syscall_fault(fault, ctx);
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::kprobe_override);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override { return {kProgram}; }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target&, fl_hook,
                                           std::uint32_t sub) const override {
    const auto arch = policy::native_arch();
    auto info = policy::find_syscall(static_cast<int>(sub), arch);
    if (!info) return make_error(ENOSYS, "no syscall number {} on {}", sub, policy::arch_name(arch));
    return hold_link(programs.attach_kprobe(kProgram, policy::syscall_wrapper_symbol(*info, arch)));
  }
};

} // namespace

const KernelBackend& sys_kprobe() {
  static const SysKprobe kBackend;
  return kBackend;
}

} // namespace faultline::faults
