#include "faults/resource/section.hpp"

#include <any>

#include "faults/resource/resource_spec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <regex>

#include "policy/units.hpp"

namespace faultline::faults {

using policy::Field;
namespace {

// cpu: 20% (of one CPU, per 100 ms period; 150% = one and a half CPUs) or
// cpu: {quota: 20ms, period: 100ms}. The kernel's bounds: quota >= 1 ms, period 1 ms..1 s. That
// the quota is within the host's CPUs is checked at apply (the parser knows no host).
CpuMax parse_cpu(const Field& f) {
  CpuMax c;
  if (!f.is_map()) {
    const std::string s = f.str();
    const auto share = policy::parse_percent(s);
    if (!share)
      f.fail(fmt::format("'{}' is not a share of one CPU; write e.g. 20% (150% = one and a half CPUs), or "
                         "{{quota: 20ms, period: 100ms}}",
                         s));
    if (*share < 0.01)
      f.fail(fmt::format("'{}' is below 1%: cpu.max's smallest quota is 1 ms per 100 ms", s));
    if (*share > 1000.0) f.fail(fmt::format("'{}' is more than 1000 CPUs: it would limit nothing", s));
    c.quota_us = static_cast<std::uint64_t>(std::llround(*share * static_cast<double>(c.period_us)));
    return c;
  }
  f.expect_keys({"quota", "period"});
  auto micros = [](const Field& d) {
    const std::uint64_t ns = d.duration_ns();
    if (ns % 1000 != 0) d.fail(fmt::format("'{}': cpu.max counts whole microseconds", d.str()));
    return ns / 1000;
  };
  if (auto p = f.find("period")) {
    c.period_us = micros(*p);
    if (c.period_us < 1000 || c.period_us > 1000000)
      p->fail(fmt::format("'{}' is out of range; the kernel takes a period of 1ms..1s", p->str()));
  }
  const Field quota = f.get("quota");
  c.quota_us = micros(quota);
  if (c.quota_us < 1000) quota.fail(fmt::format("'{}' is below cpu.max's smallest quota, 1ms", quota.str()));
  if (c.quota_us > 1000 * c.period_us)
    quota.fail(fmt::format("'{}' is more than 1000 CPUs per period: it would limit nothing", quota.str()));
  return c;
}

// memory: {high: 64Mi}. Below 1 MiB nothing runs (a unit typo, 64 for 64Mi, would stall the target
// at once), so that is refused.
std::uint64_t parse_memory(const Field& f) {
  if (!f.is_map())
    f.fail(fmt::format("write memory: {{high: {}}}: memory.high, above which the kernel throttles the target "
                       "and reclaims its memory",
                       f.str()));
  f.expect_keys({"high"});
  const Field high = f.get("high");
  const std::uint64_t bytes = high.size_bytes();
  if (bytes < (1u << 20)) {
    const std::string s = high.str();
    const bool bare = s.find_first_not_of("0123456789") == std::string::npos;
    high.fail(fmt::format("'{}' is below 1Mi, too little for any process to run{}", s,
                          bare ? fmt::format(" (a bare number is bytes: did you mean {}Mi?)", s) : ""));
  }
  return bytes;
}

// io: {device: 8:0 | /dev/vda, rbps: 1Mi, wbps: 1Mi, riops: 100, wiops: 100}. Byte rates are sizes
// per second, at least 4Ki (one page); a limit left out keeps its current value.
IoMax parse_io(const Field& f) {
  f.expect_keys({"device", "rbps", "wbps", "riops", "wiops"});
  IoMax io;
  const Field device = f.get("device");
  io.device = device.str();
  static const std::regex kDevNum("^[0-9]{1,9}:[0-9]{1,9}$");
  if (!std::regex_match(io.device, kDevNum) && (io.device.empty() || io.device.front() != '/'))
    device.fail(
        fmt::format("'{}' is not a block device: write MAJOR:MINOR (8:0) or its path (/dev/sda)", io.device));
  auto bps = [](const Field& b) {
    const std::uint64_t v = b.size_bytes();
    if (v < 4096)
      b.fail(fmt::format("'{}' bytes per second is below 4Ki: a single page would wait a second", b.str()));
    return v;
  };
  auto iops = [](const Field& i) {
    const std::uint64_t v = i.uint(UINT32_MAX - 1);
    if (v == 0) i.fail("must be at least 1");
    return v;
  };
  if (auto b = f.find("rbps")) io.rbps = bps(*b);
  if (auto b = f.find("wbps")) io.wbps = bps(*b);
  if (auto i = f.find("riops")) io.riops = iops(*i);
  if (auto i = f.find("wiops")) io.wiops = iops(*i);
  if (!io.rbps && !io.wbps && !io.riops && !io.wiops)
    f.fail("no limit given; set rbps, wbps, riops or wiops");
  return io;
}

} // namespace

namespace {

ResourceFault parse_resource(const Field& f) {
  f.expect_keys({"cpu", "memory", "io"});
  ResourceFault r;
  if (auto c = f.find("cpu")) r.cpu = parse_cpu(*c);
  if (auto m = f.find("memory")) r.memory_high = parse_memory(*m);
  if (auto i = f.find("io")) r.io = parse_io(*i);
  if (!r.cpu && !r.memory_high && !r.io) f.fail("no effect given; set cpu, memory or io");
  return r;
}

class ResourceSection final : public policy::FaultSection {
public:
  std::string_view key() const override { return "resource"; }
  std::any parse(const Field& block) const override { return parse_resource(block); }
  void check_trigger(const std::any&, const Field& trigger) const override {
    trigger.fail("resource faults take no trigger");
  }
};

} // namespace

const policy::FaultSection& resource_section() {
  static const ResourceSection kSection;
  return kSection;
}

} // namespace faultline::faults
