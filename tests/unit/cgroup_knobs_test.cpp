// Resource knobs against a cgroup tree of plain files in a temp directory: values written and put
// back exactly, the ledger restoring what a killed process left, a vanished or re-made cgroup
// counting as put back, a knob someone else changed left alone, refusals before any write.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "faults/resource/resource_knobs.hpp"
#include "kernel/cgroup_knobs.hpp"

namespace faultline::kernel {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void put(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// parent/ enables cpu, io and memory for its children; parent/target has the knobs with the
// kernel's defaults; parent/target/inner's parent (target) enables nothing.
class KnobTree : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fl-knobs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    parent_ = root_ / "cg";
    target_ = parent_ / "target";
    fs::create_directories(target_ / "inner");
    put(parent_ / "cgroup.subtree_control", "cpu io memory\n");
    make_knobs(target_);
    put(target_ / "cgroup.subtree_control", "\n");
    make_knobs(target_ / "inner");
    ledger_ = (root_ / "state" / "knobs.log").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  static void make_knobs(const fs::path& dir) {
    put(dir / "cpu.max", "max 100000\n");
    put(dir / "memory.high", "max\n");
    put(dir / "io.max", "");
  }
  std::string knob(const std::string& name) const { return slurp(target_ / name); }
  std::vector<KnobWrite> squeeze() const {
    return {
        {"cpu.max", "20000 100000", ""}, {"memory.high", "67108864", ""}, {"io.max", "rbps=1048576", "8:0"}};
  }

  fs::path root_, parent_, target_;
  std::string ledger_;
};

TEST_F(KnobTree, WritesThenPutsBackTheExactOldValues) {
  put(target_ / "cpu.max", "max 50000\n"); // not the default: must come back as it was
  {
    auto hold = hold_knobs(ledger_, target_.string(), squeeze(), "experiment e, fault f", false);
    ASSERT_TRUE(hold) << hold.error().message;
    EXPECT_EQ(knob("cpu.max"), "20000 100000");
    EXPECT_EQ(knob("memory.high"), "67108864");
    EXPECT_EQ(knob("io.max"), "8:0 rbps=1048576");
    const auto lines = (*hold)->describe();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], target_.string() + ": cpu.max '20000 100000' (was 'max 50000')");
    EXPECT_EQ(lines[2], target_.string() + ": io.max of 8:0 '8:0 rbps=1048576' (was no limit)");
    const std::string journal = slurp(ledger_);
    EXPECT_NE(journal.find(R"("old":"max 50000")"), std::string::npos)
        << "the old value is journaled: " << journal;
  }
  EXPECT_EQ(knob("cpu.max"), "max 50000");
  EXPECT_EQ(knob("memory.high"), "max");
  EXPECT_EQ(knob("io.max"), "8:0 rbps=max wbps=max riops=max wiops=max")
      << "a device without a line before gets every limit back to max, which removes its line";
  auto recovered = recover_knobs(ledger_);
  ASSERT_TRUE(recovered);
  EXPECT_TRUE(recovered->empty()) << "everything was closed in the ledger";
  EXPECT_EQ(slurp(ledger_), "") << "compaction keeps only what is open";
}

// cgroup.freeze is a core file: it needs no controller from the parent (target/inner's parent
// enables none), only to exist (the root cgroup has none).
TEST_F(KnobTree, CoreFilesNeedNoController) {
  const fs::path inner = target_ / "inner";
  put(inner / "cgroup.freeze", "0\n");
  {
    auto hold = hold_knobs(ledger_, inner.string(), {{"cgroup.freeze", "1", ""}}, "h", false);
    ASSERT_TRUE(hold) << hold.error().message;
    EXPECT_EQ(slurp(inner / "cgroup.freeze"), "1");
    EXPECT_EQ((*hold)->describe(),
              (std::vector<std::string>{inner.string() + ": cgroup.freeze '1' (was '0')"}));
  }
  EXPECT_EQ(slurp(inner / "cgroup.freeze"), "0");
  auto none = hold_knobs(ledger_, target_.string(), {{"cgroup.freeze", "1", ""}}, "h", false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, target_.string() + " has no cgroup.freeze");
}

TEST_F(KnobTree, AnIoLineThatWasThereComesBackAsItWas) {
  put(target_ / "io.max",
      "8:16 rbps=4096 wbps=max riops=max wiops=max\n8:0 rbps=max wbps=max riops=max wiops=7777\n");
  {
    auto hold = hold_knobs(ledger_, target_.string(), {{"io.max", "wbps=1048576", "8:0"}}, "h", false);
    ASSERT_TRUE(hold) << hold.error().message;
    EXPECT_EQ(knob("io.max"), "8:0 wbps=1048576");
  }
  EXPECT_EQ(knob("io.max"), "8:0 rbps=max wbps=max riops=max wiops=7777");
}

