#include <cerrno>

#include "faults/file/file_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

TEST(PolicyParser, FileOpsDefaultToOpen) {
  auto p = parse_policy(with_faults("    - name: f\n      file: {path: /data/, errno: ENOSPC}\n"), "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& f = spec_of<faults::FileFault>(p->faults[0]);
  ASSERT_EQ(f.ops.size(), 1u);
  EXPECT_EQ(f.ops[0], faults::FileOp::open);
}

INSTANTIATE_TEST_SUITE_P(
    BadFileInput, PolicyParserRejects,
    ::testing::Values(
        BadCase{"errno_typo", with_faults(kF + "      file: {path: /data/, errno: EIOO}\n"),
                "bad.yaml:11:35: spec.faults[0].file.errno: unknown errno 'EIOO' (did you mean EIO?)"},
        BadCase{"file_relative_path", with_faults(kF + "      file: {path: data/, errno: EIO}\n"),
                "bad.yaml:11:20: spec.faults[0].file.path: 'data/' must be an absolute path"},
        BadCase{"file_missing_errno", with_faults(kF + "      file: {path: /data/}\n"),
                "bad.yaml:11:13: spec.faults[0].file: missing required key 'errno'"},
        BadCase{"file_unknown_op", with_faults(kF + "      file: {path: /d/, ops: [chmod], errno: EIO}\n"),
                "bad.yaml:11:31: spec.faults[0].file.ops[0]: unknown file operation 'chmod'; expected "
                "open, read, write, mmap, truncate, unlink, rename or mkdir"},
        BadCase{"file_op_twice", with_faults(kF + "      file: {path: /d/, ops: [open, open], errno: EIO}\n"),
                "bad.yaml:11:37: spec.faults[0].file.ops[1]: 'open' is listed twice"},
        BadCase{"file_long_path",
                with_faults(kF + "      file: {path: /" + std::string(130, 'a') + ", errno: EIO}\n"),
                "bad.yaml:11:20: spec.faults[0].file.path: path prefixes are limited to 127 bytes"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
