// The journal: a corrupt line never stops recovery (it used to stop the daemon from starting),
// a durable record is on disk when record_durable returns, and the file rotates at its bound
// with the previous file still read back. The replay finds open exactly the experiments that
// were running (whatever notes follow their "started"), and each is aborted once at the next
// start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lifecycle/experiment_journal.hpp"
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
  const auto open = (*journal)->recover_interrupted();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].name, "alive");
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
  std::vector<std::string> names;
  for (const auto& open : (*journal)->recover_interrupted())
    names.push_back(open.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "new"), names.end());
}

// At start, each experiment a dead daemon left running gets one "aborted" record with the reason
// and a report of what its "started" record holds; its view says so for status. Those that
// ended get nothing, and a later start records nothing more.
TEST_F(JournalTest, EachExperimentLeftRunningIsAbortedOnceAtTheNextStart) {
  std::ofstream(path_)
      << R"({"ts":1000,"event":"started","name":"killed","file":"k.yaml","targets":["/t1","/t2"],"durationMs":60000})"
      << "\n"
      << R"({"ts":1001,"event":"request","name":"killed","method":"POST","path":"/v1/experiments","status":201})"
      << "\n"
      << R"({"ts":1002,"event":"started","name":"done","targets":["/t1"],"durationMs":1000})"
      << "\n"
      << R"({"ts":1003,"event":"request","name":"done","method":"POST","path":"/v1/experiments","status":201})"
      << "\n"
      << R"({"ts":1004,"event":"stopped","name":"done","reason":"stopped by request"})"
      << "\n"
      << R"({"ts":1005,"event":"request","name":"refused","method":"POST","path":"/v1/experiments","status":409})"
      << "\n";
  {
    auto journal = Journal::open(path_);
    ASSERT_TRUE(journal);
    const auto views = ExperimentJournal(journal->get()).abort_interrupted();
    ASSERT_EQ(views.size(), 1u);
    EXPECT_EQ(views[0].name, "killed");
    EXPECT_EQ(views[0].state, "aborted");
    EXPECT_EQ(views[0].reason,
              "the previous faultlined ended without stopping it; its programs detached with it");
    EXPECT_EQ(views[0].started_at_ms, 1000);
    EXPECT_GE(views[0].ended_at_ms, views[0].started_at_ms);
    EXPECT_EQ(views[0].duration_ms, 60000u);
    ASSERT_EQ(views[0].targets.size(), 2u);
    EXPECT_EQ(views[0].targets[1].path, "/t2");
  } // flushed
  const auto aborted_records = [&] {
    std::vector<nlohmann::json> out;
    std::ifstream in(path_);
    for (std::string line; std::getline(in, line);)
      if (auto j = nlohmann::json::parse(line); j["event"] == "aborted") out.push_back(j);
    return out;
  };
  auto records = aborted_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["name"], "killed");
  EXPECT_EQ(records[0]["report"]["state"], "aborted");
  EXPECT_EQ(records[0]["report"]["targets"][0]["path"], "/t1");
  auto again = Journal::open(path_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(ExperimentJournal(again->get()).abort_interrupted().empty());
  again->reset();
  EXPECT_EQ(aborted_records().size(), 1u) << "one aborted record, whatever the number of restarts";
}

TEST_F(JournalTest, AHandEditedStartedRecordStillEndsAborted) {
  std::ofstream(path_)
      << R"({"event":"started","name":"odd","ts":"yesterday","targets":"/t1","durationMs":-1})"
      << "\n";
  auto journal = Journal::open(path_);
  ASSERT_TRUE(journal);
  const auto views = ExperimentJournal(journal->get()).abort_interrupted();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].started_at_ms, 0);
  EXPECT_EQ(views[0].targets.size(), 1u);
}

// The replay on journal texts: which experiments a journal leaves open.
std::vector<std::string> open_names(const std::string& text) {
  JournalReplay replay;
  std::istringstream in(text);
  replay.read(in, "journal.jsonl");
  std::vector<std::string> names;
  for (const auto& open : replay.open_experiments())
    names.push_back(open.name);
  return names;
}

// What an apply through the API wrote until now: "started" (durable, before any rule is armed),
// then the "request" the API journals once it has answered. The experiment is open: the
// request is a note, not an end (the replay once looked only at each name's last record).
TEST(JournalReplay, AnApplyThroughTheApiLeavesItsExperimentOpen) {
  EXPECT_EQ(
      open_names(
          R"({"ts":1,"event":"started","name":"web","file":"web.yaml","targets":["/web"],"durationMs":60000}
{"ts":2,"event":"request","name":"web","caller":{"pid":7,"uid":0},"method":"POST","path":"/v1/experiments","status":201}
)"),
      std::vector<std::string>{"web"});
}

TEST(JournalReplay, ARequestWithoutAStartOpensNothing) {
  // A refused apply journals only its request: with the name when a client or a later version
  // writes one, under no name as the API does today.
  EXPECT_TRUE(
      open_names(
          R"({"ts":1,"event":"request","name":"web","method":"POST","path":"/v1/experiments","status":409}
{"ts":2,"event":"request","name":"","method":"POST","path":"/v1/experiments","status":400}
)")
          .empty());
}

TEST(JournalReplay, EveryKindOfEndClosesWhateverNotesFollow) {
  EXPECT_TRUE(open_names(R"({"event":"started","name":"a"}
{"event":"request","name":"a","method":"POST","status":201}
{"event":"stopped","name":"a","reason":"stopped by request"}
{"event":"request","name":"a","method":"DELETE","status":200}
{"event":"recovery","name":"a","recovery":"recovered in 5 ms"}
{"event":"started","name":"b"}
{"event":"completed","name":"b","reason":"duration elapsed"}
{"event":"started","name":"c"}
{"event":"failed","name":"c","reason":"apply refused"}
{"event":"started","name":"d"}
{"event":"request","name":"d","method":"POST","status":201}
{"event":"aborted","name":"d","reason":"stop condition 'up' breached"}
{"event":"started","name":"e"}
{"event":"stopped","name":"e","reason":"stop-all"}
{"event":"stop-all","name":"","reason":"stop-all"}
{"event":"request","name":"","method":"POST","path":"/v1/stop-all","status":200}
)")
                  .empty());
}

TEST(JournalReplay, ARestartedNameIsOpenWithItsLatestStart) {
  JournalReplay replay;
  std::istringstream in(R"({"ts":1,"event":"started","name":"a","durationMs":1000}
{"ts":2,"event":"stopped","name":"a"}
{"ts":3,"event":"started","name":"a","durationMs":2000}
{"ts":4,"event":"request","name":"a","status":201}
{"ts":5,"event":"note-of-a-later-version","name":"a"}
)");
  replay.read(in, "journal.jsonl");
  const auto open = replay.open_experiments();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].name, "a");
  EXPECT_EQ(open[0].started["ts"], 3);
  EXPECT_EQ(open[0].started["durationMs"], 2000);
}

TEST(JournalReplay, AnExperimentAbortedAtAnEarlierStartStaysClosed) {
  EXPECT_TRUE(open_names(R"({"event":"started","name":"a"}
{"event":"request","name":"a","status":201}
{"event":"aborted","name":"a","reason":"the previous faultlined ended without stopping it; its programs detached with it"}
)")
                  .empty());
}

} // namespace
} // namespace faultline::lifecycle
