#include "faults/file/section.hpp"

#include <any>

#include "faults/file/file_spec.hpp"

#include <fmt/format.h>

#include <set>

#include "policy/names.hpp"

namespace faultline::faults {

using policy::Field;

namespace {

FileFault parse_file(const Field& f) {
  f.expect_keys({"path", "ops", "errno"});
  FileFault ff;
  const Field path = f.get("path");
  ff.path = path.str();
  if (ff.path.empty() || ff.path.front() != '/')
    path.fail(fmt::format("'{}' must be an absolute path", ff.path));
  if (ff.path.size() >= 128) path.fail("path prefixes are limited to 127 bytes");
  if (auto ops = f.find("ops")) {
    std::set<FileOp> seen;
    for (const auto& op : ops->items()) {
      const std::string s = op.str();
      auto o = file_op_from_name(s);
      if (!o)
        op.fail(
            fmt::format("unknown file operation '{}'; expected open, read, write, mmap, truncate, unlink, "
                        "rename or mkdir",
                        s));
      if (!seen.insert(*o).second) op.fail(fmt::format("'{}' is listed twice", s));
      ff.ops.push_back(*o);
    }
    if (ff.ops.empty()) ops->fail("list at least one operation, or leave ops out for [open]");
  } else {
    ff.ops = {FileOp::open};
  }
  ff.errs = f.get("errno").errno_mix();
  return ff;
}

class FileSection final : public policy::FaultSection {
public:
  std::string_view key() const override { return "file"; }
  std::any parse(const Field& block) const override { return parse_file(block); }
};

} // namespace

const policy::FaultSection& file_section() {
  static const FileSection kSection;
  return kSection;
}

} // namespace faultline::faults
