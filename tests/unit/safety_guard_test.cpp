// The blast-radius guard, through the controller against a fake host: each dangerous target is
// refused with file:line:col and the reason, and the refusal changes nothing (no attach, no
// apply); allowHostWide lifts the host-wide refusals but never the operator's protected list.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fake_host.hpp"
#include "faults/registry.hpp"
#include "lifecycle/controller.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

policy::Policy guarded_policy(const std::string& targets, const std::string& safety = "") {
  auto p = faults::parse_policy("apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: g}\nspec:\n"
                                "  duration: 10s\n" +
                                    safety + "  targets:\n" + targets +
                                    "  faults:\n    - name: drop\n      network: {loss: 10%}\n",
                                "g.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

void expect_nothing_changed(const FakeHost& host) {
  for (const auto& call : host.calls) {
    EXPECT_EQ(call.rfind("attach", 0), std::string::npos) << "a refused policy attached: " << call;
    EXPECT_EQ(call.rfind("apply", 0), std::string::npos) << "a refused policy applied: " << call;
  }
  EXPECT_TRUE(host.attached.empty());
}

TEST(SafetyGuard, RefusesTheRootCgroup) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(guarded_policy("    - cgroup: /\n"));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, EPERM);
  EXPECT_EQ(
      v.error().message,
      "g.yaml:7:7: target 'cgroup: /': cgroup / is the root cgroup: a fault there reaches every process on "
      "the host; if that is really meant, set spec.safety.allowHostWide: true");
  expect_nothing_changed(host);
  EXPECT_TRUE(c.list().empty());
}

TEST(SafetyGuard, RefusesInitKernelThreadsAndItself) {
  struct Case {
    std::string path;
    lifecycle::TargetFacts facts;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"/init.scope", {}, "holds init (pid 1)"},
      {"/system.slice", {false, true, false, 0}, "holds init (pid 1)"},
      {"/kthreads", {false, false, false, 42}, "holds kernel threads (pid 42)"},
      {"/faultline.service", {false, false, true, 0}, "holds faultline itself"},
  };
  for (const auto& tc : cases) {
    FakeHost host;
    host.facts[tc.path] = tc.facts;
    lifecycle::Controller c(host);
    auto v = c.start(guarded_policy("    - cgroup: " + tc.path + "\n"));
    ASSERT_FALSE(v) << tc.path;
    EXPECT_NE(v.error().message.find("g.yaml:7:7: target 'cgroup: " + tc.path + "': cgroup " + tc.path),
              std::string::npos)
        << v.error().message;
    EXPECT_NE(v.error().message.find(tc.why), std::string::npos) << v.error().message;
    EXPECT_NE(v.error().message.find("allowHostWide"), std::string::npos) << v.error().message;
    expect_nothing_changed(host);
  }
}

TEST(SafetyGuard, AllowHostWideIsTheExplicitOptIn) {
  FakeHost host;
  host.facts["/init.scope"] = {false, true, false, 0};
  lifecycle::Controller c(host);
  auto v = c.start(
      guarded_policy("    - cgroup: /\n    - cgroup: /init.scope\n", "  safety: {allowHostWide: true}\n"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(host.attached.size(), 1u) << "/init.scope lies inside / : one attachment covers both";
}

TEST(SafetyGuard, AnInterfaceTargetIsHostWide) {
  FakeHost host;
  lifecycle::Controller c(host);
  auto v = c.start(guarded_policy("    - interface: eth0\n"));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, EPERM);
  EXPECT_EQ(v.error().message,
            "g.yaml:7:7: target 'interface: eth0': an interface target faults every packet of the device, "
            "whatever process sends or receives it (host-wide); if that is really meant, set "
            "spec.safety.allowHostWide: true");
  expect_nothing_changed(host);
  auto ok = c.start(guarded_policy("    - interface: eth0\n", "  safety: {allowHostWide: true}\n"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(host.attached.size(), 1u) << "loss on the device's egress";
}

TEST(SafetyGuard, ProtectedCgroupsAreRefusedEvenWithTheOptIn) {
  lifecycle::SafetyOptions options;
  options.protected_cgroups = {"/system.slice/sshd.service"};
  for (const std::string path :
       {"/system.slice/sshd.service", "/system.slice", "/system.slice/sshd.service/x"}) {
    FakeHost host;
    lifecycle::Controller c(host, nullptr, options);
    auto v = c.start(guarded_policy("    - cgroup: " + path + "\n", "  safety: {allowHostWide: true}\n"));
    ASSERT_FALSE(v) << path;
    EXPECT_EQ(v.error().message,
              fmt::format("g.yaml:8:7: target 'cgroup: {0}': cgroup {0} is, contains or lies "
                          "inside /system.slice/sshd.service, which faultlined's config "
                          "protects (protectedCgroups); no policy can override that",
                          path));
    expect_nothing_changed(host);
  }
  FakeHost host;
  lifecycle::Controller c(host, nullptr, options);
  EXPECT_TRUE(c.start(guarded_policy("    - cgroup: /system.slice/sshd.serviceX\n")))
      << "a sibling that only shares the name's bytes is not protected";
}

TEST(SafetyGuard, CapsTheNumberOfTargets) {
  lifecycle::SafetyOptions options;
  options.max_targets = 2;
  FakeHost host;
  lifecycle::Controller c(host, nullptr, options);
  auto v = c.start(guarded_policy("    - cgroup: /a\n    - cgroup: /b\n    - cgroup: /c\n"));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message,
            "g.yaml: 3 cgroups selected, more than the 2 faultlined allows in one experiment "
            "(maxTargets in its config); narrow the targets or the selection");
  expect_nothing_changed(host);
  EXPECT_TRUE(c.start(guarded_policy("    - cgroup: /a\n    - cgroup: /b\n")));
}

TEST(KillSwitch, StopAllDisarmsOnceAndNothingReArms) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(guarded_policy("    - cgroup: /a\n")));
  auto second = guarded_policy("    - cgroup: /b\n");
  second.name = "h";
  ASSERT_TRUE(c.start(second));
  host.calls.clear();
  ASSERT_TRUE(c.stop_all());
  // One disarm, then one table write with nothing in it: no intermediate table re-arms.
  EXPECT_EQ(host.calls, (std::vector<std::string>{"disarm", "apply 0"}));
  EXPECT_EQ(host.live_rules, 0u);
  EXPECT_TRUE(host.attached.empty());
  for (const auto& v : c.list())
    EXPECT_EQ(v.state, "stopped") << v.name;
}

TEST(KillSwitch, AFailedRemovalStillEndsTheExperimentAndDisarms) {
  FakeHost host;
  lifecycle::Controller c(host);
  ASSERT_TRUE(c.start(guarded_policy("    - cgroup: /a\n")));
  host.fail_apply = true;
  host.calls.clear();
  auto v = c.stop("g");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, "stopped");
  EXPECT_NE(v->reason.find("every fault was disarmed"), std::string::npos) << v->reason;
  EXPECT_EQ(host.calls.back(), "disarm");
  ASSERT_EQ(c.list().size(), 1u);
  EXPECT_EQ(c.list()[0].state, "stopped") << "a failed stop never leaves an experiment shown as running";
}

} // namespace
} // namespace faultline::testing
