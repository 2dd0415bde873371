// The experiment lifecycle against a fake host: starts are all-or-nothing, stops release what
// they held, the kill switch disarms before anything else, deadlines retire experiments.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_host.hpp"
#include "faults/registry.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/journal.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

policy::Policy make_policy(const std::string& name, const std::string& targets, const std::string& faults) {
  auto p =
      faults::parse_policy("apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: " + name +
                               "}\nspec:\n  duration: 10s\n  targets:\n" + targets + "  faults:\n" + faults,
                           name + ".yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

const std::string kLoss = "    - name: drop\n      network: {loss: 10%, direction: both}\n";

TEST(Controller, StartAttachesPerTargetAndHookThenApplies) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n    - cgroup: /t2\n", kLoss));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->state, "running");
  EXPECT_EQ(v->targets.size(), 2u);
  EXPECT_EQ(host.attached.size(), 4u); // 2 targets x egress/ingress
  EXPECT_EQ(host.live_rules, 4u);
  EXPECT_EQ(host.calls.back(), "apply 4");
}

TEST(Controller, FailedAttachRollsBackEverything) {
  FakeHost host;
  lifecycle::Controller c(host);
  host.fail_attach_on = "/t2#1";
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n    - cgroup: /t2\n", kLoss));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, EBUSY);
  EXPECT_TRUE(host.attached.empty()) << "attachments made by the failed start must be detached";
  for (const auto& call : host.calls)
    EXPECT_EQ(call.rfind("apply", 0), std::string::npos) << "nothing may be applied";
  EXPECT_TRUE(c.list().empty());
  host.fail_attach_on.clear();
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)))
      << "rule ids and names must be free again";
}

const std::string kOpenEio = "    - name: eio\n      file: {ops: [open], path: /data, errno: EIO}\n";

TEST(Controller, BackendRefusedOnFirstUseHandsItsFaultsToTheNext) {
  FakeHost host;
  lifecycle::Controller c(host);
  host.refuse_on_first_use = {"file.lsm"};
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n", kOpenEio));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->state, "running");
  EXPECT_EQ(host.attached_via, (std::vector<std::string>{"file.lsm", "file.fmod_ret"}));
  EXPECT_EQ(host.attached.size(), 1u);
  EXPECT_EQ(host.calls.back(), "apply 1");
  // What the first round held was given back: the next start works.
  ASSERT_TRUE(c.stop("a"));
  ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t1\n", kOpenEio)));
  EXPECT_EQ(host.attached_via.back(), "file.fmod_ret");
}

TEST(Controller, ARetriedStartKeepsTheAttachmentsItSharesRightlyCounted) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  EXPECT_EQ(host.attached.size(), 2u); // egress and ingress on /t1
  host.refuse_on_first_use = {"file.lsm"};
  auto b = c.start(make_policy("b", "    - cgroup: /t1\n", kLoss + kOpenEio));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(host.attached.size(), 3u); // a's two, shared, and b's file hook
  ASSERT_TRUE(c.stop("a"));
  EXPECT_EQ(host.attached.size(), 3u) << "b still needs /t1's packet programs";
  ASSERT_TRUE(c.stop("b"));
  EXPECT_TRUE(host.attached.empty());
  EXPECT_EQ(host.prepared, 2) << "each start loads what it needs before taking the lock";
}

TEST(Controller, EveryBackendRefusedFailsTheStartWithTheReasonsAndLeavesNothing) {
  FakeHost host;
  lifecycle::Controller c(host);
  host.refuse_on_first_use = {"file.lsm", "file.fmod_ret"};
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n", kOpenEio));
  ASSERT_FALSE(v);
  EXPECT_EQ(host.attached_via, (std::vector<std::string>{"file.lsm", "file.fmod_ret"}));
  EXPECT_NE(v.error().message.find("file.fmod_ret"), std::string::npos) << v.error().message;
  EXPECT_TRUE(host.attached.empty());
  for (const auto& call : host.calls)
    EXPECT_EQ(call.rfind("apply", 0), std::string::npos) << "nothing may be applied";
  EXPECT_TRUE(c.list().empty());
}

TEST(Controller, FailedApplyKeepsPreviousExperimentsAndAttachments) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  host.fail_apply = true;
  auto v = c.start(make_policy("b", "    - cgroup: /t1\n    - cgroup: /t3\n", kLoss));
  ASSERT_FALSE(v);
  EXPECT_EQ(host.attached.size(), 2u) << "only experiment a's attachments remain";
  EXPECT_EQ(host.live_rules, 2u);
  ASSERT_EQ(c.list().size(), 1u);
  EXPECT_EQ(c.list()[0].name, "a");
}

