// A cgroup's level comes from the kernel (cgroup iterator), not from its path: inside a cgroup
// namespace the path under-counts, and a rule keyed at the wrong level would never match.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kernel/cgroup.hpp"
#include "kernel/cgroup_level.hpp"
#include "support/child.hpp"
#include "support/fixtures.hpp"

namespace faultline::testing {
namespace {

TEST(CgroupLevel, KernelAndPathAgreeOutsideANamespace) {
  auto cgroups = TestCgroups::create("level");
  ASSERT_TRUE(cgroups) << cgroups.error().describe();
  auto level = kernel::kernel_cgroup_level(cgroups->target->path());
  ASSERT_TRUE(level) << level.error().describe();
  ASSERT_TRUE(level->has_value()) << "this kernel has cgroup iterators (6.1+)";
  auto path_level = cgroups->fs.level_of(cgroups->target->path());
  ASSERT_TRUE(path_level);
  EXPECT_EQ(**level, *path_level);
  EXPECT_EQ(cgroups->target_info.level, *path_level);
}

TEST(CgroupLevel, ResolveCountsFromTheHierarchyRootInsideACgroupNamespace) {
  auto cgroups = TestCgroups::create("levelns");
  ASSERT_TRUE(cgroups) << cgroups.error().describe();
  const std::string inner = cgroups->target->path() + "/inner";
  ASSERT_TRUE(std::filesystem::create_directory(inner));
  auto host_view = cgroups->fs.resolve(inner);
  ASSERT_TRUE(host_view) << host_view.error().describe();
  // In the child: a new cgroup namespace rooted at the target, with cgroup2 mounted afresh, so
  // the namespace's mount root is "/" and the path says "level 1".
  auto seen = run_in_child({cgroups->target->path(), ""}, []() -> long {
    if (::unshare(CLONE_NEWCGROUP | CLONE_NEWNS) != 0) return -1;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return -2;
    char dir[] = "/tmp/faultline-cgns-XXXXXX";
    if (::mkdtemp(dir) == nullptr) return -3;
    if (::mount("none", dir, "cgroup2", 0, nullptr) != 0) return -4;
    // Our fresh mount only (the host's cgroup2 mount is still visible in this mount namespace).
    std::ifstream in("/proc/self/mountinfo");
    std::string line, ours;
    while (std::getline(in, line))
      if (line.find(std::string(" ") + dir + " ") != std::string::npos) ours = line + "\n";
    auto fs = kernel::CgroupFs::from_mountinfo(ours);
    if (!fs) return -5;
    auto info = fs->resolve("inner");
    ::umount(dir);
    ::rmdir(dir);
    if (!info) return -6;
    return static_cast<long>(info->level);
  });
  ASSERT_TRUE(seen) << seen.error().describe();
  EXPECT_EQ(*seen, static_cast<long>(host_view->level))
      << "inside the namespace the level must still count from the hierarchy's root";
  std::filesystem::remove(inner);
}

} // namespace
} // namespace faultline::testing
