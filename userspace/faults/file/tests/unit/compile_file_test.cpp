// The file family's compile step: one rule per operation, keyed by it, with the path prefix.
#include "compiler_test.hpp"
#include "file/abi.h"

namespace faultline::engine {
namespace {

using namespace compile_test;

// The file part of a compiled rule, as the programs read it.
fl_file_rule file_of(const fl_rule& r) { return family_part<fl_file_rule>(r); }

TEST(Compiler, FileFaultCarriesPrefixAndErrno) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: disk\n      file: {path: /var/lib/app/, errno: ENOSPC}\n      "
                           "trigger: {probability: 50%}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_FILE_OPEN);
  EXPECT_EQ(r.effect.action, FL_ACT_ERRNO);
  ASSERT_EQ(r.effect.nerr, 1u);
  EXPECT_EQ(r.effect.errs[0].err, ENOSPC);
  EXPECT_EQ(r.effect.errs[0].threshold, FL_PROB_ALWAYS);
  EXPECT_EQ(std::string(file_of(r).path.prefix, file_of(r).path.prefix_len), "/var/lib/app")
      << "trailing '/' is dropped";
  EXPECT_EQ(r.trigger.probability, 2147483648u);
  EXPECT_EQ(exp->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_OPEN));
}

// One rule per operation, keyed by the operation; a weighted mix; refused operations say why.
TEST(Compiler, FileOpsOneRuleEachWithTheirOwnKey) {
  RuleIdAllocator ids;
  auto exp =
      compile(parse("    - name: disk\n      file: {path: /data, ops: [read, write, mmap], errno: {EIO: 90%, "
                    "EDQUOT: 10%}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 3u);
  EXPECT_EQ(exp->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_READ));
  EXPECT_EQ(exp->entries[1].sub, static_cast<std::uint32_t>(FL_FILE_OP_WRITE));
  EXPECT_EQ(exp->entries[2].sub, static_cast<std::uint32_t>(FL_FILE_OP_MMAP));
  EXPECT_EQ(exp->entries[0].backend->name(), "file.lsm");
  EXPECT_EQ(exp->entries[1].rule.effect.nerr, 2u);
  EXPECT_EQ(exp->entries[1].rule.effect.errs[1].err, EDQUOT);
  release_ids(*exp, ids);
  // The directory-entry operations: a key each, in the order written.
  auto entries =
      compile(parse("    - name: rm\n      file: {path: /data, ops: [truncate, unlink, rename, mkdir], "
                    "errno: EROFS}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->entries.size(), 4u);
  EXPECT_EQ(entries->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_TRUNCATE));
  EXPECT_EQ(entries->entries[1].sub, static_cast<std::uint32_t>(FL_FILE_OP_UNLINK));
  EXPECT_EQ(entries->entries[2].sub, static_cast<std::uint32_t>(FL_FILE_OP_RENAME));
  EXPECT_EQ(entries->entries[3].sub, static_cast<std::uint32_t>(FL_FILE_OP_MKDIR));
  EXPECT_EQ(std::string(file_of(entries->entries[3].rule).path.prefix,
                        file_of(entries->entries[3].rule).path.prefix_len),
            "/data");
  release_ids(*entries, ids);
  EXPECT_EQ(ids.in_use(), 0u);
}

// Where BPF-LSM is missing, fmod_ret serves the directory-entry operations too; mmap is refused
// there, naming what this host lacks, and nothing leaks.
TEST(Compiler, FileOpsWithoutLsmFallToFmodRetButMmap) {
  RuleIdAllocator ids;
  const auto no_lsm = registry({"file.lsm"});
  auto rm = compile(parse("    - name: rm\n      file: {path: /data, ops: [unlink, truncate], errno: EIO}\n"),
                    {kTargets[0]}, no_lsm, ids, kNow);
  ASSERT_TRUE(rm) << rm.error().message;
  ASSERT_EQ(rm->entries.size(), 2u);
  EXPECT_EQ(rm->entries[0].backend->name(), "file.fmod_ret");
  EXPECT_EQ(rm->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_UNLINK));
  release_ids(*rm, ids);
  auto mmap = compile(parse("    - name: m\n      file: {path: /data, ops: [read, mmap], errno: EIO}\n"),
                      {kTargets[0]}, no_lsm, ids, kNow);
  ASSERT_FALSE(mmap);
  EXPECT_NE(mmap.error().message.find("file.lsm: this kernel cannot run it: no BPF-LSM"), std::string::npos)
      << "what to change on this host: " << mmap.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

} // namespace
} // namespace faultline::engine
