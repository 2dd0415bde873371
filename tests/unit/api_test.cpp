// The HTTP/JSON API in-process: status codes, bodies, and that a bad policy never reaches the
// host (no resolve, attach or apply).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "daemon/api.hpp"
#include "fake_host.hpp"
#include "lifecycle/journal.hpp"

namespace faultline::testing {
namespace {

const std::string kPolicy =
    "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n  duration: 30s\n  targets:\n"
    "    - cgroup: /web\n  faults:\n    - name: drop\n      network: {loss: 5%}\n";

std::string apply_body(const std::string& policy) {
  return nlohmann::json{{"policy", policy}, {"file", "web.yaml"}}.dump();
}

class ApiTest : public ::testing::Test {
protected:
  FakeHost host;
  lifecycle::Controller controller{host};
  daemon::Api api{controller, [] { return nlohmann::json{{"features", "probed"}}; }};
};

TEST_F(ApiTest, Health) {
  auto r = api.handle("GET", "/v1/health", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "ok");
}

TEST_F(ApiTest, DoctorReportsProbes) {
  EXPECT_EQ(api.handle("GET", "/v1/doctor", "").body["features"], "probed");
}

TEST_F(ApiTest, ApplyListGetStop) {
  auto created = api.handle("POST", "/v1/experiments", apply_body(kPolicy));
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.body["name"], "web");
  EXPECT_EQ(created.body["state"], "running");
  EXPECT_EQ(created.body["faults"][0]["family"], "network");
  auto list = api.handle("GET", "/v1/experiments", "");
  ASSERT_EQ(list.body.size(), 1u);
  host.stats[0] = {50, 3};
  auto got = api.handle("GET", "/v1/experiments/web", "");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["faults"][0]["injected"], 3);
  auto stopped = api.handle("DELETE", "/v1/experiments/web", "");
  EXPECT_EQ(stopped.status, 200);
  EXPECT_EQ(stopped.body["state"], "stopped");
  EXPECT_TRUE(host.attached.empty());
}

TEST_F(ApiTest, BadPolicyIs400WithLocationAndTouchesNothing) {
  std::string bad = kPolicy;
  bad.erase(bad.find("5%") + 1, 1); // "5%" -> "5" (replace() trips GCC 12's -Wrestrict at -O3)
  auto r = api.handle("POST", "/v1/experiments", apply_body(bad));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"],
            "web.yaml:10:23: spec.faults[0].network.loss: '5' is not a percentage; write e.g. 5% or 0.5%");
  EXPECT_TRUE(host.calls.empty()) << "a bad policy must not reach the host";
}

TEST_F(ApiTest, MalformedRequestIs400) {
  auto r = api.handle("POST", "/v1/experiments", "{\"polic\": 1}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(host.calls.empty());
}

TEST_F(ApiTest, DuplicateIs409UnknownIs404UnsupportedIs422) {
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(kPolicy)).status, 201);
  EXPECT_EQ(api.handle("POST", "/v1/experiments", apply_body(kPolicy)).status, 409);
  EXPECT_EQ(api.handle("GET", "/v1/experiments/nope", "").status, 404);
  EXPECT_EQ(api.handle("DELETE", "/v1/experiments/nope", "").status, 404);
  std::string slow = kPolicy;
  slow.replace(slow.find("name: web"), 9, "name: slow");
  slow.replace(slow.find("network: {loss: 5%}"), 19, "process: {signal: SIGKILL, on: {syscall: read}}");
  host.unavailable.insert("process.signal"); // a kernel without BPF tracepoints
  auto r = api.handle("POST", "/v1/experiments", apply_body(slow));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body["error"].get<std::string>().find(
                "process.signal: this kernel cannot run it: switched off by the test"),
            std::string::npos)
      << r.body.dump();
}

TEST_F(ApiTest, StopAllCountsRunning) {
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(kPolicy)).status, 201);
  auto r = api.handle("POST", "/v1/stop-all", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["stopped"], 1);
  EXPECT_EQ(host.calls[host.calls.size() - 2], "disarm");
}

TEST_F(ApiTest, UnknownEndpointAndMethod) {
  EXPECT_EQ(api.handle("GET", "/v2/whatever", "").status, 404);
  EXPECT_EQ(api.handle("PUT", "/v1/experiments", "").status, 405);
}

// kPolicy under another name (built by appending: replace() trips GCC 12's -Wrestrict at -O3).
std::string policy_named(const std::string& name) {
  const std::size_t at = kPolicy.find("{name: web}") + 7;
  std::string policy = kPolicy.substr(0, at);
  policy += name;
  policy += kPolicy.substr(at + 3);
  return policy;
}

// What the API journals leaves each experiment as it really is for the next start: one applied
// and running is open (it would be aborted after a SIGKILL); one stopped, one refused as a
// duplicate and one whose policy was bad are not.
TEST(ApiJournal, TheNextStartFindsOpenExactlyTheExperimentsStillRunning) {
  char dir[] = "/tmp/faultline-api-journal-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/journal.jsonl";
  auto journal = lifecycle::Journal::open(path);
  ASSERT_TRUE(journal) << journal.error().describe();
  FakeHost host;
  lifecycle::Controller controller{host, journal->get()};
  daemon::Api api{controller, [] { return nlohmann::json{}; }, journal->get()};
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(policy_named("old"))).status, 201);
  ASSERT_EQ(api.handle("DELETE", "/v1/experiments/old", "").status, 200);
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(kPolicy)).status, 201);
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(kPolicy)).status, 409);
  std::string bad = policy_named("bad");
  bad.erase(bad.find("5%") + 1, 1);
  ASSERT_EQ(api.handle("POST", "/v1/experiments", apply_body(bad)).status, 400);
  // Flushed as by a crash: what is on disk now, read while the daemon still lives.
  ASSERT_TRUE((*journal)->record_durable("note", ""));
  lifecycle::JournalReplay replay;
  std::ifstream in(path);
  replay.read(in, path);
  const auto open = replay.open_experiments();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].name, "web");
  EXPECT_EQ(open[0].started["targets"], nlohmann::json::array({"/web"}));
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace faultline::testing
