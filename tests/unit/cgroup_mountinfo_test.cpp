#include <gtest/gtest.h>

#include "kernel/cgroup.hpp"
#include "kernel/targets.hpp"

namespace faultline::kernel {
namespace {

constexpr const char* kHybrid =
    "25 30 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    "27 25 0:25 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
constexpr const char* kUnified = "30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 rw\n"
                                 "31 1 0:27 / /mnt/other rw - cgroup2 cgroup2 rw\n";
constexpr const char* kNamespaced = "40 1 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

TEST(CgroupMountinfo, FindsHybridUnifiedMount) {
  auto fs = CgroupFs::from_mountinfo(kHybrid);
  ASSERT_TRUE(fs) << fs.error().describe();
  EXPECT_EQ(fs->mount_point(), "/sys/fs/cgroup/unified");
}

TEST(CgroupMountinfo, PrefersConventionalLocation) {
  auto fs = CgroupFs::from_mountinfo(kUnified);
  ASSERT_TRUE(fs);
  EXPECT_EQ(fs->mount_point(), "/sys/fs/cgroup");
}

TEST(CgroupMountinfo, NoCgroup2IsAClearError) {
  auto fs = CgroupFs::from_mountinfo("27 25 0:25 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
  ASSERT_FALSE(fs);
  EXPECT_EQ(fs.error().code, ENOENT);
  EXPECT_NE(fs.error().message.find("mount -t cgroup2"), std::string::npos);
}

TEST(CgroupMountinfo, LevelsCountFromHierarchyRoot) {
  auto fs = CgroupFs::from_mountinfo(kHybrid);
  ASSERT_TRUE(fs);
  EXPECT_EQ(*fs->level_of("/sys/fs/cgroup/unified"), 0u);
  EXPECT_EQ(*fs->level_of("/sys/fs/cgroup/unified/a"), 1u);
  EXPECT_EQ(*fs->level_of("/sys/fs/cgroup/unified/a/b/c"), 3u);
  auto outside = fs->level_of("/sys/fs/cgroup/unifiedx/a");
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, EINVAL);
}

TEST(CgroupMountinfo, NamespacedMountAddsItsRootDepth) {
  auto fs = CgroupFs::from_mountinfo(kNamespaced);
  ASSERT_TRUE(fs);
  EXPECT_EQ(*fs->level_of("/sys/fs/cgroup"), 2u);
  EXPECT_EQ(*fs->level_of("/sys/fs/cgroup/app"), 3u);
}

const std::string kId = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b";

TEST(ContainerCgroups, MatchesEachRuntimeLayoutByFullIdOrPrefix) {
  EXPECT_TRUE(is_container_cgroup_name("docker-" + kId + ".scope", kId));         // docker, systemd driver
  EXPECT_TRUE(is_container_cgroup_name(kId, kId.substr(0, 12)));                  // docker, cgroupfs driver
  EXPECT_TRUE(is_container_cgroup_name("cri-containerd-" + kId + ".scope", kId)); // containerd
  EXPECT_TRUE(is_container_cgroup_name("crio-" + kId + ".scope", kId.substr(0, 16))); // cri-o
}

TEST(ContainerCgroups, RejectsOtherNames) {
  EXPECT_FALSE(is_container_cgroup_name("docker-" + kId + ".scope", "ffffffffffff"));
  EXPECT_FALSE(
      is_container_cgroup_name("crio-conmon-" + kId + ".scope", kId)); // the monitor, not the container
  EXPECT_FALSE(is_container_cgroup_name("system.slice", "4f3c2a1b0e9d"));
  EXPECT_FALSE(is_container_cgroup_name("docker-4f3c2a1b0e9d.scope", "4f3c2a1b0e9d")); // not a full id
}

} // namespace
} // namespace faultline::kernel
