// The file family's section of a fault (`file: {path, ops, errno}`), as its parser validated it.
#pragma once

#include "policy/policy.hpp"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::faults {

using policy::Cidr;
using policy::ErrnoMix;
using policy::PortRange;

enum class FileOp { open, read, write, mmap, truncate, unlink, rename, mkdir };
const char* file_op_name(FileOp op);
std::optional<FileOp> file_op_from_name(std::string_view name);
struct FileFault {
  std::string path; // absolute prefix
  std::vector<FileOp> ops;
  ErrnoMix errs;
};

} // namespace faultline::faults
