// File-open errors for the tasks of a target cgroup, under a path prefix: one global program on
// the file_open LSM hook (bpf/file.bpf.c). Shared by two backends with one semantics, BPF-LSM
// (file_lsm.cpp) and fmod_ret on security_file_open (file_fmod_ret.cpp), which differ only in
// the program and the kernel feature that makes it loadable.
#pragma once

#include <cstring>

#include "backends/kernel_backend.hpp"

namespace faultline::backends {

class FileOpenBackend final : public KernelBackend {
public:
  FileOpenBackend(std::string_view name, std::string_view summary, kernel::Feature feature,
                  std::string program)
      : name_(name), summary_(summary), feature_(feature), program_(std::move(program)) {}

  std::string_view name() const override { return name_; }
  std::string_view family() const override { return "file"; }
  std::string_view summary() const override { return summary_; }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_FILE_OPEN}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    for (auto op : std::get<policy::FileFault>(fault.spec).ops)
      if (op != policy::FileOp::open)
        return "file read/write faults are not supported by this faultline release; ops: [open] is";
    return std::nullopt;
  }

  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override {
    const auto& ff = std::get<policy::FileFault>(fault.spec);
    fl_rule r{};
    r.effect = engine::errno_effect(ff.errs);
    r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
    // Matched on component boundaries in BPF: "/var/lib/app/" and "/var/lib/app" mean the same.
    std::string prefix = ff.path;
    while (prefix.size() > 1 && prefix.back() == '/')
      prefix.pop_back();
    r.file.prefix_len = static_cast<std::uint32_t>(prefix.size());
    std::memcpy(r.file.prefix, prefix.data(), prefix.size());
    return {{FL_HOOK_FILE_OPEN, 0, r}};
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(feature_);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override { return {program_}; }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target&, fl_hook,
                                           std::uint32_t /*sub*/) const override {
    return hold_link(programs.attach_global(program_));
  }

private:
  std::string_view name_;
  std::string_view summary_;
  kernel::Feature feature_;
  std::string program_;
};

const KernelBackend& file_lsm();
const KernelBackend& file_fmod_ret();

} // namespace faultline::backends
