// Steady-state probes: from outside (a command here) before the start and after the end, and on
// what faultline counts: the targets' TCP retransmits over a sliding
// window (before the start and during recovery) and the run's final injected/matched counts
// (after it). The probes read through ProbeCounters; the end-to-end cases go through the API,
// the controller and the watchdog with a fake kernel.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "daemon/api.hpp"
#include "fake_host.hpp"
#include "faults/registry.hpp"
#include "lifecycle/steady_state.hpp"
#include "lifecycle/watchdog.hpp"
#include "observe/experiment_report.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

std::string policy_text(const std::string& probes, const std::string& recovery) {
  return "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n"
         "  duration: 60s\n  targets: [{cgroup: /web}]\n"
         "  faults: [{name: drop, network: {loss: 5%}}]\n"
         "  steadyState: {probes: [" +
         probes + "], recoveryTimeout: " + recovery + "}\n";
}

policy::Policy with_probes(const std::string& probes, const std::string& recovery = "5s") {
  auto p = faults::parse_policy(policy_text(probes, recovery), "w.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

// A start asked of the API: its answer, and whether anything ran or reached the kernel.
struct ApiStart {
  int status = 0;
  std::string error;
  bool nothing_ran = false;
};

ApiStart start_through_api(FakeHost& host, const std::string& probes) {
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  daemon::Api api(
      controller, [] { return nlohmann::json::object(); }, nullptr, {}, &watchdog);
  auto r = api.handle("POST", "/v1/experiments",
                      nlohmann::json{{"policy", policy_text(probes, "5s")}, {"file", "w.yaml"}}.dump());
  return {r.status, r.body.value("error", ""), controller.list().empty() && host.attached.empty()};
}

// A kernel count that grows by `step` at every reading; `reads` counts them.
lifecycle::ProbeCounters growing(std::uint64_t step, std::atomic<int>& reads) {
  return {
      [step, &reads]() -> Result<std::uint64_t> { return 1000 + step * static_cast<std::uint64_t>(reads++); },
      std::nullopt};
}

TEST(SteadyStateCounters, RetransmitsWithinTheWindowHoldBeforeTheStart) {
  std::atomic<int> reads{0};
  const auto p = with_probes("{name: quiet, counter: {metric: tcpRetransmits, max: 0, window: 200ms}}");
  const auto outcome = lifecycle::check_probes(*p.steady_state, growing(0, reads));
  EXPECT_TRUE(outcome.held) << outcome.detail;
  EXPECT_GE(reads.load(), 2); // one at the window's opening, one at least 200 ms later
}

TEST(SteadyStateCounters, RetransmitsPastTheMaxPreventTheStart) {
  std::atomic<int> reads{0};
  const auto p = with_probes("{command: 'exit 0'}, {name: quiet, counter: {metric: tcpRetransmits, max: 2, "
                             "window: 200ms}}");
  const auto outcome = lifecycle::check_probes(*p.steady_state, growing(5, reads));
  EXPECT_FALSE(outcome.held);
  EXPECT_EQ(outcome.detail.rfind("probe 'quiet': TCP retransmits ", 0), 0u) << outcome.detail;
  EXPECT_NE(outcome.detail.find(" in 0.2 s > max 2"), std::string::npos) << outcome.detail;
}

TEST(SteadyStateCounters, AnUncountableRetransmitsProbeFailsWithTheReason) {
  const auto p = with_probes("{name: quiet, counter: {metric: tcpRetransmits, max: 0}}");
  const lifecycle::ProbeCounters broken{
      []() -> Result<std::uint64_t> { return make_error(EPERM, "no tracepoint"); }, std::nullopt};
  const auto outcome = lifecycle::check_probes(*p.steady_state, broken);
  EXPECT_FALSE(outcome.held);
  EXPECT_EQ(outcome.detail, "probe 'quiet': cannot count TCP retransmits: no tracepoint");
}

// Before the run its injected count is zero: the probe waits for the run's end; the others are
// still checked.
TEST(SteadyStateCounters, AFinalCountProbeIsNotCheckedBeforeTheRun) {
  const auto p =
      with_probes("{name: tested, counter: {metric: injected, min: 10}}, {name: up, command: 'exit 4'}");
  const auto outcome = lifecycle::check_probes(*p.steady_state, {});
  EXPECT_FALSE(outcome.held);
  EXPECT_EQ(outcome.detail.rfind("probe 'up': exit status 4", 0), 0u) << outcome.detail;
  const auto only = with_probes("{name: tested, counter: {metric: injected, min: 10}}");
  EXPECT_TRUE(lifecycle::check_probes(*only.steady_state, {}).held);
}

observe::ExperimentView ended_with(std::uint64_t matched, std::uint64_t injected) {
  observe::ExperimentView v;
  v.faults = {{"drop", "network", matched, injected, {}}};
  return v;
}

TEST(SteadyStateCounters, TooFewInjectionsFalsifyWithoutWaiting) {
  const auto p = with_probes("{name: tested, counter: {metric: injected, fault: drop, min: 100}}", "60s");
  std::atomic<bool> stop{false};
  lifecycle::ProbeCounters counters;
  counters.final_view = ended_with(500, 3);
  EXPECT_EQ(lifecycle::await_recovery(*p.steady_state, counters, stop),
            "not held after the run: probe 'tested': injected 3 by drop, below min 100");
  counters.final_view = ended_with(500, 100);
  EXPECT_EQ(lifecycle::await_recovery(*p.steady_state, counters, stop).rfind("recovered in ", 0), 0u);
  const auto ceiling = with_probes("{name: few, counter: {metric: matched, max: 400}}");
  counters.final_view = ended_with(500, 100);
  EXPECT_EQ(lifecycle::await_recovery(*ceiling.steady_state, counters, stop),
            "not held after the run: probe 'few': matched 500, above max 400");
}

TEST(SteadyStateCounters, RecoveryWaitsForAQuietWindow) {
  const auto p = with_probes("{name: quiet, counter: {metric: tcpRetransmits, max: 0, window: 400ms}}");
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  const std::string recovered = lifecycle::await_recovery(*p.steady_state, growing(0, reads), stop);
  ASSERT_EQ(recovered.rfind("recovered in ", 0), 0u) << recovered;
  EXPECT_GE(std::stoul(recovered.substr(13)), 400u); // a whole quiet window was seen
  std::atomic<int> more{0};
  const auto busy =
      with_probes("{name: quiet, counter: {metric: tcpRetransmits, max: 0, window: 200ms}}", "1s");
  const std::string not_back = lifecycle::await_recovery(*busy.steady_state, growing(1, more), stop);
  EXPECT_EQ(not_back.rfind("not recovered within 1 s: probe 'quiet': TCP retransmits ", 0), 0u) << not_back;
  EXPECT_NE(not_back.find(" in 0.2 s > max 0"), std::string::npos) << not_back;
}

// Through the API: the policy's targets are resolved and the fake kernel's count read; a count
// that cannot be read keeps the experiment from starting and reaches nothing.
TEST(SteadyStateCounters, TheApiRefusesAStartItCannotCountFor) {
  FakeHost host;
  host.retransmits_error = "no tracepoint";
  const auto r = start_through_api(host, "{name: quiet, counter: {metric: tcpRetransmits, max: 0}}");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(r.error, "experiment web not started: its steady state does not hold: probe 'quiet': cannot "
                     "count TCP retransmits: no tracepoint");
  EXPECT_TRUE(r.nothing_ran);
  EXPECT_EQ(host.retransmit_reads, 1);
}

TEST(SteadyStateCounters, TheControllerCountsThePolicysTargets) {
  FakeHost host;
  lifecycle::Controller controller(host);
  const auto p = with_probes("{name: quiet, counter: {metric: tcpRetransmits, max: 0}}");
  const auto counters = controller.probe_counters(p);
  host.set_retransmits("/web", 41);
  auto n = counters.tcp_retransmits();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 41u);
}

// The counts are the cgroups': a target inside another target is counted in it, once, and a
// device has no sockets of its own. Targets are resolved at each reading.
TEST(SteadyStateCounters, EachCgroupIsCountedOnceAndDevicesNot) {
  FakeHost host;
  lifecycle::Controller controller(host);
  const auto on = [](const std::string& targets) {
    auto p = faults::parse_policy("apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n"
                                  "  duration: 60s\n  targets: " +
                                      targets + "\n  faults: [{name: drop, network: {loss: 5%}}]\n",
                                  "w.yaml");
    EXPECT_TRUE(p) << p.error().message;
    return *p;
  };
  host.set_retransmits("/web", 41);
  host.set_retransmits("/web/api", 7);
  auto nested = controller.probe_counters(on("[{cgroup: /web/api}, {cgroup: /web}, {interface: eth0}]"))
                    .tcp_retransmits();
  ASSERT_TRUE(nested) << nested.error().message;
  EXPECT_EQ(*nested, 41u);
  auto devices = controller.probe_counters(on("[{interface: eth0}]")).tcp_retransmits();
  ASSERT_FALSE(devices);
  EXPECT_EQ(devices.error().message,
            "tcpRetransmits counts a cgroup's sockets, and the targets are only devices");
  auto missing = controller.probe_counters(on("[{cgroup: /missing}]")).tcp_retransmits();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "target '/missing': no such cgroup /missing");
}

