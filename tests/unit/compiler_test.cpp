#include <csignal>
#include <fcntl.h>
// Policy -> kernel rules: the right hooks, triggers and filters in ABI form; unsupported faults
// refused with the reason and the policy location; ids never leak.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/abi_encode.hpp"
#include "engine/compiler.hpp"
#include "faults/backend_set.hpp"
#include "faults/registry.hpp"
#include "file/abi.h"
#include "network/abi.h"
#include "policy/parser.hpp"
#include "policy/syscalls.hpp"
#include "process/abi.h"
#include "syscall/abi.h"

namespace faultline::engine {
namespace {

// Each family's part of a compiled rule, as its programs read it.
fl_net_rule net_of(const fl_rule& r) { return family_part<fl_net_rule>(r); }
fl_file_rule file_of(const fl_rule& r) { return family_part<fl_file_rule>(r); }
fl_sys_match sys_of(const fl_rule& r) { return family_part<fl_sys_match>(r); }

policy::Policy parse(const std::string& faults, const std::string& extra_spec = "") {
  const std::string text = "apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: exp}\nspec:\n"
                           "  duration: 10s\n  targets:\n    - cgroup: /a\n" +
                           extra_spec + "  faults:\n" + faults;
  auto p = faults::parse_policy(text, "p.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}

// The real backends (their compile step is pure), each available unless named in `off`.
BackendRegistry registry(const std::set<std::string>& off = {}) {
  BackendRegistry r;
  for (const auto* b : faults::all_backends())
    r.add(*b, {!off.count(std::string(b->name())), "no BPF-LSM"});
  return r;
}
BackendRegistry all_caps() { return registry(); }
const std::vector<Target> kTargets = {{"/sys/fs/cgroup/a", 111, 1}, {"/sys/fs/cgroup/b", 222, 1}};
constexpr std::uint64_t kNow = 1'000'000'000;

TEST(Compiler, LossBecomesDropRulePerTargetWithDeadline) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: loss\n      network: {loss: 25%, protocol: udp, peer: 192.0.2.0/24, "
                           "port: 9000-9010}\n"),
                     kTargets, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 2u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_EGRESS);
  EXPECT_EQ(r.effect.action, FL_ACT_DROP);
  EXPECT_EQ(r.trigger.probability, 1073741824u); // 25% of 2^32
  EXPECT_EQ(r.trigger.deadline_ns, kNow + 10'000'000'000ull);
  EXPECT_EQ(r.trigger.start_ns, kNow);
  EXPECT_EQ(net_of(r).match.protocol, 17);
  EXPECT_EQ(net_of(r).match.peer.family, FL_FAMILY_IPV4);
  EXPECT_EQ(net_of(r).match.peer.prefix, 24);
  EXPECT_EQ(net_of(r).match.peer.addr[0], htonl(0xc0000200));
  EXPECT_EQ(net_of(r).match.peer.mask[0], htonl(0xffffff00));
  EXPECT_EQ(net_of(r).match.peer.mask[1], 0u) << "an IPv4 rule compares only the first word";
  EXPECT_EQ(net_of(r).match.peer.port_min, 9000);
  EXPECT_EQ(net_of(r).match.peer.port_max, 9010);
  EXPECT_EQ(exp->entries[1].target.cgroup_id, 222u);
  EXPECT_EQ(ids.in_use(), 1u);
}

TEST(Compiler, BlackholeBothDirectionsUsesTwoHooksAndAlwaysFires) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: hang\n      network: {blackhole: true, direction: both}\n      "
                           "trigger: {start: 2s, times: 5}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 2u);
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_EGRESS);
  EXPECT_EQ(exp->entries[1].hook, FL_HOOK_NET_INGRESS);
  EXPECT_EQ(exp->entries[0].rule.trigger.probability, FL_PROB_ALWAYS);
  EXPECT_EQ(exp->entries[0].rule.trigger.start_ns, kNow + 2'000'000'000ull);
  EXPECT_EQ(exp->entries[0].rule.trigger.times, 5u);
  EXPECT_NE(exp->entries[0].rule.rule_id, exp->entries[1].rule.rule_id);
  EXPECT_EQ(exp->faults[0].rule_ids.size(), 2u);
}

TEST(Compiler, DelayJitterRateBecomeOneShapeRule) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: slow\n      network: {delay: 20ms, jitter: 5ms, rate: 8mbit, peer: "
                           "\"2001:db8::/32\"}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_SHAPE);
  EXPECT_EQ(exp->entries[0].backend->name(), "net.edt");
  EXPECT_EQ(r.effect.action, FL_ACT_SHAPE);
  EXPECT_EQ(net_of(r).effect.delay_ns, 20'000'000u);
  EXPECT_EQ(net_of(r).effect.jitter_ns, 5'000'000u);
  EXPECT_EQ(net_of(r).effect.rate_bps, 1'000'000u) << "8 mbit/s is 1,000,000 bytes/s";
  EXPECT_EQ(r.trigger.probability, FL_PROB_ALWAYS);
  EXPECT_EQ(net_of(r).match.peer.family, FL_FAMILY_IPV6);
  EXPECT_EQ(net_of(r).match.peer.prefix, 32);
  EXPECT_EQ(net_of(r).match.peer.addr[0], htonl(0x20010db8));
  EXPECT_EQ(net_of(r).match.peer.mask[0], 0xffffffffu);
  EXPECT_EQ(net_of(r).match.peer.mask[1], 0u);
}

TEST(Compiler, ConnectDelayShapesOnlyTcpSyns) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: slow-connect\n      network: {connectDelay: 250ms, port: 5432}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u);
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_NET_SHAPE);
  EXPECT_EQ(r.effect.action, FL_ACT_SHAPE);
  EXPECT_EQ(net_of(r).effect.delay_ns, 250'000'000u);
  EXPECT_EQ(net_of(r).match.protocol, 6);
  EXPECT_EQ(net_of(r).match.syn_only, 1);
  EXPECT_EQ(net_of(r).match.peer.port_min, 5432);
}