TEST_F(KnobTree, RefusesWhatTheParentDoesNotDelegateAndWritesNothing) {
  auto inner =
      hold_knobs(ledger_, (target_ / "inner").string(), {{"memory.high", "67108864", ""}}, "h", false);
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error().message,
            "the memory controller is not enabled for " + (target_ / "inner").string() + ": its parent " +
                target_.string() +
                " lacks it in cgroup.subtree_control (empty). faultline does not enable controllers; `echo "
                "+memory > " +
                target_.string() +
                "/cgroup.subtree_control` would, where the hierarchy above enables it too");
  EXPECT_EQ(slurp(target_ / "inner" / "memory.high"), "max\n");
  EXPECT_EQ(slurp(target_ / "cgroup.subtree_control"), "\n")
      << "no controller enabled behind the user's back";

  put(parent_ / "cgroup.subtree_control", "cpu memory\n");
  auto io = hold_knobs(ledger_, target_.string(), squeeze(), "h", false);
  ASSERT_FALSE(io);
  EXPECT_NE(io.error().message.find("the io controller is not enabled"), std::string::npos)
      << io.error().message;
  EXPECT_EQ(knob("cpu.max"), "max 100000\n") << "checked before the first write: cpu.max untouched";
  EXPECT_FALSE(fs::exists(ledger_)) << "nothing journaled";

  auto root = hold_knobs(ledger_, parent_.string(), {{"cpu.max", "20000 100000", ""}}, "h", false);
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().message,
            parent_.string() + " has no cpu.max: the root cgroup has no resource knobs; target a cgroup "
                               "below it");
}

TEST_F(KnobTree, OneHolderPerKnob) {
  auto first = hold_knobs(ledger_, target_.string(), {{"cpu.max", "20000 100000", ""}},
                          "experiment a, fault f", false);
  ASSERT_TRUE(first);
  auto second =
      hold_knobs(ledger_, target_.string(), {{"memory.high", "67108864", ""}, {"cpu.max", "5000 100000", ""}},
                 "experiment b, fault g", false);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, EBUSY);
  EXPECT_EQ(second.error().message,
            target_.string() + ": cpu.max is already changed by experiment a, fault f: one value per "
                               "knob at a time");
  EXPECT_EQ(knob("memory.high"), "max\n") << "the refused hold wrote nothing";
  EXPECT_EQ(knob("cpu.max"), "20000 100000");
  auto other = hold_knobs(ledger_, target_.string(), {{"memory.high", "67108864", ""}}, "b", false);
  EXPECT_TRUE(other) << "another knob of the same cgroup is free";
}

TEST_F(KnobTree, AFailedWritePutsBackWhatThisCallWrote) {
  // A file that reads but refuses every write (procfs without a write handler: EIO).
  fs::remove(target_ / "memory.high");
  fs::create_symlink("/proc/uptime", target_ / "memory.high");
  auto hold = hold_knobs(ledger_, target_.string(), squeeze(), "h", false);
  ASSERT_FALSE(hold);
  EXPECT_NE(hold.error().message.find("memory.high"), std::string::npos) << hold.error().message;
  EXPECT_EQ(knob("cpu.max"), "max 100000") << "cpu.max, written before, is back";
  EXPECT_EQ(knob("io.max"), "") << "io.max, after the failure, never written";
  // memory.high could not be put back either (the file refuses writes): it stays open in the
  // ledger, and is not taken again, with its true old value lost, until a start retries it.
  auto again = hold_knobs(ledger_, target_.string(), {{"memory.high", "1048576", ""}}, "h", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, target_.string() +
                                       ": memory.high could not be put back after an earlier change (the log "
                                       "says why); the next start tries again");
}

TEST_F(KnobTree, DryRunWritesNothing) {
  auto hold = hold_knobs(ledger_, target_.string(), squeeze(), "h", true);
  ASSERT_TRUE(hold) << hold.error().message;
  EXPECT_EQ(knob("cpu.max"), "max 100000\n");
  EXPECT_EQ((*hold)->describe()[0],
            target_.string() + ": cpu.max: would set '20000 100000' (now 'max 100000')");
  EXPECT_FALSE(fs::exists(ledger_));
  auto inner = hold_knobs(ledger_, (target_ / "inner").string(), squeeze(), "h", true);
  EXPECT_FALSE(inner) << "a dry run refuses what the real one would";
}

