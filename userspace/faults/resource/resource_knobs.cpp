#include "faults/resource/resource_knobs.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "kernel/cgroup_knobs.hpp"

namespace faultline::faults {
namespace {

class KnobsAttached final : public Attached {
public:
  explicit KnobsAttached(std::unique_ptr<kernel::KnobHold> hold) : hold_(std::move(hold)) {}
  std::vector<std::string> describe() const override { return hold_->describe(); }

private:
  std::unique_ptr<kernel::KnobHold> hold_;
};

// A quota past every CPU of the host limits nothing: refused rather than shown as a fault.
Status check_cpu_quota(const std::string& cpu_max) {
  char* rest = nullptr;
  const std::uint64_t quota = std::strtoull(cpu_max.c_str(), &rest, 10);
  const std::uint64_t period = std::strtoull(rest, nullptr, 10); // "QUOTA PERIOD"
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus > 0 && period > 0 && quota > period * static_cast<std::uint64_t>(cpus))
    return make_error(
        EINVAL,
        "cpu: a quota of {} us per {} us period is {:.0f}% of one CPU, more than this host's {} "
        "CPU(s): it would limit nothing",
        quota, period, 100.0 * static_cast<double>(quota) / static_cast<double>(period), cpus);
  return {};
}

class ResourceCgroup final : public KernelBackend {
public:
  std::string_view name() const override { return "resource.cgroup"; }
  std::string_view family() const override { return "resource"; }
  std::string_view summary() const override {
    return "cpu.max, memory.high and io.max written on the target cgroup; old values journaled "
           "(knobs.log) and put back exactly on stop, deadline or the next start";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {}; }
  std::optional<std::string> cannot_express(const policy::Fault&) const override { return std::nullopt; }
  std::vector<engine::HookRule> compile(const policy::Fault&, const engine::BuildContext&) const override {
    return {}; // no BPF: the knobs are the fault
  }

  std::vector<engine::Setting> settings(const policy::Fault& fault) const override {
    const auto& r = policy::spec_of<ResourceFault>(fault);
    std::vector<engine::Setting> out;
    if (r.cpu) out.push_back({"cpu.max", fmt::format("{} {}", r.cpu->quota_us, r.cpu->period_us), ""});
    if (r.memory_high) out.push_back({"memory.high", std::to_string(*r.memory_high), ""});
    if (r.io) {
      std::string limits;
      auto add = [&](const char* key, const std::optional<std::uint64_t>& v) {
        if (v) limits += fmt::format("{}{}={}", limits.empty() ? "" : " ", key, *v);
      };
      add("rbps", r.io->rbps);
      add("wbps", r.io->wbps);
      add("riops", r.io->riops);
      add("wiops", r.io->wiops);
      out.push_back({"io.max", limits, r.io->device});
    }
    return out;
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::cgroup_controllers);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override { return {}; }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms&, const engine::Target&, fl_hook,
                                           std::uint32_t /*sub*/) const override {
    return make_error(EOPNOTSUPP, "resource.cgroup attaches no program");
  }

  Result<std::unique_ptr<Attached>> change(const engine::Target& target,
                                           const std::vector<engine::Setting>& settings,
                                           const std::string& holder, bool dry_run) const override {
    std::vector<kernel::KnobWrite> writes;
    for (const auto& s : settings) {
      if (s.knob == "cpu.max")
        if (auto st = check_cpu_quota(s.value); !st) return st.error();
      std::string device;
      if (!s.device.empty()) {
        auto number = block_device_number(s.device);
        if (!number) return number.error();
        device = *number;
      }
      writes.push_back({s.knob, s.value, device});
    }
    auto hold = kernel::hold_knobs(kernel::knob_ledger_path(), target.path, writes, holder, dry_run);
    if (!hold) return hold.error();
    return std::unique_ptr<Attached>(std::make_unique<KnobsAttached>(std::move(*hold)));
  }

  Result<std::vector<std::string>> recover() const override {
    return kernel::recover_knobs(kernel::knob_ledger_path());
  }
};

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

} // namespace

const KernelBackend& resource_cgroup() {
  static const ResourceCgroup kBackend;
  return kBackend;
}

Result<std::string> block_device_number(const std::string& device, const std::string& sysfs) {
  static const std::regex kDevNum("^[0-9]+:[0-9]+$");
  std::string number = device;
  if (!std::regex_match(device, kDevNum)) {
    struct stat st {};
    if (::stat(device.c_str(), &st) != 0) return make_error(errno, "io: no block device {}", device);
    if (!S_ISBLK(st.st_mode)) return make_error(ENOTBLK, "io: {} is not a block device", device);
    number = fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
  }
  const std::string dir = sysfs + "/dev/block/" + number;
  if (::access(dir.c_str(), F_OK) != 0)
    return make_error(ENODEV, "io: this host has no block device {}{}", number,
                      number == device ? "" : " (" + device + ")");
  if (::access((dir + "/partition").c_str(), F_OK) == 0) {
    // The disk is the partition's parent directory in sysfs.
    const std::string disk = first_line(dir + "/../dev");
    return make_error(EINVAL, "io: {} is a partition; io.max limits whole disks{}", device,
                      disk.empty() ? "" : ": name its disk, " + disk);
  }
  return number;
}

} // namespace faultline::faults
