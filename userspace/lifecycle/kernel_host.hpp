// The real Host: feature probes, cgroup resolution and the loaded BPF programs.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backends/kernel_backend.hpp"
#include "kernel/fault_programs.hpp"
#include "kernel/features.hpp"
#include "kernel/targets.hpp"
#include "lifecycle/host.hpp"
#include "policy/policy.hpp"

namespace faultline::lifecycle {

class KernelHost final : public Host {
public:
  // Probes the kernel and creates the maps (disarmed, empty table). With `only_for` (faultline
  // exec) the programs those faults need are loaded now, of the backends they choose on a
  // cgroup; without (faultlined) each backend's programs load when a fault first attaches
  // through it, so a daemon starts in a fraction of the time and verifies only what it runs.
  static Result<std::unique_ptr<KernelHost>> create(const std::vector<policy::Fault>* only_for = nullptr);

  const engine::BackendRegistry& backends() override { return backends_; }
  Result<std::vector<engine::Target>> resolve(const policy::TargetSpec& target) override;
  Result<TargetFacts> inspect(const engine::Target& target) override;
  Result<std::unique_ptr<Attachment>> attach(const engine::Backend& backend, const engine::Target& target,
                                             fl_hook hook, std::uint32_t sub) override;
  Result<std::unique_ptr<Attachment>> change(const engine::TargetChange& change, const std::string& holder,
                                             bool dry_run) override;
  Status apply(const engine::CompiledRules& rules) override { return programs_.apply(rules); }
  Status disarm() override { return programs_.disarm(); }
  Result<fl_rule_stats> rule_stats(std::uint32_t rule_id) override { return programs_.rule_stats(rule_id); }
  std::uint64_t now_ns() override;

  // The programs' global counters (include/faultline/abi.h fl_global_stat), summed over CPUs.
  Result<std::uint64_t> global_stat(fl_global_stat which) const { return programs_.global_stat(which); }
  kernel::Features& features() { return *features_; }
  const kernel::CgroupFs& cgroups() const { return cgroups_; }

private:
  KernelHost(std::unique_ptr<kernel::Features> features, const kernel::CgroupFs& cgroups,
             kernel::FaultPrograms programs, engine::BackendRegistry backends, bool lazy)
      : features_(std::move(features)), cgroups_(cgroups), resolver_(cgroups), programs_(std::move(programs)),
        backends_(std::move(backends)), lazy_(lazy) {}
  // Loads `backend`'s programs on its first use (lazy hosts). When the kernel refuses one that
  // is not optional, the backend is marked unavailable with the reason and the error says
  // kBackendsChanged: the caller compiles again and the next backend takes the faults.
  Status ensure_loaded(const backends::KernelBackend& backend);

  std::unique_ptr<kernel::Features> features_;
  kernel::CgroupFs cgroups_;
  kernel::TargetResolver resolver_;
  kernel::FaultPrograms programs_;
  engine::BackendRegistry backends_;
  bool lazy_ = false;
  std::set<std::string> loaded_;               // backends whose programs are loaded (lazy)
  std::set<std::string> dropped_;              // optional programs the kernel refused
  std::map<std::string, std::string> refused_; // backends whose programs it refused: why
};

} // namespace faultline::lifecycle
