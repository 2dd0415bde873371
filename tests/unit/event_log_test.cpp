// Injection events: decoding a ring buffer record, the bounded log readers page through (lost
// events counted, a follower woken by the next one), the controller naming a rule's owner, and
// GET /v1/events with its parameter checks.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <thread>

#include "daemon/api.hpp"
#include "fake_host.hpp"
#include "file/abi.h"
#include "network/abi.h"
#include "observe/event_log.hpp"
#include "policy/syscalls.hpp"
#include "process/abi.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

fl_event raw_event(std::uint32_t hook, std::uint32_t sub, std::uint32_t action, std::int32_t err) {
  fl_event e{};
  e.ts_ns = 1'500'000'000; // 1.5 s after boot
  e.cgroup_id = 4242;
  e.rule_id = 7;
  e.hook = hook;
  e.sub = sub;
  e.action = action;
  e.err = err;
  e.pid = 101;
  e.tgid = 100;
  std::strncpy(e.comm, "postgres", sizeof(e.comm));
  return e;
}

observe::Event named(const std::string& experiment) {
  observe::Event e;
  e.experiment = experiment;
  return e;
}

TEST(EventDecode, NamesTheOwnerTheEffectAndTheHook) {
  // Boot at unix 1,000,000,000 s: the event is 1.5 s later.
  const auto e = observe::decode_event(raw_event(FL_HOOK_FILE_OPEN, FL_FILE_OP_WRITE, FL_ACT_ERRNO, EIO),
                                       observe::RuleOwner{"disk", "eio"}, 1'000'000'000'000'000'000);
  const auto j = observe::to_json(e);
  EXPECT_EQ(j["time"], "2001-09-09T01:46:41.500000Z");
  EXPECT_EQ(j["pid"], 100); // the process, not the thread
  EXPECT_EQ(j["comm"], "postgres");
  EXPECT_EQ(j["cgroup"], 4242);
  EXPECT_EQ(j["experiment"], "disk");
  EXPECT_EQ(j["fault"], "eio");
  EXPECT_EQ(j["effect"], "errno EIO");
  EXPECT_EQ(j["where"], "file write");
  EXPECT_EQ(j["dryRun"], false);
}

TEST(EventDecode, SignalsSyscallsPacketsAndUnknownOwners) {
  const auto getppid = policy::find_syscall("getppid", policy::native_arch());
  ASSERT_TRUE(getppid.has_value());
  auto sig = observe::decode_event(
      raw_event(FL_HOOK_PROCESS, static_cast<std::uint32_t>(getppid->number), FL_ACT_SIGNAL, SIGKILL),
      std::nullopt, 0);
  EXPECT_EQ(sig.effect, "signal SIGKILL");
  EXPECT_EQ(sig.where, "process getppid");
  EXPECT_EQ(sig.experiment, ""); // its rule was reused before the event was read
  auto drop = raw_event(FL_HOOK_NET_EGRESS, 0, FL_ACT_DROP, 0);
  drop.flags = FL_RULE_DRY_RUN;
  std::memset(drop.comm, 0, sizeof(drop.comm)); // packets carry no task
  const auto d = observe::decode_event(drop, observe::RuleOwner{"net", "loss"}, 0);
  EXPECT_EQ(d.effect, "drop");
  EXPECT_EQ(d.where, "net egress");
  EXPECT_TRUE(d.dry_run);
  EXPECT_EQ(d.comm, "");
}

TEST(EventLog, PagesBySequenceAndFiltersByExperiment) {
  observe::EventLog log(100);
  for (int i = 0; i < 5; ++i)
    log.append(named(i % 2 == 0 ? "a" : "b"));
  auto all = log.read(0, "", 3, 0ms);
  ASSERT_EQ(all.events.size(), 3u);
  EXPECT_EQ(all.events[0].seq, 1u);
  EXPECT_EQ(all.next, 3u);
  auto rest = log.read(all.next, "", 100, 0ms);
  ASSERT_EQ(rest.events.size(), 2u);
  EXPECT_EQ(rest.next, 5u);
  auto only_a = log.read(0, "a", 100, 0ms);
  ASSERT_EQ(only_a.events.size(), 3u);
  EXPECT_EQ(only_a.events[2].seq, 5u);
  EXPECT_EQ(only_a.lost, 0u);
  EXPECT_TRUE(log.read(5, "", 100, 0ms).events.empty());
}

TEST(EventLog, CountsWhatWasPushedOutBeforeItWasRead) {
  observe::EventLog log(4);
  for (int i = 0; i < 10; ++i)
    log.append(named("a"));
  auto page = log.read(2, "", 100, 0ms);
  EXPECT_EQ(page.lost, 4u); // 3..6 are gone; 7..10 are kept
  ASSERT_EQ(page.events.size(), 4u);
  EXPECT_EQ(page.events.front().seq, 7u);
  EXPECT_EQ(page.next, 10u);
}

TEST(EventLog, AFollowerIsWokenByTheNextEventOfItsExperiment) {
  observe::EventLog log;
  log.append(named("other"));
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);
    log.append(named("other"));
    log.append(named("mine"));
  });
  // Ten seconds is only the bound: the append ends the wait.
  const auto started = std::chrono::steady_clock::now();
  auto page = log.read(0, "mine", 10, 10s);
  writer.join();
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.events[0].seq, 3u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 9s);
}