TEST(Controller, UnresolvableTargetChangesNothing) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(make_policy("a", "    - cgroup: /missing\n", kLoss));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "a.yaml:7:7: target '/missing': no such cgroup /missing");
  EXPECT_EQ(host.calls, std::vector<std::string>{"resolve /missing"});
}

TEST(Controller, DuplicateNameIsRefused) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  auto again = c.start(make_policy("a", "    - cgroup: /t1\n", kLoss));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, EEXIST);
}

TEST(Controller, SharedAttachmentsLiveUntilTheLastUserStops) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t1\n", kLoss)));
  EXPECT_EQ(host.attached.size(), 2u);
  EXPECT_EQ(host.live_rules, 4u);
  ASSERT_TRUE(c.stop("a"));
  EXPECT_EQ(host.attached.size(), 2u) << "b still uses the same programs";
  EXPECT_EQ(host.live_rules, 2u);
  ASSERT_TRUE(c.stop("b"));
  EXPECT_TRUE(host.attached.empty());
  EXPECT_EQ(host.live_rules, 0u);
}

TEST(Controller, StopKeepsFinalCounters) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n", "    - name: drop\n      network: {loss: 10%}\n"));
  ASSERT_TRUE(v);
  host.stats[0] = {100, 9};
  auto stopped = c.stop("a", "enough");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state, "stopped");
  EXPECT_EQ(stopped->faults[0].injected, 9u);
  host.stats[0] = {}; // the id is free now; the report must not change
  auto later = c.get("a");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->faults[0].matched, 100u);
  EXPECT_EQ(later->reason, "enough");
}

TEST(Controller, StopAllDisarmsFirst) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t2\n", kLoss)));
  host.calls.clear();
  ASSERT_TRUE(c.stop_all());
  ASSERT_FALSE(host.calls.empty());
  EXPECT_EQ(host.calls.front(), "disarm");
  EXPECT_TRUE(host.attached.empty());
  for (const auto& v : c.list())
    EXPECT_EQ(v.state, "stopped");
}

TEST(Controller, DeadlineCompletesExperiment) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  host.now += 9'000'000'000ull;
  EXPECT_EQ(c.expire(), 0);
  EXPECT_EQ(c.get("a")->remaining_ms, 1000u);
  host.now += 1'000'000'000ull;
  EXPECT_EQ(c.expire(), 1);
  EXPECT_EQ(c.get("a")->state, "completed");
  EXPECT_TRUE(host.attached.empty());
}

TEST(Controller, DestructionRemovesEveryFault) {
  FakeHost host;
  {
    lifecycle::Controller c(host);
    ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  }
  EXPECT_TRUE(host.attached.empty());
  EXPECT_EQ(host.live_rules, 0u);
}

const std::string kSqueeze = "    - name: squeeze\n      resource: {cpu: 20%, memory: {high: 64Mi}}\n";

// Resource faults change knobs on the target instead of attaching programs: made at start,
// put back on stop, at the deadline, on stop-all and on destruction; never left behind by a
// start that fails.
TEST(Controller, ResourceChangesArePutBackOnStopDeadlineAndShutdown) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n", kSqueeze + kLoss));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "20000 100000");
  EXPECT_EQ(host.knobs["/t1 memory.high"], "67108864");
  ASSERT_EQ(v->faults.size(), 2u);
  EXPECT_EQ(v->faults[0].changes,
            (std::vector<std::string>{"/t1 cpu.max 20000 100000", "/t1 memory.high 67108864"}));
  EXPECT_TRUE(v->faults[1].changes.empty());
  EXPECT_EQ(host.attached.size(), 2u) << "the loss fault's programs, none for the knobs";
  auto stopped = c.stop("a");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "");
  EXPECT_EQ(host.knobs["/t1 memory.high"], "");
  EXPECT_EQ(stopped->faults[0].changes.size(), 2u) << "the report keeps what was changed";

  ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t1\n", kSqueeze)));
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "20000 100000");
  host.now += 10'000'000'000ull;
  EXPECT_EQ(c.expire(), 1);
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "") << "the deadline puts it back";

  ASSERT_TRUE(c.start(make_policy("c", "    - cgroup: /t1\n", kSqueeze)));
  ASSERT_TRUE(c.stop_all());
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "") << "stop-all puts it back";
  {
    lifecycle::Controller d(host);
    ASSERT_TRUE(d.start(make_policy("d", "    - cgroup: /t2\n", kSqueeze)));
    EXPECT_EQ(host.knobs["/t2 cpu.max"], "20000 100000");
  }
  EXPECT_EQ(host.knobs["/t2 cpu.max"], "") << "shutdown puts it back";
}

