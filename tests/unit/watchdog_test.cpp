// Stop conditions: the checks themselves (a command's exit status and timeout, an HTTP status and
// latency against a server in this process) and the watchdog aborting exactly the run it watches.
#include <gtest/gtest.h>
#include <httplib.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <system_error>
#include <thread>

#include "checks/command_check.hpp"
#include "checks/http_check.hpp"
#include "daemon/api.hpp"
#include "fake_host.hpp"
#include "faults/registry.hpp"
#include "lifecycle/watchdog.hpp"
#include "observe/experiment_report.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

TEST(CommandCheck, ExitStatusDecides) {
  auto ok = checks::run_command({"exit 0", 5'000'000'000});
  EXPECT_TRUE(ok.healthy) << ok.detail;
  auto bad = checks::run_command({"exit 3", 5'000'000'000});
  EXPECT_FALSE(bad.healthy);
  EXPECT_TRUE(bad.detail.rfind("exit status 3 in ", 0) == 0) << bad.detail;
}

TEST(CommandCheck, AHungCommandIsKilledWithWhatItStarted) {
  // The sleep is a grandchild: killing only the shell would leave it holding the pipe open.
  auto r = checks::run_command({"sleep 30 | cat", 100'000'000});
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "still running after 100 ms: killed");
  EXPECT_LT(r.took_ns, 10'000'000'000u); // bounded by the timeout, not by the sleep
}

// Without pidfd_open (kernels before 5.3; here a seccomp filter answers ENOSYS to it, in a child
// process of the test) the timeout still holds: the child is polled, not waited for blindly.
TEST(CommandCheck, TheTimeoutHoldsWithoutPidfd) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      ::_exit(2);
    if (::syscall(SYS_pidfd_open, ::getpid(), 0) >= 0 || errno != ENOSYS) ::_exit(3);
    const auto hung = checks::run_command({"sleep 30", 100'000'000});
    const auto quick = checks::run_command({"exit 4", 5'000'000'000});
    const bool ok = !hung.healthy && hung.detail == "still running after 100 ms: killed" &&
                    hung.took_ns < 10'000'000'000u && quick.detail.rfind("exit status 4 in ", 0) == 0;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: no seccomp, 3: pidfd_open not refused, 1: wrong result";
}

class HttpCheckTest : public ::testing::Test {
protected:
  void SetUp() override {
    server.Get("/ok",
               [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    server.Get("/down", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(200ms);
      res.set_content("late", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    // Bound is listening (the kernel queues connections): no wait for the accept loop.
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  void TearDown() override {
    server.stop();
    thread.join();
  }
  policy::HttpCheck check(const std::string& path, std::uint64_t max_latency_ns = 0) const {
    return {"http://127.0.0.1:" + std::to_string(port) + path, 200, max_latency_ns, 5'000'000'000};
  }
  httplib::Server server;
  int port = 0;
  std::thread thread;
};

TEST_F(HttpCheckTest, TheExpectedStatusIsHealthy) {
  auto r = checks::run_http(check("/ok"));
  EXPECT_TRUE(r.healthy) << r.detail;
}

TEST_F(HttpCheckTest, AnotherStatusIsAFailureThatSaysWhich) {
  auto r = checks::run_http(check("/down"));
  EXPECT_FALSE(r.healthy);
  const std::string prefix =
      "GET http://127.0.0.1:" + std::to_string(port) + "/down: HTTP 503 (expected 200) in ";
  EXPECT_EQ(r.detail.rfind(prefix, 0), 0u) << r.detail;
}

TEST_F(HttpCheckTest, SlowerThanMaxLatencyIsAFailure) {
  auto r = checks::run_http(check("/slow", 50'000'000));
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.detail.find("over maxLatency 50 ms"), std::string::npos) << r.detail;
}

TEST(HttpCheck, NoServerIsAFailure) {
  // A port bound here and never listened on: connects to it are refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto r = checks::run_http(
      {"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", 200, 0, 1'000'000'000});
  ::close(fd);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.detail.find(": cannot connect (refused or unreachable) ("), std::string::npos) << r.detail;
}

// Commands in these policies get a 30 s timeout: a shell start took over the 1 s default on a
// host with both cores busy, and these tests are about exit statuses, not timeouts.
policy::Policy policy_with(const std::string& stops, const std::string& targets = "[{cgroup: /web}]") {
  auto p = faults::parse_policy("apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n"
                                "  duration: 60s\n  targets: " +
                                    targets +
                                    "\n"
                                    "  faults: [{name: drop, network: {loss: 5%}}]\n"
                                    "  stopConditions: " +
                                    stops + "\n",
                                "w.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

// Polls (the watchdog works on its own threads) up to a generous bound.
std::string state_after_waiting(lifecycle::Controller& controller, const std::string& name,
                                const std::string& until) {
  for (int i = 0; i < 1000; ++i) {
    auto v = controller.get(name);
    if (v && v->state == until) return v->state;
    std::this_thread::sleep_for(10ms);
  }
  auto v = controller.get(name);
  return v ? v->state : "gone";
}

// Starts the experiment `stops` guards (policy_with) and has the watchdog check its conditions.
void start_watched(lifecycle::Controller& controller, lifecycle::Watchdog& watchdog, const std::string& stops,
                   const std::string& targets = "[{cgroup: /web}]") {
  const auto p = policy_with(stops, targets);
  auto started = controller.start(p);
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_TRUE(watchdog.watch(p, started->run));
}

TEST(Watchdog, ACounterPastItsMaxAbortsWithTheCount) {
  FakeHost host;
  host.stats[0] = {20, 6}; // rule 0 is the drop fault's: 6 injected
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  start_watched(controller, watchdog, "[{counter: {metric: injected, max: 5}, interval: 10ms}]");
  EXPECT_EQ(state_after_waiting(controller, "web", "aborted"), "aborted");
  EXPECT_EQ(controller.get("web")->reason, "stop condition 'counter-0' breached: injected 6 > max 5");
  EXPECT_TRUE(host.attached.empty()); // its programs detached, like any stop
}

// The kernel's count runs on across experiments: only those since this run's first check count.
TEST(Watchdog, TcpRetransmitsAreCountedFromTheStart) {
  FakeHost host;
  host.set_retransmits("/web", 1000); // an earlier experiment's, still in the kernel's map
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  start_watched(controller, watchdog,
                "[{name: tcp, counter: {metric: tcpRetransmits, max: 5}, interval: 10ms}]");
  // The start reads it once (can it be counted?), the watchdog's first check reads the baseline.
  for (int i = 0; i < 1000 && host.retransmit_reads.load() < 2; ++i)
    std::this_thread::sleep_for(10ms);
  host.set_retransmits("/web", 1005); // 5 since the start: at the max, still healthy
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(controller.get("web")->state, "running");
  host.set_retransmits("/web", 1007);
  EXPECT_EQ(state_after_waiting(controller, "web", "aborted"), "aborted");
  EXPECT_EQ(controller.get("web")->reason, "stop condition 'tcp' breached: TCP retransmits 7 > max 5");
}

// A run's target inside another of its targets is counted in that one, once: the inner cgroup's
// sockets are already the outer one's.
TEST(Watchdog, TcpRetransmitsOfNestedTargetsAreCountedOnce) {
  FakeHost host;
  host.set_retransmits("/web", 1000);
  host.set_retransmits("/web/api", 500);
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  start_watched(controller, watchdog,
                "[{name: tcp, counter: {metric: tcpRetransmits, max: 5}, interval: 10ms}]",
                "[{cgroup: /web/api}, {cgroup: /web}]");
  for (int i = 0; i < 1000 && host.retransmit_reads.load() < 2; ++i)
    std::this_thread::sleep_for(10ms);
  host.set_retransmits("/web/api", 900); // inside /web: its own count is not added again
  host.set_retransmits("/web", 1005);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(controller.get("web")->state, "running");
  host.set_retransmits("/web", 1007);
  EXPECT_EQ(state_after_waiting(controller, "web", "aborted"), "aborted");
  EXPECT_EQ(controller.get("web")->reason, "stop condition 'tcp' breached: TCP retransmits 7 > max 5");
}

// The kernel's entry for a cgroup can be evicted (LRU) and begin again from 0: the run's count
// carries on from what it had counted.
TEST(Watchdog, AKernelCountThatBeginsAgainCarriesOn) {
  lifecycle::RunCount c;
  EXPECT_EQ(c.add(1000), 0u); // the baseline
  EXPECT_EQ(c.add(1004), 4u);
  EXPECT_EQ(c.add(2), 6u); // evicted, re-added, 2 more
  EXPECT_EQ(c.add(3), 7u);
}

TEST(Watchdog, UncountableRetransmitsRefuseTheStartAndChangeNothing) {
  FakeHost host;
  host.retransmits_error = "no tracepoint";
  lifecycle::Controller controller(host);
  auto started = controller.start(policy_with("[{name: tcp, counter: {metric: tcpRetransmits, max: 5}}]"));
  ASSERT_FALSE(started);
  EXPECT_NE(
      started.error().message.find("stop condition 'tcp': cannot count TCP retransmits here: no tracepoint"),
      std::string::npos)
      << started.error().message;
  EXPECT_EQ(started.error().message.rfind("w.yaml:8:", 0), 0u) << started.error().message;
  EXPECT_TRUE(host.attached.empty());
  for (const auto& call : host.calls)
    EXPECT_EQ(call.rfind("attach", 0), std::string::npos) << call;
  EXPECT_FALSE(controller.get("web"));
}

TEST(Watchdog, RetransmitsThatCannotBeReadMidRunAbortWithTheReason) {
  FakeHost host;
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  start_watched(controller, watchdog,
                "[{name: tcp, counter: {metric: tcpRetransmits, max: 5}, interval: 10ms}]");
  {
    std::lock_guard lock(host.retransmits_mu);
    host.retransmits_error = "map gone";
  }
  EXPECT_EQ(state_after_waiting(controller, "web", "aborted"), "aborted");
  EXPECT_EQ(controller.get("web")->reason,
            "stop condition 'tcp' breached: cannot count TCP retransmits: map gone");
}

// No thread for a stop condition: the run is not left unguarded, it is aborted with the reason.
TEST(Watchdog, ARunThatCannotBeWatchedIsAborted) {
  FakeHost host;
  lifecycle::Controller controller(host);
  int spawned = 0;
  lifecycle::Watchdog watchdog(controller, [&spawned](std::function<void()> body) {
    if (++spawned == 2) throw std::system_error(EAGAIN, std::generic_category(), "no thread");
    return std::thread(std::move(body));
  });
  const auto p =
      policy_with("[{command: 'exit 0', interval: 10ms, timeout: 30s}, {counter: {metric: injected, "
                  "max: 5}, interval: 10ms}]");
  auto started = controller.start(p);
  ASSERT_TRUE(started);
  auto watched = watchdog.watch(p, started->run);
  ASSERT_FALSE(watched);
  EXPECT_EQ(watched.error().message, "experiment web aborted: cannot watch its stop conditions: no thread: "
                                     "Resource temporarily unavailable");
  EXPECT_EQ(controller.get("web")->state, "aborted");
  EXPECT_TRUE(host.attached.empty());
  for (int i = 0; i < 1000 && watchdog.active() > 0; ++i) // the one started ends with the run
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(watchdog.active(), 0u);
}

TEST(Watchdog, ConsecutiveFailuresAreCountedBeforeAborting) {
  FakeHost host;
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  const auto p = policy_with("[{name: up, command: 'exit 1', interval: 10ms, failures: 3, timeout: 30s}]");
  auto started = controller.start(p);
  ASSERT_TRUE(started);
  ASSERT_TRUE(watchdog.watch(p, started->run));
  EXPECT_EQ(state_after_waiting(controller, "web", "aborted"), "aborted");
  const std::string reason = controller.get("web")->reason;
  EXPECT_EQ(reason.rfind("stop condition 'up' breached: exit status 1 in ", 0), 0u) << reason;
  EXPECT_NE(reason.find("(3 failed checks in a row)"), std::string::npos) << reason;
}

TEST(Watchdog, AConditionThatHoldsLeavesTheExperimentAndEndsWithIt) {
  FakeHost host;
  host.stats[0] = {20, 3};
  lifecycle::Controller controller(host);
  lifecycle::Watchdog watchdog(controller);
  const auto p =
      policy_with("[{command: 'exit 0', interval: 10ms, timeout: 30s}, {counter: {metric: injected, max: 5}, "
                  "interval: 10ms}]");
  auto started = controller.start(p);
  ASSERT_TRUE(started);
  ASSERT_TRUE(watchdog.watch(p, started->run));
  EXPECT_EQ(watchdog.active(), 2u);
  std::this_thread::sleep_for(100ms); // some ten checks of each
  EXPECT_EQ(controller.get("web")->state, "running");
  ASSERT_TRUE(controller.stop("web"));
  for (int i = 0; i < 1000 && watchdog.active() > 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(watchdog.active(), 0u);
  EXPECT_EQ(controller.get("web")->state, "stopped");
}

TEST(Watchdog, AnAbortNeverReachesALaterRunOfTheSameName) {
  FakeHost host;
  lifecycle::Controller controller(host);
  const auto p = policy_with("[{command: 'exit 0'}]");
  auto first = controller.start(p);
  ASSERT_TRUE(first);
  ASSERT_TRUE(controller.stop("web"));
  auto second = controller.start(p);
  ASSERT_TRUE(second);
  EXPECT_NE(first->run, second->run);
  auto late = controller.abort("web", first->run, "a check of the first run");
  EXPECT_FALSE(late);
  EXPECT_EQ(late.error().code, ENOENT);
  EXPECT_EQ(controller.get("web")->state, "running");
}

} // namespace
} // namespace faultline::testing