// What an experiment's steady state did after a stop: the view the stop returned, then the view
// once the watchdog has recovered it (or given up).
struct AfterStop {
  observe::ExperimentView at_stop;
  observe::ExperimentView recovered;
};

AfterStop stop_and_wait_for_recovery(const policy::Policy& p) {
  FakeHost host;
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  auto started = controller.start(p);
  EXPECT_TRUE(started);
  EXPECT_TRUE(watchdog.watch(p, started->run));
  AfterStop out{*controller.stop("web"), {}};
  for (int i = 0; i < 1000; ++i) {
    out.recovered = *controller.get("web");
    if (!out.recovered.recovery.empty() && out.recovered.recovery != "checking") break;
    std::this_thread::sleep_for(10ms);
  }
  return out;
}

TEST(SteadyState, BackAfterTheEndTheVerdictHolds) {
  const auto after =
      stop_and_wait_for_recovery(with_probes("{name: up, command: 'exit 0', timeout: 30s}", "5s"));
  EXPECT_EQ(after.at_stop.recovery, "checking");
  const std::string recovery = after.recovered.recovery;
  EXPECT_EQ(recovery.rfind("recovered in ", 0), 0u) << recovery;
  EXPECT_EQ(observe::verdict(after.recovered),
            "held: no stop condition was breached and the steady state " + recovery + " (stopped)");
}