TEST(Controller, FailedResourceChangeUndoesTheWholeStart) {
  FakeHost host;
  lifecycle::Controller c(host);
  host.fail_change_on = "/t2";
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n    - cgroup: /t2\n", kLoss + kSqueeze));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message,
            "a.yaml:12:7: fault 'squeeze' on /t2: change refused (experiment a, fault squeeze)");
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "") << "t1's knobs, changed before t2 failed, are put back";
  EXPECT_TRUE(host.attached.empty());
  for (const auto& call : host.calls)
    EXPECT_EQ(call.rfind("apply", 0), std::string::npos) << "nothing may be applied";
  EXPECT_TRUE(c.list().empty());

  host.fail_change_on.clear();
  host.fail_apply = true;
  ASSERT_FALSE(c.start(make_policy("a", "    - cgroup: /t1\n", kSqueeze + kLoss)));
  EXPECT_EQ(host.knobs["/t1 cpu.max"], "") << "a failed apply puts the knobs back too";
}

TEST(Controller, DryRunChangesNoKnob) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto p = make_policy("a", "    - cgroup: /t1\n", kSqueeze);
  p.dry_run = true;
  auto v = c.start(p);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(host.calls.back(), "apply 0");
  EXPECT_TRUE(std::find(host.calls.begin(), host.calls.end(), "change /t1 (dry run)") != host.calls.end());
  EXPECT_TRUE(host.knobs.empty()) << "nothing written";
  EXPECT_EQ(v->faults[0].changes.size(), 2u) << "what would be set is reported";
}

const std::string kPause = "    - name: pause\n      process: {freeze: 3s}\n      trigger: {start: 2s}\n";

// A freeze holds for a window inside the experiment: checked at start, made on the tick at its
// start offset, put back on the tick at its end while the experiment runs on; the report keeps it.
TEST(Controller, FreezeWindowIsMadeAndPutBackOnTheTick) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(make_policy("a", "    - cgroup: /t1\n", kPause));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "") << "not before its start offset";
  EXPECT_TRUE(std::find(host.calls.begin(), host.calls.end(), "change /t1 (dry run)") != host.calls.end())
      << "but checked at start, so a refusal fails the start";
  EXPECT_EQ(v->faults[0].changes, (std::vector<std::string>{"/t1: cgroup.freeze at +2000 ms"}));
  host.now += 1'999'000'000;
  c.tick();
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "");
  host.now += 1'000'000;
  EXPECT_EQ(c.tick(), 0);
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "1") << "frozen at +2 s";
  EXPECT_EQ(c.get("a")->faults[0].changes, (std::vector<std::string>{"/t1 cgroup.freeze 1"}));
  host.now += 3'000'000'000;
  EXPECT_EQ(c.tick(), 0) << "the experiment runs on";
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "") << "thawed at +5 s";
  c.tick();
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "") << "made once";
  EXPECT_EQ(c.get("a")->faults[0].changes,
            (std::vector<std::string>{"/t1 cgroup.freeze 1 (put back at +5000 ms)"}));
  host.now += 5'000'000'000;
  EXPECT_EQ(c.tick(), 1);
  EXPECT_EQ(c.get("a")->state, "completed");
}

// However it ends early (stop, stop-all, shutdown), a freeze in progress thaws; one whose window
// reaches past the deadline thaws at the deadline.
TEST(Controller, FreezeThawsOnStopShutdownAndDeadline) {
  FakeHost host;
  const std::string now = "    - name: pause\n      process: {freeze: 1h}\n";
  {
    lifecycle::Controller c(host);
    ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", now)));
    EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "1") << "no start offset: frozen at start";
    ASSERT_TRUE(c.stop("a"));
    EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "");
    ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t1\n", now)));
    host.now += 9'999'000'000;
    c.tick();
    EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "1");
    host.now += 1'000'000;
    EXPECT_EQ(c.tick(), 1);
    EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "") << "clipped to the experiment: thawed at its deadline";
    ASSERT_TRUE(c.start(make_policy("c", "    - cgroup: /t1\n", kPause)));
    host.now += 2'000'000'000;
    c.tick();
    EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "1");
  }
  EXPECT_EQ(host.knobs["/t1 cgroup.freeze"], "") << "shutdown thaws";
}

