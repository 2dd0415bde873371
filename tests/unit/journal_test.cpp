// The journal: a corrupt line never stops recovery (it used to stop the daemon from starting),
// a durable record is on disk when record_durable returns, and the file rotates at its bound
// with the previous file still read back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lifecycle/journal.hpp"

namespace faultline::lifecycle {
namespace {

class JournalTest : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/faultline-journal-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/journal.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string read(const std::string& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_, path_;
};

TEST_F(JournalTest, CorruptLinesAreSkippedNotFatal) {
  std::ofstream(path_) << "{\"event\":\"started\",\"name\":\"alive\"}\n"
                       << "{\"event\":\"started\",\"name\":42}\n" // name not a string
                       << "[1,2,3]\n"                             // not an object
                       << "{\"event\":7,\"name\":\"x\"}\n"        // event not a string
                       << "garbage {\n"                           // not JSON
                       << "{\"event\":\"started\",\"name\":\"done\"}\n"
                       << "{\"event\":\"stopped\",\"name\":\"done\"}\n"
                       << "{\"event\":\"start"; // torn last line
  auto journal = Journal::open(path_);
  ASSERT_TRUE(journal) << journal.error().describe();
  EXPECT_EQ((*journal)->recover_interrupted(), std::vector<std::string>{"alive"});
}

TEST_F(JournalTest, DurableRecordIsOnDiskWhenItReturns) {
  auto journal = Journal::open(path_);
  ASSERT_TRUE(journal);
  (*journal)->record("note", "a");
  ASSERT_TRUE((*journal)->record_durable("started", "b", {{"allowHostWide", true}}));
  const std::string text = read(path_); // read while the journal is still open: no flush at close
  EXPECT_NE(text.find("\"name\":\"a\""), std::string::npos) << "earlier records are written first";
  EXPECT_NE(text.find("\"event\":\"started\""), std::string::npos);
  EXPECT_NE(text.find("\"allowHostWide\":true"), std::string::npos);
}

TEST_F(JournalTest, RotatesAtItsBoundAndRecoversAcrossFiles) {
  auto journal = Journal::open(path_, 200);
  ASSERT_TRUE(journal);
  ASSERT_TRUE((*journal)->record_durable("started", "old"));
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE((*journal)->record_durable("note", "filler-" + std::to_string(i)));
  ASSERT_TRUE((*journal)->record_durable("started", "new"));
  EXPECT_TRUE(std::filesystem::exists(path_ + ".1"));
  EXPECT_LT(std::filesystem::file_size(path_), 400u) << "the live file stays near its bound";
  auto names = (*journal)->recover_interrupted();
  EXPECT_NE(std::find(names.begin(), names.end(), "new"), names.end());
}

} // namespace
} // namespace faultline::lifecycle
