// The file family: File faults under a path prefix: open, read, write, mmap, truncate, unlink, rename, mkdir.
#include "faults/family.hpp"
#include "file/abi.h"

#include <fmt/format.h>

#include "faults/file/file_ops.hpp"
#include "faults/file/file_spec.hpp"
#include "faults/file/section.hpp"
#include "policy/names.hpp"

namespace faultline::faults {
namespace {

class FileFamily final : public Family {
public:
  const policy::FaultSection& section() const override { return file_section(); }
  std::vector<const KernelBackend*> backends() const override { return {&file_lsm(), &file_fmod_ret()}; }
  std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t sub) const override {
    if (hook != FL_HOOK_FILE_OPEN) return std::nullopt;
    // fl_file_op and FileOp list the operations in the same order.
    return sub <= FL_FILE_OP_MKDIR ? fmt::format("file {}", file_op_name(static_cast<FileOp>(sub)))
                                   : fmt::format("file op {}", sub);
  }
  std::optional<std::string> describe_effect(std::uint32_t action, std::int32_t value) const override {
    if (action != FL_ACT_ERRNO) return std::nullopt;
    return "errno " + policy::errno_name(value);
  }
};

} // namespace

const Family& file_family() {
  static const FileFamily kFamily;
  return kFamily;
}

} // namespace faultline::faults
