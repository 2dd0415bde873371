#include "faults/file/file_ops.hpp"

#include "faultline_bpf.programs.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace faultline::faults {
namespace {

std::uint32_t abi_op(FileOp op) {
  switch (op) {
  case FileOp::read: return FL_FILE_OP_READ;
  case FileOp::write: return FL_FILE_OP_WRITE;
  case FileOp::mmap: return FL_FILE_OP_MMAP;
  case FileOp::truncate: return FL_FILE_OP_TRUNCATE;
  case FileOp::unlink: return FL_FILE_OP_UNLINK;
  case FileOp::rename: return FL_FILE_OP_RENAME;
  case FileOp::mkdir: return FL_FILE_OP_MKDIR;
  default: return FL_FILE_OP_OPEN;
  }
}

// An operation served by several programs (truncate: path_truncate and, since 6.2,
// file_truncate): all attached while it lives.
class AttachedAll final : public Attached {
public:
  explicit AttachedAll(std::vector<std::unique_ptr<Attached>> parts) : parts_(std::move(parts)) {}

private:
  std::vector<std::unique_ptr<Attached>> parts_;
};

} // namespace

std::optional<std::string> FileBackend::cannot_express(const policy::Fault& fault) const {
  for (auto op : policy::spec_of<FileFault>(fault).ops)
    if (!programs_.count(op)) return fmt::format("file {} faults: {}", file_op_name(op), why_not_);
  return std::nullopt;
}

std::vector<engine::HookRule> FileBackend::compile(const policy::Fault& fault,
                                                   const engine::BuildContext& ctx) const {
  const auto& ff = policy::spec_of<FileFault>(fault);
  fl_rule r{};
  r.effect = engine::errno_effect(ff.errs);
  r.trigger = engine::make_trigger(fault.trigger, std::nullopt, ctx);
  // Matched on component boundaries in BPF: "/var/lib/app/" and "/var/lib/app" mean the same.
  engine::set_family_part(r, fl_file_rule{engine::path_match(ff.path)});
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
  for (const auto& [op, list] : programs_)
    for (const auto& program : list)
      add_program(out, program);
  return out;
}

std::vector<std::string> FileBackend::programs_for(const std::vector<policy::Fault>& faults) const {
  std::vector<std::string> out;
  for (const auto& f : faults) {
    const auto* file = policy::spec_if<FileFault>(f);
    if (file == nullptr) continue;
    for (auto op : file->ops) {
      auto it = programs_.find(op);
      if (it == programs_.end()) continue; // refused by cannot_express
      for (const auto& program : it->second)
        add_program(out, program);
    }
  }
  return out;
}

Result<std::unique_ptr<Attached>> FileBackend::attach(kernel::FaultPrograms& programs, const engine::Target&,
                                                      fl_hook, std::uint32_t sub) const {
  for (const auto& [op, list] : programs_) {
    if (abi_op(op) != sub) continue;
    std::vector<std::unique_ptr<Attached>> parts;
    for (const auto& program : list) {
      if (!programs.loaded(program)) continue;      // an optional program this kernel has no hook for
      auto part = attach_shared(programs, program); // read and write share one
      if (!part) return part.error();
      parts.push_back(std::move(*part));
    }
    if (parts.empty())
      return make_error(EOPNOTSUPP,
                        "file {} faults: none of the programs {} attaches for them loaded on this kernel "
                        "({}): the kernel lacks their hooks (the path_* hooks need CONFIG_SECURITY_PATH) or "
                        "refused them (its log says why)",
                        file_op_name(op), name_, fmt::join(list, ", "));
    if (parts.size() == 1) return std::move(parts.front());
    return std::unique_ptr<Attached>(std::make_unique<AttachedAll>(std::move(parts)));
  }
  return make_error(EOPNOTSUPP, "{} has no program for file operation {}", name_, sub);
}

const KernelBackend& file_lsm() {
  static const FileBackend kBackend(
      "file.lsm",
      "file open, read, write, mmap, truncate, unlink, rename and mkdir errors under a path prefix: "
      "BPF-LSM file_open, mmap_file and the path_* hooks, fmod_ret on security_file_permission",
      {kernel::Feature::lsm, kernel::Feature::fmod_ret_security},
      {{FileOp::open, {program::fl_lsm_file_open}},
       {FileOp::read, {program::fl_fmod_file_rw}},
       {FileOp::write, {program::fl_fmod_file_rw}},
       {FileOp::mmap, {program::fl_lsm_file_mmap}},
       {FileOp::truncate, {program::fl_lsm_path_truncate, program::fl_lsm_file_truncate}},
       {FileOp::unlink, {program::fl_lsm_path_unlink}},
       {FileOp::rename, {program::fl_lsm_path_rename}},
       {FileOp::mkdir, {program::fl_lsm_path_mkdir}}},
      {program::fl_lsm_path_truncate, program::fl_lsm_file_truncate, program::fl_lsm_path_unlink,
       program::fl_lsm_path_rename, program::fl_lsm_path_mkdir},
      "");
  return kBackend;
}

const KernelBackend& file_fmod_ret() {
  static const FileBackend kBackend(
      "file.fmod_ret",
      "file open, read, write, truncate, unlink, rename and mkdir errors under a path prefix: fmod_ret on "
      "security_file_open, security_file_permission and the security_path_* functions",
      {kernel::Feature::fmod_ret_security},
      {{FileOp::open, {program::fl_fmod_file_open}},
       {FileOp::read, {program::fl_fmod_file_rw}},
       {FileOp::write, {program::fl_fmod_file_rw}},
       {FileOp::truncate, {program::fl_fmod_path_truncate, program::fl_fmod_file_truncate}},
       {FileOp::unlink, {program::fl_fmod_path_unlink}},
       {FileOp::rename, {program::fl_fmod_path_rename}},
       {FileOp::mkdir, {program::fl_fmod_path_mkdir}}},
      {program::fl_fmod_path_truncate, program::fl_fmod_file_truncate, program::fl_fmod_path_unlink,
       program::fl_fmod_path_rename, program::fl_fmod_path_mkdir},
      "needs BPF-LSM (bpf_d_path is not allowed on security_mmap_file)");
  return kBackend;
}

} // namespace faultline::faults
