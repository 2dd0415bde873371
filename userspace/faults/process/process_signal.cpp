#include "faults/process/process_signal.hpp"

#include "faultline_bpf.programs.hpp"

#include "policy/syscalls.hpp"
#include "process/abi.h"

namespace faultline::faults {
namespace {

constexpr const char* kProgram = program::fl_sys_enter_signal;

class ProcessSignal final : public KernelBackend {
public:
  std::string_view name() const override { return "process.signal"; }
  std::string_view family() const override { return "process"; }
  std::string_view summary() const override {
    return "a signal on the n-th matching syscall: raw sys_enter tracepoint with bpf_send_signal";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_PROCESS}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    if (policy::spec_of<ProcessFault>(fault).freeze_ns != 0) return "it sends signals; it does not freeze";
    if (auto info = policy::native_syscall(policy::spec_of<ProcessFault>(fault).on_syscall); !info)
      return info.error().message;
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& pf = policy::spec_of<ProcessFault>(fault);
    fl_rule r{};
    r.effect.action = FL_ACT_SIGNAL; // the signal is the effect's one value
    r.effect.nerr = 1;
    r.effect.errs[0] = {pf.signal, FL_PROB_ALWAYS};
    r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
    return {{FL_HOOK_PROCESS, static_cast<std::uint32_t>(policy::native_syscall(pf.on_syscall)->number), r}};
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::tracepoint_signal);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override { return {kProgram}; }
  // One attachment serves every syscall: the program looks the rules up by syscall number.
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target&, fl_hook,
                                           std::uint32_t /*sub*/) const override {
    return hold_link(programs.attach_global(kProgram));
  }
};

} // namespace

const KernelBackend& process_signal() {
  static const ProcessSignal kBackend;
  return kBackend;
}

} // namespace faultline::faults
