// The device ledger (userspace/faults/network/device_holds): at start-up a process restores what a killed
// predecessor left on network devices, but never what a process still running changed (a
// `faultline exec` beside the daemon); one owner's restore does not close another owner's
// install on the same device; compaction keeps exactly what is still in place. Root: recovery
// enters the network namespace it finds by inode.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "faults/network/device_holds.hpp"
#include "kernel/qdisc.hpp"

namespace faultline::faults {
namespace {

std::string owner_of(pid_t pid) { // "PID:STARTTIME", as the ledger writes it
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    fields >> field;
  return std::to_string(pid) + ":" + field;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return {(std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()};
}

class DeviceLedger : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fl-ledger-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ::setenv("FAULTLINE_STATE_DIR", dir_.c_str(), 1);
    ino_ = *kernel::netns_inode("/proc/self/ns/net");
    child_ = ::fork();
    if (child_ == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    ::unsetenv("FAULTLINE_STATE_DIR");
    std::filesystem::remove_all(dir_);
  }
  std::string line(const std::string& op, int ifindex, const std::string& owner,
                   const std::string& rest = "") {
    return op + " testkind " + std::to_string(ino_) + " " + std::to_string(ifindex) + " owner=" + owner +
           (rest.empty() ? "" : " " + rest) + "\n";
  }
  DeviceChange recorder() {
    return DeviceChange{"testkind", nullptr,
                        [this](kernel::Rtnetlink&, int ifindex, const std::string& token) -> Status {
                          restored_.insert({ifindex, token});
                          return {};
                        }};
  }

  std::filesystem::path dir_;
  std::uint64_t ino_ = 0;
  pid_t child_ = -1;
  std::set<std::pair<int, std::string>> restored_;
};

TEST_F(DeviceLedger, RestoresOnlyWhatDeadProcessesLeftAndCompacts) {
  const std::string live = owner_of(child_);
  const std::string dead = "999999999:1";
  const std::string dead2 = "999999998:1";
  const std::string live_line = line("install", 9991, live, "devlive clsact");
  {
    std::ofstream out(device_ledger_path());
    out << live_line                                     // a running process's change: stays
        << line("install", 9992, dead, "devdead clsact") // killed mid-experiment: restored
        << line("install", 9993, dead2, "devdone")       // restored by its owner: nothing to do
        << line("restore", 9993, dead2)                  //
        << line("install", 9994, dead, "devshared fq")   // two owners on one device: the other
        << line("install", 9994, dead2, "devshared")     // owner's restore does not close it
        << line("restore", 9994, dead2);
  }
  const DeviceChange change = recorder();
  auto first = recover_devices(change);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(restored_, (std::set<std::pair<int, std::string>>{{9992, "clsact"}, {9994, "fq"}}));
  ASSERT_TRUE(compact_device_ledger());
  EXPECT_EQ(read_all(device_ledger_path()), live_line) << "only the running process's change is left";

  ::kill(child_, SIGKILL);
  ::waitpid(child_, nullptr, 0);
  child_ = -1;
  restored_.clear();
  auto second = recover_devices(change);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(restored_, (std::set<std::pair<int, std::string>>{{9991, "clsact"}})) << "its owner is gone now";
  ASSERT_TRUE(compact_device_ledger());
  EXPECT_EQ(read_all(device_ledger_path()), "");
}

} // namespace
} // namespace faultline::faults