// A late change refused when its window opens (someone froze the cgroup meanwhile) fails the
// experiment with the reason, and the rest of it is removed.
TEST(Controller, RefusedLateChangeFailsTheExperiment) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kPause + kLoss)));
  host.fail_change_on = "/t1";
  host.now += 2'000'000'000;
  EXPECT_EQ(c.tick(), 0);
  auto v = c.get("a");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, "failed");
  EXPECT_EQ(v->reason, "a.yaml:9:7: fault 'pause' on /t1: change refused (experiment a, fault pause)");
  EXPECT_TRUE(host.attached.empty()) << "its other faults are removed";
  EXPECT_EQ(host.live_rules, 0u);
}

// The calls made since the last take, then forgotten.
std::vector<std::string> take_calls(FakeHost& host) {
  std::vector<std::string> calls = std::move(host.calls);
  host.calls.clear();
  return calls;
}

// The order of the kernel operations over a whole life, pinned call by call: a start resolves,
// guards, attaches, makes its open changes and checks its later ones, then applies; the tick makes
// and puts back windows; a stop applies the remaining rules before putting back and detaching; a
// failed apply puts back and detaches what that start made, and only that; stop-all disarms first;
// a refused window and the deadline end the run like a stop.
TEST(Controller, KernelOperationsKeepTheirOrderOverAWholeLife) {
  FakeHost host;
  host.record_releases = true;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n    - cgroup: /t2\n", kSqueeze + kLoss + kPause)));
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"resolve /t1", "resolve /t2", "inspect /t2", "inspect /t1",
                                      "attach /t2#0", "attach /t1#0", "attach /t2#1", "attach /t1#1",
                                      "change /t2", "change /t1", "change /t2 (dry run)", "put back /t2",
                                      "change /t1 (dry run)", "put back /t1", "apply 4"}))
      << "start a";
  host.now += 2'000'000'000;
  EXPECT_EQ(c.tick(), 0);
  EXPECT_EQ(take_calls(host), (std::vector<std::string>{"change /t2", "change /t1"})) << "tick +2s";
  host.now += 3'000'000'000;
  EXPECT_EQ(c.tick(), 0);
  EXPECT_EQ(take_calls(host), (std::vector<std::string>{"put back /t2", "put back /t1"})) << "tick +5s";
  ASSERT_TRUE(c.stop("a"));
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"apply 0", "put back /t2", "put back /t1", "detach /t2#0",
                                      "detach /t1#0", "detach /t2#1", "detach /t1#1"}))
      << "stop a";

  ASSERT_TRUE(c.start(make_policy("b", "    - cgroup: /t1\n", kLoss)));
  (void)take_calls(host);
  host.fail_apply = true;
  ASSERT_FALSE(c.start(make_policy("c", "    - cgroup: /t1\n    - cgroup: /t2\n", kSqueeze + kLoss)));
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"resolve /t1", "resolve /t2", "inspect /t2", "inspect /t1",
                                      "attach /t2#0", "attach /t2#1", "change /t2", "change /t1", "apply 6",
                                      "put back /t2", "put back /t1", "detach /t2#0", "detach /t2#1"}))
      << "failed apply c";
  host.fail_apply = false;

  ASSERT_TRUE(c.start(make_policy("d", "    - cgroup: /t2\n", kSqueeze)));
  (void)take_calls(host);
  ASSERT_TRUE(c.stop_all());
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"disarm", "apply 0", "detach /t1#0", "detach /t1#1", "put back /t2"}))
      << "stop-all";

  ASSERT_TRUE(c.start(make_policy("e", "    - cgroup: /t1\n", kPause + kLoss)));
  (void)take_calls(host);
  host.fail_change_on = "/t1";
  host.now += 2'000'000'000;
  EXPECT_EQ(c.tick(), 0);
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"change /t1", "apply 0", "detach /t1#0", "detach /t1#1"}))
      << "refused window e";
  host.fail_change_on.clear();

  ASSERT_TRUE(c.start(make_policy("f", "    - cgroup: /t2\n", kSqueeze + kLoss)));
  (void)take_calls(host);
  host.now += 10'000'000'000;
  EXPECT_EQ(c.tick(), 1);
  EXPECT_EQ(take_calls(host),
            (std::vector<std::string>{"apply 0", "put back /t2", "detach /t2#0", "detach /t2#1"}))
      << "deadline f";
}