TEST(EventLog, CloseEndsAWait) {
  observe::EventLog log;
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    log.close();
  });
  const auto started = std::chrono::steady_clock::now();
  auto page = log.read(0, "", 10, 10s);
  closer.join();
  EXPECT_TRUE(page.events.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 9s);
}

const std::string kEventsPolicy =
    "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n  duration: 30s\n  targets:\n"
    "    - cgroup: /web\n  faults:\n    - name: drop\n      network: {loss: 5%}\n"
    "    - name: late\n      network: {delay: 10ms}\n";

class EventsApiTest : public ::testing::Test {
protected:
  FakeHost host;
  lifecycle::Controller controller{host};
  observe::EventLog log;
  daemon::Api api{controller, [] { return nlohmann::json::object(); }, nullptr, {&log, [] { return 3; }}};
};

TEST_F(EventsApiTest, RuleOwnersAreKnownFromTheStartAndAfterTheStop) {
  auto created = api.handle("POST", "/v1/experiments",
                            nlohmann::json{{"policy", kEventsPolicy}, {"file", "w.yaml"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body.dump();
  // A fresh allocator hands out 0, 1, ...: one rule per fault on the one target.
  std::set<std::string> faults;
  for (std::uint32_t id : {0u, 1u}) {
    auto owner = controller.rule_owner(id);
    ASSERT_TRUE(owner.has_value()) << id;
    EXPECT_EQ(owner->experiment, "web");
    faults.insert(owner->fault);
  }
  EXPECT_EQ(faults, (std::set<std::string>{"drop", "late"}));
  EXPECT_FALSE(controller.rule_owner(2).has_value());
  api.handle("DELETE", "/v1/experiments/web", "");
  // Events still in the ring buffer when it stopped keep their names.
  ASSERT_TRUE(controller.rule_owner(0).has_value());
  EXPECT_EQ(controller.rule_owner(0)->experiment, "web");
}

TEST_F(EventsApiTest, ServesPagesWithTheKernelsDroppedCount) {
  log.append(named("web"));
  log.append(named("db"));
  auto r = api.handle("GET", "/v1/events?after=0&experiment=db&waitMs=0", "");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["events"].size(), 1u);
  EXPECT_EQ(r.body["events"][0]["experiment"], "db");
  EXPECT_EQ(r.body["next"], 2);
  EXPECT_EQ(r.body["lost"], 0);
  EXPECT_EQ(r.body["droppedInKernel"], 3);
  EXPECT_EQ(api.handle("GET", "/v1/events", "").body["events"].size(), 2u);
}

TEST_F(EventsApiTest, RefusesBadParametersWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/events?after=x", "after: a non-negative integer was expected, got 'x'"},
      {"/v1/events?waitMs=60000", "waitMs: at most 10000 (a follower asks again)"},
      {"/v1/events?max=0", "max: 1 to 10000 events per page"},
      {"/v1/events?experiment=Web%20x",
       "experiment: an experiment name ([a-z0-9-]) was expected, got 'Web%20x'"},
      {"/v1/events?since=1", "unknown parameter 'since' (after, experiment, waitMs, max)"},
  };
  for (const auto& [path, message] : cases) {
    auto r = api.handle("GET", path, "");
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.body["error"], message) << path;
  }
  EXPECT_EQ(api.handle("POST", "/v1/events", "").status, 405);
}

// Each waiting follower holds a request worker: past the cap, a follower is told to come back,
// so a stop request always finds a worker. Answers that do not wait are never refused.
TEST(EventsApiFollowers, WaitingOnesAreCappedAndSlotsComeBack) {
  FakeHost host;
  lifecycle::Controller controller{host};
  observe::EventLog log;
  daemon::Api api{controller, [] { return nlohmann::json::object(); }, nullptr, {&log, [] { return 0; }, 1}};
  std::atomic<int> first_status{0};
  // The follower asks again while the probes below hold the slot (1 ms each); once it waits,
  // they are refused. It retries for a time, not a count: immediate retries can all fall inside one
  // probe's hold on a busy machine, and a follower that gave up leaves nothing to refuse.
  std::thread follower([&] {
    int status = 503;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (status == 503 && std::chrono::steady_clock::now() < give_up) {
      status = api.handle("GET", "/v1/events?waitMs=10000", "").status;
      if (status == 503) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    first_status = status;
  });
  daemon::ApiResponse second;
  for (int i = 0; i < 1000; ++i) {
    second = api.handle("GET", "/v1/events?waitMs=1", "");
    if (second.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(
      second.body["error"],
      "1 followers are waiting for events already, the most faultlined allows at once; try again when one "
      "has ended");
  EXPECT_EQ(api.handle("GET", "/v1/events?waitMs=0", "").status, 200);
  log.append(named("web")); // the waiting follower answers, and frees its slot
  follower.join();
  EXPECT_EQ(first_status.load(), 200);
  EXPECT_EQ(api.handle("GET", "/v1/events?after=1&waitMs=1", "").status, 200);
}

TEST(EventsApiWithoutLog, Is404) {
  FakeHost host;
  lifecycle::Controller controller{host};
  daemon::Api api{controller, [] { return nlohmann::json::object(); }};
  EXPECT_EQ(api.handle("GET", "/v1/events", "").status, 404);
}

} // namespace
} // namespace faultline::testing