TEST(Compiler, GilbertElliottCarriesItsChain) {
  RuleIdAllocator ids;
  auto exp =
      compile(parse("    - name: bursts\n      network: {loss: {model: gilbert-elliott, p: 25%, r: 50%}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(r.effect.action, FL_ACT_DROP);
  EXPECT_EQ(net_of(r).effect.loss.kind, FL_LOSS_GILBERT_ELLIOTT);
  EXPECT_EQ(net_of(r).effect.loss.p, 1073741824u);
  EXPECT_EQ(net_of(r).effect.loss.r, 2147483648u);
  EXPECT_EQ(net_of(r).effect.loss.loss_bad, FL_PROB_ALWAYS);
  EXPECT_EQ(net_of(r).effect.loss.loss_good, 0u);
  EXPECT_EQ(r.trigger.probability, FL_PROB_ALWAYS) << "the chain decides, not the trigger";
}

TEST(Compiler, RefusesShapingThatCannotWork) {
  RuleIdAllocator ids;
  auto both = compile(parse("    - name: x\n      network: {loss: 5%, delay: 10ms}\n"), kTargets, all_caps(),
                      ids, kNow);
  ASSERT_FALSE(both);
  EXPECT_EQ(
      both.error().message,
      "p.yaml:9:7: fault 'x': no backend can inject it here (net.cgroup_skb: it does not delay or pace "
      "packets; net.edt: loss, corrupt or duplicate with delay/rate in one fault: write them as separate "
      "faults on the same target; net.tc: it only corrupts, duplicates and answers DNS queries with a "
      "failure)");
  auto ingress = compile(parse("    - name: x\n      network: {delay: 10ms, direction: ingress}\n"), kTargets,
                         all_caps(), ids, kNow);
  ASSERT_FALSE(ingress);
  EXPECT_NE(ingress.error().message.find("delay and rate shape what the target sends (egress)"),
            std::string::npos)
      << ingress.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(Compiler, FileFaultCarriesPrefixAndErrno) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: disk\n      file: {path: /var/lib/app/, errno: ENOSPC}\n      "
                           "trigger: {probability: 50%}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const fl_rule& r = exp->entries[0].rule;
  EXPECT_EQ(exp->entries[0].hook, FL_HOOK_FILE_OPEN);
  EXPECT_EQ(r.effect.action, FL_ACT_ERRNO);
  ASSERT_EQ(r.effect.nerr, 1u);
  EXPECT_EQ(r.effect.errs[0].err, ENOSPC);
  EXPECT_EQ(r.effect.errs[0].threshold, FL_PROB_ALWAYS);
  EXPECT_EQ(std::string(file_of(r).path.prefix, file_of(r).path.prefix_len), "/var/lib/app")
      << "trailing '/' is dropped";
  EXPECT_EQ(r.trigger.probability, 2147483648u);
  EXPECT_EQ(exp->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_OPEN));
}

// One rule per operation, keyed by the operation; a weighted mix; refused operations say why.
TEST(Compiler, FileOpsOneRuleEachWithTheirOwnKey) {
  RuleIdAllocator ids;
  auto exp =
      compile(parse("    - name: disk\n      file: {path: /data, ops: [read, write, mmap], errno: {EIO: 90%, "
                    "EDQUOT: 10%}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 3u);
  EXPECT_EQ(exp->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_READ));
  EXPECT_EQ(exp->entries[1].sub, static_cast<std::uint32_t>(FL_FILE_OP_WRITE));
  EXPECT_EQ(exp->entries[2].sub, static_cast<std::uint32_t>(FL_FILE_OP_MMAP));
  EXPECT_EQ(exp->entries[0].backend->name(), "file.lsm");
  EXPECT_EQ(exp->entries[1].rule.effect.nerr, 2u);
  EXPECT_EQ(exp->entries[1].rule.effect.errs[1].err, EDQUOT);
  release_ids(*exp, ids);
  // The directory-entry operations: a key each, in the order written.
  auto entries =
      compile(parse("    - name: rm\n      file: {path: /data, ops: [truncate, unlink, rename, mkdir], "
                    "errno: EROFS}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->entries.size(), 4u);
  EXPECT_EQ(entries->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_TRUNCATE));
  EXPECT_EQ(entries->entries[1].sub, static_cast<std::uint32_t>(FL_FILE_OP_UNLINK));
  EXPECT_EQ(entries->entries[2].sub, static_cast<std::uint32_t>(FL_FILE_OP_RENAME));
  EXPECT_EQ(entries->entries[3].sub, static_cast<std::uint32_t>(FL_FILE_OP_MKDIR));
  EXPECT_EQ(std::string(file_of(entries->entries[3].rule).path.prefix,
                        file_of(entries->entries[3].rule).path.prefix_len),
            "/data");
  release_ids(*entries, ids);
  EXPECT_EQ(ids.in_use(), 0u);
}

// Where BPF-LSM is missing, fmod_ret serves the directory-entry operations too; mmap is refused
// there, naming what this host lacks, and nothing leaks.
TEST(Compiler, FileOpsWithoutLsmFallToFmodRetButMmap) {
  RuleIdAllocator ids;
  const auto no_lsm = registry({"file.lsm"});
  auto rm = compile(parse("    - name: rm\n      file: {path: /data, ops: [unlink, truncate], errno: EIO}\n"),
                    {kTargets[0]}, no_lsm, ids, kNow);
  ASSERT_TRUE(rm) << rm.error().message;
  ASSERT_EQ(rm->entries.size(), 2u);
  EXPECT_EQ(rm->entries[0].backend->name(), "file.fmod_ret");
  EXPECT_EQ(rm->entries[0].sub, static_cast<std::uint32_t>(FL_FILE_OP_UNLINK));
  release_ids(*rm, ids);
  auto mmap = compile(parse("    - name: m\n      file: {path: /data, ops: [read, mmap], errno: EIO}\n"),
                      {kTargets[0]}, no_lsm, ids, kNow);
  ASSERT_FALSE(mmap);
  EXPECT_NE(mmap.error().message.find("file.lsm: this kernel cannot run it: no BPF-LSM"), std::string::npos)
      << "what to change on this host: " << mmap.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(Compiler, DryRunFlagsEveryRule) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: loss\n      network: {loss: 10%}\n", "  dryRun: true\n"), kTargets,
                     all_caps(), ids, kNow);
  ASSERT_TRUE(exp);
  for (const auto& e : exp->entries)
    EXPECT_TRUE(e.rule.flags & FL_RULE_DRY_RUN);
}

TEST(Compiler, RefusesWhatThisKernelCannotDoAndReleasesIds) {
  RuleIdAllocator ids;
  const BackendRegistry caps = registry({"file.lsm", "file.fmod_ret"});
  auto exp = compile(parse("    - name: loss\n      network: {loss: 10%}\n    - name: disk\n      file: "
                           "{path: /d/, errno: EIO}\n"),
                     kTargets, caps, ids, kNow);
  ASSERT_FALSE(exp);
  EXPECT_EQ(
      exp.error().message,
      "p.yaml:11:7: fault 'disk': no backend can inject it here (file.lsm: this kernel cannot run it: no "
      "BPF-LSM; file.fmod_ret: this kernel cannot run it: no BPF-LSM)");
  EXPECT_EQ(ids.in_use(), 0u) << "a refused policy must not keep rule ids";
}

TEST(Compiler, DnsFailureAnswersGoToTcOneRulePerName) {
  RuleIdAllocator ids;
  auto nx = compile(parse("    - name: nx\n      network: {dns: {names: [\"*.db.internal\", a.b], action: "
                          "nxdomain}}\n"),
                    {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(nx) << nx.error().message;
  ASSERT_EQ(nx->entries.size(), 2u) << "one rule per name";
  for (const auto& e : nx->entries) {
    EXPECT_EQ(e.backend->name(), "net.tc");
    EXPECT_EQ(e.hook, FL_HOOK_NET_TC);
    EXPECT_EQ(e.rule.effect.action, FL_ACT_DNS_ANSWER);
    EXPECT_EQ(net_of(e.rule).effect.dns_rcode, 3u) << "NXDOMAIN";
    EXPECT_EQ(net_of(e.rule).match.protocol, 17u);
    EXPECT_EQ(net_of(e.rule).match.peer.port_min, 53u);
  }
  EXPECT_EQ(
      std::string(net_of(nx->entries[0].rule).match.dns_name, net_of(nx->entries[0].rule).match.dns_len),
      std::string("\x02"
                  "db"
                  "\x08"
                  "internal",
                  12) +
          '\0')
      << "wire form";
  EXPECT_EQ(net_of(nx->entries[0].rule).match.dns_flags, FL_DNS_SUFFIX);
  EXPECT_EQ(
      std::string(net_of(nx->entries[1].rule).match.dns_name, net_of(nx->entries[1].rule).match.dns_len),
      std::string("\x01"
                  "a"
                  "\x01"
                  "b",
                  4) +
          '\0');
  release_ids(*nx, ids);
  auto sf = compile(parse("    - name: sf\n      network: {dns: {names: [a.b], action: servfail}}\n"),
                    {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(sf) << sf.error().message;
  EXPECT_EQ(net_of(sf->entries[0].rule).effect.dns_rcode, 2u) << "SERVFAIL";
  release_ids(*sf, ids);
  // Where tc is missing, the refusal names the one backend that could answer.
  auto no_tc = compile(parse("    - name: nx\n      network: {dns: {names: [a.b], action: nxdomain}}\n"),
                       {kTargets[0]}, registry({"net.tc"}), ids, kNow);
  ASSERT_FALSE(no_tc);
  EXPECT_NE(no_tc.error().message.find("(net.tc: this kernel cannot run it"), std::string::npos)
      << no_tc.error().message;
  EXPECT_EQ(ids.in_use(), 0u);
}

// An interface target next to a cgroup target: each gets its own backend's rules, keyed by the
// device for the interface.
TEST(Compiler, InterfaceTargetsGetDeviceRules) {
  RuleIdAllocator ids;
  Target dev{"interface:eth0", FL_IFACE_TARGET_BIT | 2, 0, {}, {}};
  dev.ifindex = 2;
  auto exp = compile(parse("    - name: flaky\n      network: {loss: 10%, direction: both}\n"
                           "    - name: slow\n      network: {delay: 20ms, port: 443}\n"),
                     {kTargets[0], dev}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  std::map<std::string, std::vector<fl_hook>> by_backend;
  for (const auto& e : exp->entries) {
    by_backend[std::string(e.backend->name())].push_back(e.hook);
    EXPECT_EQ(e.target.cgroup_id, e.backend->name() == "net.iface" ? (FL_IFACE_TARGET_BIT | 2) : 111u);
  }
  EXPECT_EQ(by_backend["net.cgroup_skb"], (std::vector<fl_hook>{FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS}));
  EXPECT_EQ(by_backend["net.edt"], (std::vector<fl_hook>{FL_HOOK_NET_SHAPE}));
  EXPECT_EQ(by_backend["net.iface"],
            (std::vector<fl_hook>{FL_HOOK_IFACE_EGRESS, FL_HOOK_IFACE_INGRESS, FL_HOOK_IFACE_SHAPE}));
  for (const auto& e : exp->entries) {
    if (e.hook == FL_HOOK_IFACE_INGRESS) {
      EXPECT_EQ(e.rule.effect.action, FL_ACT_DROP);
      EXPECT_EQ(e.rule.trigger.probability, probability_threshold(0.10));
    }
    if (e.hook == FL_HOOK_IFACE_SHAPE) {
      EXPECT_EQ(e.rule.effect.action, FL_ACT_SHAPE);
      EXPECT_EQ(net_of(e.rule).effect.delay_ns, 20'000'000u);
      EXPECT_EQ(net_of(e.rule).match.peer.port_min, 443u);
    }
  }
  release_ids(*exp, ids);
  // What an interface cannot keep state for is refused with the reason; file faults need a cgroup.
  auto ge = compile(parse("    - name: b\n      network: {loss: {model: gilbert-elliott, p: 1%, r: 30%}}\n"),
                    {dev}, all_caps(), ids, kNow);
  ASSERT_FALSE(ge);
  EXPECT_EQ(ge.error().message,
            "p.yaml:9:7: fault 'b': no backend can inject it here (net.iface: bursty (Gilbert-Elliott) loss "
            "keeps its state per cgroup target; on an interface use independent loss (loss: N%))");
  auto file =
      compile(parse("    - name: f\n      file: {path: /d/, errno: EIO}\n"), {dev}, all_caps(), ids, kNow);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message,
            "p.yaml:9:7: fault 'f': file faults cannot target a network interface; target a cgroup");
  EXPECT_EQ(ids.in_use(), 0u);
}

TEST(Compiler, CorruptChecksumChoice) {
  RuleIdAllocator ids;
  auto broken =
      compile(parse("    - name: flip\n      network: {corrupt: {probability: 2%, checksum: broken}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(broken) << broken.error().message;
  EXPECT_EQ(broken->entries[0].rule.effect.action, FL_ACT_CORRUPT);
  EXPECT_EQ(net_of(broken->entries[0].rule).effect.corrupt_flags, FL_CORRUPT_BAD_CSUM);
  EXPECT_EQ(broken->entries[0].rule.trigger.probability, probability_threshold(0.02));
  release_ids(*broken, ids);
  auto valid =
      compile(parse("    - name: flip\n      network: {corrupt: {probability: 2%, checksum: valid}}\n"),
              {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(valid) << valid.error().message;
  EXPECT_EQ(net_of(valid->entries[0].rule).effect.corrupt_flags, 0u);
  release_ids(*valid, ids);
}

TEST(Compiler, CorruptDuplicateGoToTc) {
  RuleIdAllocator ids;
  auto corrupt = compile(parse("    - name: flip\n      network: {corrupt: 1%, duplicate: 2%}\n"), kTargets,
                         all_caps(), ids, kNow);
  ASSERT_TRUE(corrupt) << corrupt.error().message;
  ASSERT_EQ(corrupt->entries.size(), 4u) << "two rules (corrupt, duplicate) on two targets";
  EXPECT_EQ(corrupt->entries[0].hook, FL_HOOK_NET_TC);
  EXPECT_EQ(corrupt->entries[0].backend->name(), "net.tc");
  EXPECT_EQ(corrupt->entries[0].rule.effect.action, FL_ACT_CORRUPT);
  EXPECT_EQ(corrupt->entries[2].rule.effect.action, FL_ACT_DUPLICATE);
  EXPECT_EQ(corrupt->entries[0].rule.trigger.probability, probability_threshold(0.01));
  release_ids(*corrupt, ids);
  EXPECT_EQ(ids.in_use(), 0u);
}

// Syscall and process faults are keyed by the syscall's number on this architecture; filters
// name the argument that carries what they compare.
TEST(Compiler, SyscallAndProcessFaultsKeyedBySyscallNumber) {
  RuleIdAllocator ids;
  auto exp = compile(
      parse("    - name: crash\n      process: {signal: SIGSEGV, on: {syscall: getppid}}\n"
            "      trigger: {after: 4, times: 1}\n"
            "    - name: sync\n      syscall: {name: [fsync, fdatasync], errno: {EIO: 50%, EROFS: 50%}}\n"
            "    - name: refuse\n"
            "      syscall: {name: connect, errno: ECONNREFUSED, peer: 192.0.2.0/24, port: 80}\n"
            "    - name: ro\n      syscall: {name: openat, errno: EROFS, flags: [O_WRONLY, O_CREAT]}\n"
            "    - name: data\n      syscall: {name: [unlink, renameat2], errno: EROFS, path: /data}\n"),
      {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  const auto arch = policy::native_arch();
  auto nr = [&](const char* name) {
    return static_cast<std::uint32_t>(policy::find_syscall(name, arch)->number);
  };
  ASSERT_EQ(exp->entries.size(), 7u) << "one rule per syscall named";
  const auto& sig = exp->entries[0];
  EXPECT_EQ(sig.backend->name(), "process.signal");
  EXPECT_EQ(sig.hook, FL_HOOK_PROCESS);
  EXPECT_EQ(sig.sub, nr("getppid"));
  EXPECT_EQ(sig.rule.effect.action, FL_ACT_SIGNAL);
  EXPECT_EQ(sig.rule.effect.action, FL_ACT_SIGNAL);
  ASSERT_EQ(sig.rule.effect.nerr, 1u) << "the signal is the effect's one value";
  EXPECT_EQ(sig.rule.effect.errs[0].err, SIGSEGV);
  EXPECT_EQ(sig.rule.effect.errs[0].threshold, FL_PROB_ALWAYS);
  EXPECT_EQ(sig.rule.trigger.after, 4u);
  EXPECT_EQ(sig.rule.trigger.times, 1u);
  EXPECT_EQ(exp->entries[1].backend->name(), "syscall.kprobe");
  EXPECT_EQ(exp->entries[1].hook, FL_HOOK_SYSCALL);
  EXPECT_EQ(exp->entries[1].sub, nr("fsync"));
  EXPECT_EQ(exp->entries[2].sub, nr("fdatasync"));
  EXPECT_EQ(exp->entries[1].rule.effect.nerr, 2u);
  EXPECT_NE(exp->entries[1].rule.rule_id, exp->entries[2].rule.rule_id) << "triggers count per syscall";
  const fl_sys_match conn = sys_of(exp->entries[3].rule);
  EXPECT_EQ(conn.addr_kind, FL_SYS_ADDR_SOCKADDR);
  EXPECT_EQ(conn.addr_arg, 1);
  EXPECT_EQ(conn.addr_len_arg, 2);
  EXPECT_EQ(conn.peer.family, FL_FAMILY_IPV4);
  EXPECT_EQ(conn.peer.prefix, 24);
  EXPECT_EQ(conn.peer.port_min, 80);
  EXPECT_EQ(conn.peer.addr[0], htonl(0xc0000200u));
  EXPECT_EQ(conn.flags_arg, 0);
  const fl_sys_match ro = sys_of(exp->entries[4].rule);
  EXPECT_EQ(ro.flags_arg, 3) << "openat's flags are its third argument";
  EXPECT_EQ(ro.accmodes, 1u << O_WRONLY);
  EXPECT_EQ(ro.flag_bits, static_cast<std::uint32_t>(O_CREAT));
  EXPECT_EQ(ro.addr_kind, FL_SYS_ADDR_NONE);
  EXPECT_EQ(ro.path_arg, 0) << "no path filter";
  const fl_sys_match unl = sys_of(exp->entries[5].rule);
  EXPECT_EQ(unl.path_arg, 1) << "unlink's path is its first argument";
  EXPECT_EQ(unl.path_len, 5);
  EXPECT_STREQ(unl.path, "/data");
  EXPECT_EQ(sys_of(exp->entries[6].rule).path_arg, 2) << "renameat2(olddirfd, oldpath, ...): the source";
  release_ids(*exp, ids);
}

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

// A freeze is a setting with a window (process.freeze), a signal a rule (process.signal): each
// backend refuses the other's fault, so the registry picks by what the fault says. The window
// runs from the start offset for the freeze's duration, clipped to the experiment.
TEST(Compiler, FreezeIsAWindowedSettingOfItsOwnBackend) {
  RuleIdAllocator ids;
  auto exp = compile(parse("    - name: pause\n      process: {freeze: 3s}\n      trigger: {start: 2s}\n"
                           "    - name: long\n      process: {freeze: 1h}\n"
                           "    - name: crash\n      process: {signal: SIGKILL, on: {syscall: getppid}}\n"),
                     {kTargets[0]}, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  ASSERT_EQ(exp->entries.size(), 1u) << "only the signal is a rule";
  EXPECT_EQ(exp->entries[0].backend->name(), "process.signal");
  ASSERT_EQ(exp->changes.size(), 2u);
  const auto& pause = exp->changes[0];
  EXPECT_EQ(pause.backend->name(), "process.freeze");
  EXPECT_EQ(pause.target.path, "/sys/fs/cgroup/a");
  EXPECT_EQ(pause.settings, (std::vector<Setting>{{"cgroup.freeze", "1", "", 2'000'000'000, 5'000'000'000}}));
  EXPECT_EQ(pause.begin_ns, kNow + 2'000'000'000);
  EXPECT_EQ(pause.end_ns, kNow + 5'000'000'000);
  EXPECT_EQ(exp->changes[1].begin_ns, kNow);
  EXPECT_EQ(exp->changes[1].end_ns, 0u) << "clipped to the experiment's 10 s: it ends with it";
  release_ids(*exp, ids);

  auto off = compile(parse("    - name: pause\n      process: {freeze: 3s}\n"), kTargets,
                     registry({"process.freeze"}), ids, kNow);
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().message,
            "p.yaml:9:7: fault 'pause': no backend can inject it here (process.freeze: this kernel cannot "
            "run it: no BPF-LSM)")
      << "the reason that says what to change on this host, not that process.signal only signals";
}

TEST(Compiler, NestedTargetsOfOneExperimentGetTheRuleOnce) {
  RuleIdAllocator ids;
  const std::vector<Target> nested = {{"/sys/fs/cgroup/a", 111, 1},
                                      {"/sys/fs/cgroup/a/b", 112, 2},
                                      {"/sys/fs/cgroup/a/b/c", 113, 3},
                                      {"/sys/fs/cgroup/ab", 114, 1}};
  auto exp = compile(parse("    - name: l\n      network: {loss: 50%}\n"), nested, all_caps(), ids, kNow);
  ASSERT_TRUE(exp) << exp.error().message;
  EXPECT_EQ(exp->targets.size(), 4u) << "every selected target is reported";
  std::vector<std::string> ruled;
  for (const auto& e : exp->entries)
    ruled.push_back(e.target.path);
  // a/b and a/b/c are inside a: a rule there too would drop twice. "ab" only shares bytes.
  EXPECT_EQ(ruled, (std::vector<std::string>{"/sys/fs/cgroup/a", "/sys/fs/cgroup/ab"}));
}

TEST(Compiler, MergeCombinesExperimentsAndRejectsOverflow) {
  RuleIdAllocator ids;
  auto a =
      compile(parse("    - name: l1\n      network: {loss: 10%}\n"), {kTargets[0]}, all_caps(), ids, kNow);
  auto b = compile(parse("    - name: l2\n      network: {loss: 20%, port: 53}\n"), {kTargets[0]}, all_caps(),
                   ids, kNow);
  ASSERT_TRUE(a && b);
  auto merged = merge({&*a, &*b});
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->rule_count(), 2u);
  EXPECT_EQ(merged->sets().at({111, FL_HOOK_NET_EGRESS, 0}).count, 2u);
  std::vector<CompiledExperiment> many;
  many.reserve(FL_RULES_PER_SET);
  for (int i = 0; i < FL_RULES_PER_SET; ++i)
    many.push_back(
        *compile(parse("    - name: l\n      network: {loss: 1%}\n"), {kTargets[0]}, all_caps(), ids, kNow));
  std::vector<const CompiledExperiment*> ptrs{&*a};
  for (auto& m : many)
    ptrs.push_back(&m);
  auto over = merge(ptrs);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, E2BIG);
}

TEST(Selection, CountAndPercentPickDistinctTargets) {
  std::mt19937_64 rng(42);
  std::vector<Target> t;
  for (std::uint64_t i = 1; i <= 10; ++i)
    t.push_back({"/x" + std::to_string(i), i, 1});
  auto all = select_targets(t, {policy::Selection::Mode::all, 0}, rng);
  EXPECT_EQ(all->size(), 10u);
  auto three = select_targets(t, {policy::Selection::Mode::count, 3}, rng);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->size(), 3u);
  EXPECT_NE((*three)[0].cgroup_id, (*three)[1].cgroup_id);
  auto quarter = select_targets(t, {policy::Selection::Mode::percent, 25}, rng);
  EXPECT_EQ(quarter->size(), 3u); // ceil(2.5)
  auto too_many = select_targets(t, {policy::Selection::Mode::count, 11}, rng);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().message, "selection asks for 11 targets but only 10 matched");
  auto dup = select_targets({t[0], t[0]}, {policy::Selection::Mode::all, 0}, rng);
  EXPECT_EQ(dup->size(), 1u);
}

TEST(RuleIds, ExhaustionIsAnErrorAndIdsComeBack) {
  RuleIdAllocator ids;
  for (int i = 0; i < FL_MAX_RULES; ++i)
    ASSERT_TRUE(ids.take());
  auto none = ids.take();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ENOSPC);
  ids.give_back(17);
  EXPECT_EQ(*ids.take(), 17u);
}

} // namespace
} // namespace faultline::engine