// A process killed while it holds knobs: they stay (nothing can restore them while no faultline
// runs), and the next start puts them back from the ledger; a running holder's are left alone.
TEST_F(KnobTree, RecoveryPutsBackWhatAKilledProcessLeft) {
  put(target_ / "memory.high", "1073741824\n");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto hold = hold_knobs(ledger_, target_.string(), squeeze(), "child", false);
    const char ok = hold ? '1' : '0';
    (void)!::write(ready[1], &ok, 1);
    ::pause();
    _exit(0);
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(ok, '1');
  EXPECT_EQ(knob("memory.high"), "67108864");

  auto alive = recover_knobs(ledger_);
  ASSERT_TRUE(alive) << alive.error().message;
  EXPECT_TRUE(alive->empty()) << "the holder is running: its knobs are its own";
  EXPECT_EQ(knob("memory.high"), "67108864");
  auto taken = hold_knobs(ledger_, target_.string(), {{"memory.high", "1048576", ""}}, "h", false);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().message, target_.string() +
                                       ": memory.high is changed by another faultline process (pid " +
                                       std::to_string(child) + "); one value per knob at a time");

  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(knob("cpu.max"), "20000 100000") << "a SIGKILLed holder restores nothing";

  auto recovered = recover_knobs(ledger_);
  ASSERT_TRUE(recovered) << recovered.error().message;
  ASSERT_EQ(recovered->size(), 3u);
  EXPECT_EQ((*recovered)[0], target_.string() + ": io.max of 8:0 back to no limit") << "newest first";
  EXPECT_EQ((*recovered)[2], target_.string() + ": cpu.max back to 'max 100000'");
  EXPECT_EQ(knob("cpu.max"), "max 100000");
  EXPECT_EQ(knob("memory.high"), "1073741824");
  EXPECT_EQ(knob("io.max"), "8:0 rbps=max wbps=max riops=max wiops=max");
  EXPECT_EQ(slurp(ledger_), "");
  auto again = recover_knobs(ledger_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty()) << "put back once";
}

TEST_F(KnobTree, AVanishedOrRemadeCgroupCountsAsPutBack) {
  {
    auto hold = hold_knobs(ledger_, target_.string(), {{"cpu.max", "20000 100000", ""}}, "h", false);
    ASSERT_TRUE(hold);
    fs::remove_all(target_);
  }
  EXPECT_FALSE(fs::exists(target_)) << "nothing re-created";
  auto recovered = recover_knobs(ledger_);
  ASSERT_TRUE(recovered);
  EXPECT_TRUE(recovered->empty()) << "closed in the ledger: " << slurp(ledger_);

  fs::create_directories(target_);
  make_knobs(target_);
  {
    auto hold = hold_knobs(ledger_, target_.string(), {{"cpu.max", "20000 100000", ""}}, "h", false);
    ASSERT_TRUE(hold);
    // Made again under the same path: a different cgroup (the old directory is kept meanwhile,
    // so the new one cannot reuse its inode, as kernfs never would either).
    fs::rename(target_, root_ / "old");
    fs::create_directories(target_);
    put(target_ / "cpu.max", "max 70000\n");
  }
  EXPECT_EQ(knob("cpu.max"), "max 70000\n") << "the new cgroup is not ours to change";
  EXPECT_EQ(slurp(root_ / "old" / "cpu.max"), "20000 100000") << "nor was the old one reached by its path";
}

TEST_F(KnobTree, AKnobSomeoneElseChangedIsLeftAlone) {
  {
    auto hold = hold_knobs(ledger_, target_.string(), {{"cpu.max", "20000 100000", ""}}, "h", false);
    ASSERT_TRUE(hold);
    put(target_ / "cpu.max", "50000 100000\n"); // an administrator, meanwhile
  }
  EXPECT_EQ(knob("cpu.max"), "50000 100000\n");
  EXPECT_TRUE(recover_knobs(ledger_)->empty()) << "and closed: the next start does not touch it either";
}

TEST(BlockDevice, NumbersWholeDisksAndRefusesTheRest) {
  char tmpl[] = "/tmp/fl-sysfs-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path sys = tmpl;
  fs::create_directories(sys / "devices" / "sda" / "sda1");
  put(sys / "devices" / "sda" / "dev", "8:0\n");
  put(sys / "devices" / "sda" / "sda1" / "partition", "1\n");
  fs::create_directories(sys / "dev" / "block");
  fs::create_directory_symlink("../../devices/sda", sys / "dev" / "block" / "8:0");
  fs::create_directory_symlink("../../devices/sda/sda1", sys / "dev" / "block" / "8:1");

  auto disk = faults::block_device_number("8:0", sys.string());
  ASSERT_TRUE(disk) << disk.error().message;
  EXPECT_EQ(*disk, "8:0");
  auto part = faults::block_device_number("8:1", sys.string());
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error().message, "io: 8:1 is a partition; io.max limits whole disks: name its disk, 8:0");
  auto none = faults::block_device_number("259:7", sys.string());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "io: this host has no block device 259:7");
  auto chr = faults::block_device_number("/dev/null", sys.string());
  ASSERT_FALSE(chr);
  EXPECT_EQ(chr.error().message, "io: /dev/null is not a block device");
  auto missing = faults::block_device_number("/dev/fl-no-such-disk", sys.string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ENOENT);
  fs::remove_all(sys);
}

} // namespace
} // namespace faultline::kernel