// What the journal holds: "started" (on disk before any rule is live) with the file, targets and
// duration; "failed" with the reason when a start is undone after it; each end with its reason
// and final report; the steady state's recovery; a stop-all, under no name.
TEST(Controller, TheJournalRecordsEachStartEndAndRecovery) {
  char dir[] = "/tmp/faultline-controller-journal-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/journal.jsonl";
  {
    auto journal = lifecycle::Journal::open(path);
    ASSERT_TRUE(journal) << journal.error().describe();
    FakeHost host;
    lifecycle::Controller c(host, journal->get());
    auto a = c.start(make_policy("a", "    - cgroup: /t1\n", kLoss));
    ASSERT_TRUE(a);
    ASSERT_TRUE(c.stop("a", "enough"));
    c.record_recovery("a", a->run, "recovered in 5 ms");
    host.fail_apply = true;
    ASSERT_FALSE(c.start(make_policy("b", "    - cgroup: /t1\n    - cgroup: /t2\n", kLoss)));
    host.fail_apply = false;
    ASSERT_TRUE(c.start(make_policy("c", "    - cgroup: /t2\n", kLoss)));
    ASSERT_TRUE(c.stop_all("test over"));
  } // the journal flushes what it queued
  std::ifstream in(path);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(in, line);) {
    records.push_back(nlohmann::json::parse(line));
    records.back().erase("ts"); // times and the fake's cgroup ids are not the point
    if (auto report = records.back().find("report"); report != records.back().end()) {
      report->erase("startedAtMs");
      report->erase("endedAtMs");
      for (auto& target : (*report)["targets"])
        target.erase("cgroupId");
    }
  }
  std::filesystem::remove_all(dir);
  const auto report = [](const std::string& name, const std::string& reason, const std::string& target) {
    return nlohmann::json{
        {"dryRun", false},
        {"durationMs", 10000},
        {"faults", {{{"family", "network"}, {"injected", 0}, {"matched", 0}, {"name", "drop"}}}},
        {"labels", nlohmann::json::object()},
        {"name", name},
        {"reason", reason},
        {"recovery", ""},
        {"remainingMs", 0},
        {"state", "stopped"},
        {"steadyState", false},
        {"stopConditions", nlohmann::json::array()},
        {"targets", {{{"path", target}}}}};
  };
  const std::vector<nlohmann::json> expected = {
      {{"event", "started"}, {"name", "a"}, {"file", "a.yaml"}, {"targets", {"/t1"}}, {"durationMs", 10000}},
      {{"event", "stopped"}, {"name", "a"}, {"reason", "enough"}, {"report", report("a", "enough", "/t1")}},
      {{"event", "recovery"}, {"name", "a"}, {"recovery", "recovered in 5 ms"}},
      {{"event", "started"},
       {"name", "b"},
       {"file", "b.yaml"},
       {"targets", {"/t2", "/t1"}},
       {"durationMs", 10000}},
      {{"event", "failed"}, {"name", "b"}, {"reason", "apply refused: Cannot allocate memory (12)"}},
      {{"event", "started"}, {"name", "c"}, {"file", "c.yaml"}, {"targets", {"/t2"}}, {"durationMs", 10000}},
      {{"event", "stopped"},
       {"name", "c"},
       {"reason", "test over"},
       {"report", report("c", "test over", "/t2")}},
      {{"event", "stop-all"}, {"name", ""}, {"reason", "test over"}},
  };
  ASSERT_EQ(records.size(), expected.size());
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(records[i], expected[i]) << "record " << i << ": " << records[i].dump();
}

// What an earlier daemon's journal says ended (aborted by its death) is shown like an ended run,
// until a run of the same name replaces it.
TEST(Controller, RecalledEndsAreShownUntilTheNameRunsAgain) {
  FakeHost host;
  lifecycle::Controller c(host);
  observe::ExperimentView killed;
  killed.name = "a";
  killed.state = "aborted";
  killed.reason = "the previous faultlined ended without stopping it";
  c.recall_ended({killed});
  auto v = c.get("a");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, "aborted");
  ASSERT_EQ(c.list().size(), 1u);
  auto report = c.report("a");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->view.reason, killed.reason);
  ASSERT_TRUE(c.start(make_policy("a", "    - cgroup: /t1\n", kLoss)));
  EXPECT_EQ(c.get("a")->state, "running");
  ASSERT_TRUE(c.stop("a"));
  EXPECT_EQ(c.get("a")->state, "stopped");
}

} // namespace
} // namespace faultline::testing
