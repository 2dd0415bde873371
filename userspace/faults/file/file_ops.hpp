// File faults for the tasks of a target cgroup, under a path prefix: opens, reads, writes,
// mmaps, truncates, unlinks, renames and mkdirs fail with an errno (bpf/file/file.bpf.c; rules keyed
// (FL_HOOK_FILE_OPEN, operation)). Two backends of one semantics, differing in the programs each
// operation uses and the kernel features that make them loadable: BPF-LSM and fmod_ret on
// security_*.
#pragma once

#include <cstring>
#include <map>

#include "faults/file/file_spec.hpp"
#include "faults/kernel_backend.hpp"
#include "file/abi.h"

namespace faultline::faults {

class FileBackend final : public KernelBackend {
public:
  // `programs`: the programs serving each operation (each one that loaded is attached);
  // operations it lacks are refused with `why_not`. `optional`: programs loaded only where the
  // kernel has their hook (the path_* hooks need CONFIG_SECURITY_PATH; file_truncate is 6.2+).
  FileBackend(std::string_view name, std::string_view summary, std::vector<kernel::Feature> features,
              std::map<FileOp, std::vector<std::string>> programs, std::vector<std::string> optional,
              std::string why_not)
      : name_(name), summary_(summary), features_(std::move(features)), programs_(std::move(programs)),
        optional_(std::move(optional)), why_not_(std::move(why_not)) {}

  std::string_view name() const override { return name_; }
  std::string_view family() const override { return "file"; }
  std::string_view summary() const override { return summary_; }
  engine::AttachScope scope() const override { return engine::AttachScope::global; }
  bool attaches_per_sub() const override { return true; } // one program per operation
  std::vector<fl_hook> hooks() const override { return {FL_HOOK_FILE_OPEN}; }

  std::optional<std::string> cannot_express(const policy::Fault& fault) const override;
  std::vector<engine::HookRule> compile(const policy::Fault& fault,
                                        const engine::BuildContext& ctx) const override;
  engine::Availability probe(kernel::Features& features) const override;
  std::vector<std::string> programs() const override;
  std::vector<std::string> programs_for(const std::vector<policy::Fault>& faults) const override;
  std::vector<std::string> optional_programs() const override { return optional_; }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms& programs, const engine::Target&, fl_hook,
                                           std::uint32_t sub) const override;

private:
  std::string_view name_;
  std::string_view summary_;
  std::vector<kernel::Feature> features_;
  std::map<FileOp, std::vector<std::string>> programs_;
  std::vector<std::string> optional_;
  std::string why_not_;
};

const KernelBackend& file_lsm();
const KernelBackend& file_fmod_ret();

} // namespace faultline::faults