TEST(SteadyState, NotBackInTimeFalsifiesTheHypothesis) {
  const auto after =
      stop_and_wait_for_recovery(with_probes("{name: up, command: 'exit 1', timeout: 30s}", "1s"));
  const std::string recovery = after.recovered.recovery;
  EXPECT_EQ(recovery.rfind("not recovered within 1 s: probe 'up': exit status 1 in ", 0), 0u) << recovery;
  EXPECT_EQ(observe::verdict(after.recovered), "falsified: the steady state was " + recovery);
}

TEST(SteadyState, APolicyWhoseSteadyStateFailsFirstIsNotStarted) {
  FakeHost host;
  const auto r = start_through_api(host, "{name: up, command: 'exit 3', timeout: 30s}");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(
      r.error.rfind(
          "experiment web not started: its steady state does not hold: probe 'up': exit status 3 in ", 0),
      0u)
      << r.error;
  EXPECT_TRUE(r.nothing_ran);
  EXPECT_TRUE(host.calls.empty()); // nothing resolved, attached or applied
}

// The whole path: started, stopped, then the watchdog reads the run's final counts: nothing was
// injected, so the hypothesis was never tested and the verdict says so.
TEST(SteadyStateCounters, ARunThatInjectedNothingIsFalsified) {
  const auto after =
      stop_and_wait_for_recovery(with_probes("{name: tested, counter: {metric: injected, min: 1}}"));
  EXPECT_EQ(after.recovered.recovery, "not held after the run: probe 'tested': injected 0, below min 1");
  EXPECT_EQ(observe::verdict(after.recovered), "falsified: the steady state was " + after.recovered.recovery);
}

} // namespace
} // namespace faultline::testing
