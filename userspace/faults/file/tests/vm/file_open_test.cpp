// File-open faults through each kernel backend: a task of the target cgroup gets the configured
// errno opening files under the path prefix; other paths and a sibling control cgroup are
// untouched. Needs BPF-LSM / fmod_ret: run by vmtests/ on the Debian kernels.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "engine/abi_encode.hpp"
#include "file/abi.h"
#include "kernel/fault_programs.hpp"
#include "support/child.hpp"
#include "support/fixtures.hpp"

namespace faultline::testing {
namespace {

// 0 when open() succeeded, else its errno.
long open_errno(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  return errno;
}

class FileOpen : public ::testing::Test {
protected:
  void SetUp() override {
    auto cgroups = TestCgroups::create("file");
    ASSERT_TRUE(cgroups) << cgroups.error().describe();
    cgroups_.emplace(std::move(*cgroups));
    char tmpl[] = "/tmp/faultline-file-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/faulty");
    std::filesystem::create_directories(dir_ + "/healthy");
    // Shares the prefix's bytes but not its component: must never be faulted.
    std::filesystem::create_directories(dir_ + "/faultyx");
    // A path far longer than 256 bytes under the prefix: must be faulted like a short one.
    deep_ = dir_ + "/faulty";
    for (int i = 0; i < 12; ++i)
      deep_ += "/" + std::string(40, static_cast<char>('a' + i));
    std::filesystem::create_directories(deep_);
    deep_ += "/data";
    std::ofstream(dir_ + "/faulty/data") << "x";
    std::ofstream(dir_ + "/healthy/data") << "x";
    std::ofstream(dir_ + "/faultyx/data") << "x";
    std::ofstream(deep_) << "x";
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  void run_backend(const std::string& program, int err) {
    kernel::LoadOptions load;
    load.programs = {program};
    auto programs = kernel::FaultPrograms::load(load);
    ASSERT_TRUE(programs) << programs.error().describe();
    kernel::Link link;
    if (attach_enabled()) {
      auto attached = programs->attach_global(program);
      ASSERT_TRUE(attached) << attached.error().describe();
      link = std::move(*attached);
    }
    fl_rule rule = make_rule(3, FL_ACT_ERRNO, 1.0);
    rule.effect.nerr = 1;
    rule.effect.errs[0] = {err, FL_PROB_ALWAYS};
    const std::string prefix = dir_ + "/faulty"; // matched on component boundaries
    engine::set_family_part(rule, fl_file_rule{engine::path_match(prefix)});
    engine::CompiledRules rules;
    ASSERT_TRUE(rules.add(cgroups_->target_info.id, cgroups_->target_info.level, FL_HOOK_FILE_OPEN, rule));
    ASSERT_TRUE(programs->apply(rules));

    const std::string faulty = dir_ + "/faulty/data";
    const std::string healthy = dir_ + "/healthy/data";
    auto target_faulty = run_in_child({cgroups_->target->path(), ""}, [&] { return open_errno(faulty); });
    auto target_healthy = run_in_child({cgroups_->target->path(), ""}, [&] { return open_errno(healthy); });
    auto target_sibling =
        run_in_child({cgroups_->target->path(), ""}, [&] { return open_errno(dir_ + "/faultyx/data"); });
    auto target_deep = run_in_child({cgroups_->target->path(), ""}, [&] { return open_errno(deep_); });
    auto control_faulty = run_in_child({cgroups_->control->path(), ""}, [&] { return open_errno(faulty); });
    ASSERT_TRUE(target_faulty && target_healthy && target_sibling && target_deep && control_faulty);
    EXPECT_EQ(*target_faulty, err) << "the target must get " << std::strerror(err) << " under the prefix";
    EXPECT_EQ(*target_healthy, 0) << "paths outside the prefix must open";
    EXPECT_EQ(*target_sibling, 0) << "a path sharing the prefix's bytes but not its component must open";
    EXPECT_EQ(*target_deep, err) << "a " << deep_.size() << "-byte path under the prefix must fail too";
    EXPECT_EQ(*control_faulty, 0) << "the control cgroup must be untouched";
    EXPECT_EQ(open_errno(faulty), 0) << "the test process itself is outside the target";
    auto stats = programs->rule_stats(3);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->injected, 2u);
  }

  std::optional<TestCgroups> cgroups_;
  std::string dir_;
  std::string deep_;
};

TEST_F(FileOpen, LsmFailsOpensUnderPrefixForTargetOnly) { run_backend("fl_lsm_file_open", EIO); }

TEST_F(FileOpen, FmodRetFailsOpensUnderPrefixForTargetOnly) { run_backend("fl_fmod_file_open", EACCES); }

} // namespace
} // namespace faultline::testing
