#include "faults/resource/resource_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

TEST(PolicyParser, ResourceKnobs) {
  auto p = parse_policy(
      with_faults(
          "    - name: squeeze\n"
          "      resource: {cpu: 20%, memory: {high: 64Mi}, io: {device: /dev/vda, rbps: 1Mi, wiops: 100}}\n"
          "    - name: explicit\n"
          "      resource: {cpu: {quota: 5ms, period: 50ms}, io: {device: \"8:16\", wbps: 4Ki, riops: 1}}\n"
          "    - name: two-cpus\n"
          "      resource: {cpu: 150%}\n"
          "    - name: smallest\n"
          "      resource: {cpu: 1%, memory: {high: 1Mi}}\n"),
      "r.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& squeeze = spec_of<faults::ResourceFault>(p->faults[0]);
  ASSERT_TRUE(squeeze.cpu);
  EXPECT_EQ(squeeze.cpu->quota_us, 20000u) << "20% of one CPU per 100 ms period";
  EXPECT_EQ(squeeze.cpu->period_us, 100000u);
  EXPECT_EQ(*squeeze.memory_high, 64u << 20);
  ASSERT_TRUE(squeeze.io);
  EXPECT_EQ(squeeze.io->device, "/dev/vda");
  EXPECT_EQ(*squeeze.io->rbps, 1u << 20);
  EXPECT_FALSE(squeeze.io->wbps) << "a limit left out keeps its current value";
  EXPECT_FALSE(squeeze.io->riops);
  EXPECT_EQ(*squeeze.io->wiops, 100u);
  const auto& exp = spec_of<faults::ResourceFault>(p->faults[1]);
  EXPECT_EQ(exp.cpu->quota_us, 5000u);
  EXPECT_EQ(exp.cpu->period_us, 50000u);
  EXPECT_FALSE(exp.memory_high);
  EXPECT_EQ(exp.io->device, "8:16");
  EXPECT_EQ(*exp.io->wbps, 4096u);
  EXPECT_EQ(*exp.io->riops, 1u);
  EXPECT_EQ(spec_of<faults::ResourceFault>(p->faults[2]).cpu->quota_us, 150000u) << "more than one CPU";
  const auto& smallest = spec_of<faults::ResourceFault>(p->faults[3]);
  EXPECT_EQ(smallest.cpu->quota_us, 1000u) << "1% is the kernel's smallest quota, 1 ms per 100 ms";
  EXPECT_EQ(*smallest.memory_high, 1u << 20);
}

INSTANTIATE_TEST_SUITE_P(
    BadResourceInput, PolicyParserRejects,
    ::testing::Values(
        BadCase{"resource_no_effect", with_faults(kF + "      resource: {}\n"),
                "bad.yaml:11:17: spec.faults[0].resource: no effect given; set cpu, memory or io"},
        BadCase{
            "resource_unknown_key", with_faults(kF + "      resource: {cpus: 20%}\n"),
            "bad.yaml:11:18: spec.faults[0].resource: unknown key 'cpus' (did you mean cpu?); valid keys: "
            "cpu, memory, io"},
        BadCase{"cpu_without_percent", with_faults(kF + "      resource: {cpu: 20}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: '20' is not a share of one CPU; write e.g. 20% "
                "(150% = one and a half CPUs), or {quota: 20ms, period: 100ms}"},
        BadCase{
            "cpu_below_one_percent", with_faults(kF + "      resource: {cpu: 0.5%}\n"),
            "bad.yaml:11:23: spec.faults[0].resource.cpu: '0.5%' is below 1%: cpu.max's smallest quota is "
            "1 ms per 100 ms"},
        BadCase{"cpu_past_any_host", with_faults(kF + "      resource: {cpu: 200000%}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: '200000%' is more than 1000 CPUs: it would "
                "limit nothing"},
        BadCase{"cpu_quota_too_small", with_faults(kF + "      resource: {cpu: {quota: 500us}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.cpu.quota: '500us' is below cpu.max's smallest "
                "quota, 1ms"},
        BadCase{"cpu_quota_sub_microsecond", with_faults(kF + "      resource: {cpu: {quota: 1500500ns}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.cpu.quota: '1500500ns': cpu.max counts whole "
                "microseconds"},
        BadCase{
            "cpu_period_too_long", with_faults(kF + "      resource: {cpu: {quota: 10ms, period: 2s}}\n"),
            "bad.yaml:11:45: spec.faults[0].resource.cpu.period: '2s' is out of range; the kernel takes a "
            "period of 1ms..1s"},
        BadCase{"cpu_without_quota", with_faults(kF + "      resource: {cpu: {period: 10ms}}\n"),
                "bad.yaml:11:23: spec.faults[0].resource.cpu: missing required key 'quota'"},
        BadCase{"memory_bare_size", with_faults(kF + "      resource: {memory: 64Mi}\n"),
                "bad.yaml:11:26: spec.faults[0].resource.memory: write memory: {high: 64Mi}: memory.high, "
                "above which the kernel throttles the target and reclaims its memory"},
        BadCase{"memory_max_not_supported", with_faults(kF + "      resource: {memory: {max: 64Mi}}\n"),
                "bad.yaml:11:27: spec.faults[0].resource.memory: unknown key 'max'; valid keys: high"},
        BadCase{"memory_high_in_bytes", with_faults(kF + "      resource: {memory: {high: 64}}\n"),
                "bad.yaml:11:33: spec.faults[0].resource.memory.high: '64' is below 1Mi, too little for any "
                "process to run (a bare number is bytes: did you mean 64Mi?)"},
        BadCase{"memory_high_tiny", with_faults(kF + "      resource: {memory: {high: 512Ki}}\n"),
                "bad.yaml:11:33: spec.faults[0].resource.memory.high: '512Ki' is below 1Mi, too little for "
                "any process to run"},
        BadCase{"io_without_device", with_faults(kF + "      resource: {io: {rbps: 1Mi}}\n"),
                "bad.yaml:11:22: spec.faults[0].resource.io: missing required key 'device'"},
        BadCase{"io_bad_device", with_faults(kF + "      resource: {io: {device: sda, rbps: 1Mi}}\n"),
                "bad.yaml:11:31: spec.faults[0].resource.io.device: 'sda' is not a block device: write "
                "MAJOR:MINOR (8:0) or its path (/dev/sda)"},
        BadCase{"io_no_limit", with_faults(kF + "      resource: {io: {device: /dev/sda}}\n"),
                "bad.yaml:11:22: spec.faults[0].resource.io: no limit given; set rbps, wbps, riops or wiops"},
        BadCase{"io_rate_as_bits",
                with_faults(kF + "      resource: {io: {device: /dev/sda, wbps: 10mbit}}\n"),
                "bad.yaml:11:47: spec.faults[0].resource.io.wbps: '10mbit' is not a size; write e.g. 256Mi, "
                "1Gi, 500M"},
        BadCase{"io_bps_too_small", with_faults(kF + "      resource: {io: {device: /dev/sda, rbps: 100}}\n"),
                "bad.yaml:11:47: spec.faults[0].resource.io.rbps: '100' bytes per second is below 4Ki: a "
                "single page would wait a second"},
        BadCase{"io_iops_zero", with_faults(kF + "      resource: {io: {device: \"8:0\", riops: 0}}\n"),
                "bad.yaml:11:45: spec.faults[0].resource.io.riops: must be at least 1"},
        BadCase{"resource_with_trigger",
                with_faults(kF + "      resource: {cpu: 50%}\n      trigger: {every: 2}\n"),
                "bad.yaml:12:16: spec.faults[0].trigger: resource faults take no trigger"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
