#include "backends/file_ops.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace faultline::backends {
namespace {

std::uint32_t abi_op(policy::FileOp op) {
  switch (op) {
  case policy::FileOp::read: return FL_FILE_OP_READ;
  case policy::FileOp::write: return FL_FILE_OP_WRITE;
  case policy::FileOp::mmap: return FL_FILE_OP_MMAP;
  default: return FL_FILE_OP_OPEN;
  }
}

} // namespace

std::optional<std::string> FileBackend::cannot_express(const policy::Fault& fault) const {
  for (auto op : std::get<policy::FileFault>(fault.spec).ops)
    if (!programs_.count(op)) return fmt::format("file {} faults: {}", policy::file_op_name(op), why_not_);
  return std::nullopt;
}

std::vector<engine::HookRule> FileBackend::compile(const policy::Fault& fault,
                                                   const engine::BuildContext& ctx) const {
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
  std::vector<engine::HookRule> out;
  for (auto op : ff.ops)
    out.push_back({FL_HOOK_FILE_OPEN, abi_op(op), r}); // one rule per operation: triggers count per op
  return out;
}

engine::Availability FileBackend::probe(kernel::Features& features) const {
  std::string detail;
  for (auto f : features_) {
    const auto& st = features.status(f);
    if (!st.supported) return {false, st.detail};
    detail += (detail.empty() ? "" : "; ") + st.detail;
  }
  return {true, detail};
}

std::vector<std::string> FileBackend::programs() const {
  std::vector<std::string> out;
  for (const auto& [op, program] : programs_)
    if (std::find(out.begin(), out.end(), program) == out.end()) out.push_back(program);
  return out;
}

Result<std::unique_ptr<Attached>> FileBackend::attach(kernel::FaultPrograms& programs, const engine::Target&,
                                                      fl_hook, std::uint32_t sub) const {
  for (const auto& [op, program] : programs_)
    if (abi_op(op) == sub) return attach_shared(programs, program); // read and write share one
  return make_error(EOPNOTSUPP, "{} has no program for file operation {}", name_, sub);
}

const KernelBackend& file_lsm() {
  static const FileBackend kBackend(
      "file.lsm",
      "file open, read, write and mmap errors under a path prefix: BPF-LSM file_open and mmap_file, fmod_ret "
      "on "
      "security_file_permission",
      {kernel::Feature::lsm, kernel::Feature::fmod_ret_security},
      {{policy::FileOp::open, "fl_lsm_file_open"},
       {policy::FileOp::read, "fl_fmod_file_rw"},
       {policy::FileOp::write, "fl_fmod_file_rw"},
       {policy::FileOp::mmap, "fl_lsm_file_mmap"}},
      "not supported by this faultline release (the path of a directory entry cannot be resolved in "
      "those hooks); a syscall fault on unlink, rename, mkdir or truncate with path: fails them by the path "
      "argument as the caller wrote it");
  return kBackend;
}

const KernelBackend& file_fmod_ret() {
  static const FileBackend kBackend(
      "file.fmod_ret",
      "file open, read and write errors under a path prefix: fmod_ret on security_file_open "
      "and security_file_permission",
      {kernel::Feature::fmod_ret_security},
      {{policy::FileOp::open, "fl_fmod_file_open"},
       {policy::FileOp::read, "fl_fmod_file_rw"},
       {policy::FileOp::write, "fl_fmod_file_rw"}},
      "needs BPF-LSM for mmap (bpf_d_path is not allowed on security_mmap_file), and truncate, unlink, "
      "rename, "
      "mkdir are not supported by this faultline release");
  return kBackend;
}

} // namespace faultline::backends
