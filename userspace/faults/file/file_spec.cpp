#include "faults/file/file_spec.hpp"

#include <array>
#include <utility>

namespace faultline::faults {
namespace {
constexpr std::array<std::pair<FileOp, const char*>, 8> kFileOps = {{{FileOp::open, "open"},
                                                                     {FileOp::read, "read"},
                                                                     {FileOp::write, "write"},
                                                                     {FileOp::mmap, "mmap"},
                                                                     {FileOp::truncate, "truncate"},
                                                                     {FileOp::unlink, "unlink"},
                                                                     {FileOp::rename, "rename"},
                                                                     {FileOp::mkdir, "mkdir"}}};
} // namespace

const char* file_op_name(FileOp op) {
  for (const auto& [o, n] : kFileOps)
    if (o == op) return n;
  return "?";
}

std::optional<FileOp> file_op_from_name(std::string_view name) {
  for (const auto& [o, n] : kFileOps)
    if (name == n) return o;
  return std::nullopt;
}

} // namespace faultline::faults
