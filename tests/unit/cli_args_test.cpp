#include <gtest/gtest.h>

#include "cli/args.hpp"

namespace faultline::cli {
namespace {

Invocation parse_cli(std::vector<const char*> args) {
  args.insert(args.begin(), "faultline");
  return parse_args(static_cast<int>(args.size()), args.data());
}

TEST(CliArgs, ExecTakesEverythingAfterDashDashAsTheCommand) {
  auto inv = parse_cli({"exec", "-p", "loss.yaml", "--", "curl", "-s", "--max-time", "1", "http://x"});
  ASSERT_EQ(inv.command, Invocation::Command::exec);
  EXPECT_EQ(inv.exec.policy_path, "loss.yaml");
  EXPECT_EQ(inv.exec.command, (std::vector<std::string>{"curl", "-s", "--max-time", "1", "http://x"}));
}

TEST(CliArgs, ExecNeedsPolicyAndCommand) {
  auto no_policy = parse_cli({"exec", "--", "true"});
  EXPECT_EQ(no_policy.command, Invocation::Command::help);
  EXPECT_EQ(no_policy.exit_code, 2);
  EXPECT_NE(no_policy.help_text.find("--policy is required"), std::string::npos);
  EXPECT_EQ(parse_cli({"exec", "-p", "x.yaml"}).exit_code, 2);
}

TEST(CliArgs, ObserveTakesACgroupADurationAndThePolicyToWrite) {
  auto inv = parse_cli({"observe", "--cgroup", "svc/api", "--duration", "1m30s", "--policy", "a.yaml",
                        "--factor", "5", "--min-errors", "3", "--name", "drill", "--policy-duration", "5m"});
  ASSERT_EQ(inv.command, Invocation::Command::observe);
  EXPECT_EQ(inv.observe.cgroup, "svc/api");
  EXPECT_EQ(inv.observe.duration_ns, 90'000'000'000u);
  EXPECT_EQ(inv.observe.policy_path, "a.yaml");
  EXPECT_DOUBLE_EQ(inv.observe.factor, 5);
  EXPECT_EQ(inv.observe.min_errors, 3u);
  EXPECT_EQ(inv.observe.name, "drill");
  EXPECT_EQ(inv.observe.policy_duration, "5m");
  EXPECT_EQ(parse_cli({"observe", "--cgroup", "x"}).observe.duration_ns, 30'000'000'000u); // the default
  EXPECT_TRUE(parse_cli({"--json", "observe", "--cgroup", "x"}).observe.json);
}

TEST(CliArgs, ObserveRefusesABadDurationOrNoCgroup) {
  auto bad = parse_cli({"observe", "--cgroup", "x", "--duration", "soon"});
  EXPECT_EQ(bad.command, Invocation::Command::help);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.help_text.find("--duration soon is not a duration"), std::string::npos);
  EXPECT_EQ(parse_cli({"observe", "--cgroup", "x", "--duration", "0s"}).exit_code, 2);
  EXPECT_EQ(parse_cli({"observe", "--cgroup", "x", "--policy-duration", "later"}).exit_code, 2);
  EXPECT_EQ(parse_cli({"observe", "--cgroup", "x", "--factor", "0"}).exit_code, 2);
  EXPECT_EQ(parse_cli({"observe", "--duration", "1s"}).exit_code, 2);
}

TEST(CliArgs, GlobalOptionsAndDaemonCommands) {
  auto run = parse_cli({"--socket", "/tmp/s.sock", "--json", "run", "-f", "p.yaml"});
  EXPECT_EQ(run.command, Invocation::Command::run);
  EXPECT_EQ(run.socket, "/tmp/s.sock");
  EXPECT_TRUE(run.json);
  EXPECT_EQ(run.policy_path, "p.yaml");
  EXPECT_EQ(parse_cli({"apply", "p.yaml"}).policy_path, "p.yaml");
  EXPECT_EQ(parse_cli({"status", "web"}).name, "web");
  EXPECT_EQ(parse_cli({"list"}).socket, "/run/faultline/faultline.sock");
}

TEST(CliArgs, StopNeedsANameOrAll) {
  EXPECT_TRUE(parse_cli({"stop", "--all"}).all);
  EXPECT_EQ(parse_cli({"stop", "web"}).name, "web");
  auto neither = parse_cli({"stop"});
  EXPECT_EQ(neither.command, Invocation::Command::help);
  EXPECT_EQ(neither.exit_code, 2);
}

TEST(CliArgs, DoctorRequireListAndUnknownCommand) {
  auto d = parse_cli({"doctor", "--require", "lsm", "--require", "cgroup_skb"});
  EXPECT_EQ(d.command, Invocation::Command::doctor);
  EXPECT_EQ(d.require, (std::vector<std::string>{"lsm", "cgroup_skb"}));
  auto bad = parse_cli({"frobnicate"});
  EXPECT_EQ(bad.command, Invocation::Command::help);
  EXPECT_EQ(bad.exit_code, 2);
  auto help = parse_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.help_text.find("exec"), std::string::npos);
}

} // namespace
} // namespace faultline::cli
