// The resource family's compile step: settings on the targets, no rules.
#include "compiler_test.hpp"

namespace faultline::engine {
namespace {

using namespace compile_test;

TEST(Compiler, ResourceFaultsAreSettingsOnTheOutermostTargetsNotRules) {
  RuleIdAllocator ids;
  const std::vector<Target> nested = {{"/sys/fs/cgroup/a", 111, 1}, {"/sys/fs/cgroup/a/b", 112, 2}};
  auto exp =
      compile(parse("    - name: squeeze\n      resource: {cpu: 20%, memory: {high: 64Mi}, io: {device: "
                    "/dev/vda, rbps: 1Mi, wiops: 100}}\n"
                    "    - name: quota\n      resource: {cpu: {quota: 5ms, period: 50ms}}\n"),
              nested, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  EXPECT_TRUE(exp->entries.empty()) << "no BPF rule";
  EXPECT_EQ(ids.in_use(), 0u) << "no rule id";
  ASSERT_EQ(exp->changes.size(), 2u) << "one per fault, on a only: a's limit already covers a/b";
  const auto& squeeze = exp->changes[0];
  EXPECT_EQ(squeeze.target.path, "/sys/fs/cgroup/a");
  EXPECT_EQ(squeeze.fault, "squeeze");
  EXPECT_EQ(squeeze.backend->name(), "resource.cgroup");
  EXPECT_EQ(squeeze.location.line, 9);
  EXPECT_EQ(squeeze.settings, (std::vector<Setting>{{"cpu.max", "20000 100000", ""},
                                                    {"memory.high", "67108864", ""},
                                                    {"io.max", "rbps=1048576 wiops=100", "/dev/vda"}}));
  EXPECT_EQ(exp->changes[1].settings, (std::vector<Setting>{{"cpu.max", "5000 50000", ""}}));
  ASSERT_EQ(exp->faults.size(), 2u);
  EXPECT_EQ(exp->faults[0].family, "resource");
  EXPECT_TRUE(exp->faults[0].rule_ids.empty());

  auto off = compile(parse("    - name: s\n      resource: {cpu: 20%}\n"), kTargets,
                     registry({"resource.cgroup"}), ids, kNow);
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().message,
            "p.yaml:9:7: fault 's': no backend can inject it here (resource.cgroup: this "
            "kernel cannot run it: no BPF-LSM)");
  const std::vector<Target> iface = {{"interface:eth0", FL_IFACE_TARGET_BIT | 2, 0, {}, {}, 2}};
  auto on_iface = compile(parse("    - name: s\n      resource: {cpu: 20%}\n"), iface, all_caps(), ids, kNow);
  ASSERT_FALSE(on_iface);
  EXPECT_EQ(on_iface.error().message,
            "p.yaml:9:7: fault 's': resource faults cannot target a network interface; target a cgroup");
}

} // namespace
} // namespace faultline::engine
