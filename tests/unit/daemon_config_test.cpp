// faultlined's config: every key read, defaults when absent, and bad input refused with
// file:line:col like a policy.
#include <gtest/gtest.h>

#include "daemon/config.hpp"

namespace faultline::daemon {
namespace {

TEST(DaemonConfig, ReadsEveryKey) {
  auto c = parse_daemon_config("socket: /run/x/fl.sock\njournal: /var/log/fl.jsonl\njournalMaxBytes: 1Mi\n"
                               "protectedCgroups: [system.slice/sshd.service, /sys/fs/cgroup/init.scope]\n"
                               "maxTargets: 8\n",
                               "d.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->socket_path, "/run/x/fl.sock");
  EXPECT_EQ(c->journal_path, "/var/log/fl.jsonl");
  EXPECT_EQ(c->journal_max_bytes, 1u << 20);
  EXPECT_EQ(c->safety.protected_cgroups,
            (std::vector<std::string>{"system.slice/sshd.service", "/sys/fs/cgroup/init.scope"}));
  EXPECT_EQ(c->safety.max_targets, 8u);
}

TEST(DaemonConfig, EmptyOrMissingMeansDefaults) {
  auto empty = parse_daemon_config("", "d.yaml");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->socket_path, "/run/faultline/faultline.sock");
  EXPECT_EQ(empty->safety.max_targets, 64u);
  EXPECT_TRUE(empty->safety.protected_cgroups.empty());
  auto missing = load_daemon_config("/nonexistent/faultlined.yaml", false);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->journal_path, "/var/lib/faultline/journal.jsonl");
  auto named = load_daemon_config("/nonexistent/faultlined.yaml", true);
  ASSERT_FALSE(named) << "a config the operator named must exist";
  EXPECT_EQ(named.error().message, "cannot read the daemon config /nonexistent/faultlined.yaml");
}

TEST(DaemonConfig, BadInputNamesTheSpot) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"maxTarget: 3\n",
       "d.yaml:1:1: unknown key 'maxTarget' (did you mean maxTargets?); valid keys: socket, "
       "journal, journalMaxBytes, protectedCgroups, maxTargets"},
      {"maxTargets: lots\n", "d.yaml:1:13: maxTargets: 'lots' is not a whole number in 0..16384"},
      {"maxTargets: 0\n", "d.yaml:1:13: maxTargets: must be at least 1"},
      {"protectedCgroups: /a\n", "d.yaml:1:19: protectedCgroups: expected a list of cgroup paths"},
      {"journalMaxBytes: 10\n", "d.yaml:1:18: journalMaxBytes: must be at least 4Ki"},
      {"- a\n- b\n", "d.yaml:1:1: expected a map of settings"},
  };
  for (const auto& c : cases) {
    auto r = parse_daemon_config(c.text, "d.yaml");
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().message, c.message) << c.text;
  }
}

} // namespace
} // namespace faultline::daemon
