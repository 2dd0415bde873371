// The registry is the one list of fault families: every family folder is in it (a folder left out
// would build, test and link its BPF, yet be absent from the product), and every backend a family
// offers serves that family (BackendRegistry::choose routes by the backend's family name).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "faultline_bpf.programs.hpp"
#include "faults/registry.hpp"

namespace faultline::faults {
namespace {

TEST(FamilyRegistry, EveryFamilyFolderIsRegisteredAndNothingElse) {
  std::set<std::string> folders;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(FL_SOURCE_DIR) + "/userspace/faults"))
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "family.cpp"))
      folders.insert(entry.path().filename().string());
  std::set<std::string> registered;
  for (const auto* family : families())
    EXPECT_TRUE(registered.insert(std::string(family->name())).second)
        << family->name() << " is listed twice";
  EXPECT_EQ(registered, folders);
  EXPECT_FALSE(folders.empty());
}

TEST(FamilyRegistry, EachBackendServesItsOwnFamilyAndEachFamilyHasOne) {
  for (const auto* family : families()) {
    EXPECT_FALSE(family->backends().empty()) << family->name();
    for (const auto* backend : family->backends())
      EXPECT_EQ(backend->family(), family->name()) << backend->name();
    EXPECT_EQ(find_family(family->name()), family);
  }
  EXPECT_EQ(find_family("no-such-family"), nullptr);
}

// Backends name their programs (most through the generated constants, the syscall LSM backend by
// its hooks): each must be a program of the object, or it fails only when loaded, on a kernel.
TEST(FamilyRegistry, EveryProgramABackendNamesIsInTheObject) {
  const std::set<std::string> object(program::all.begin(), program::all.end());
  for (const auto* family : families())
    for (const auto* backend : family->backends()) {
      for (const auto& p : backend->programs())
        EXPECT_TRUE(object.count(p)) << backend->name() << " names " << p;
      for (const auto& p : backend->optional_programs())
        EXPECT_TRUE(object.count(p)) << backend->name() << " names optional " << p;
    }
}

// Each family names its own hook ids (bpf/<family>/abi.h), with no central table: an id two
// families claimed would send one family's rules to the other's programs. Every hook a backend's
// rules use is described by its own family and by no other.
TEST(FamilyRegistry, EachHookIdBelongsToOneFamily) {
  std::set<fl_hook> used;
  for (const auto* family : families())
    for (const auto* backend : family->backends())
      for (fl_hook hook : backend->hooks()) {
        used.insert(hook);
        for (const auto* other : families()) {
          const bool describes = other->describe_hook(hook, 0).has_value();
          EXPECT_EQ(describes, other == family)
              << "hook " << hook << " of " << backend->name() << (describes ? " is also " : " is not ")
              << "described by " << other->name();
        }
      }
  EXPECT_FALSE(used.empty());
}

} // namespace
} // namespace faultline::faults
