// The real Host: feature probes, cgroup resolution and the loaded BPF programs.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "faults/kernel_backend.hpp"
#include "kernel/fault_programs.hpp"
#include "kernel/features.hpp"
#include "kernel/retransmit_counter.hpp"
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

  // A snapshot: a refusal publishes a new registry and leaves this one to compiles in flight.
  const engine::BackendRegistry& backends() override { return *current_.load(); }
  std::uint64_t backends_generation() const override { return registries_size_.load(); }
  void prepare(const policy::Policy& policy) override;
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
  Result<std::uint64_t> tcp_retransmits(const engine::Target& target) override;

  // The programs' global counters (include/faultline/abi.h fl_global_stat), summed over CPUs.
  Result<std::uint64_t> global_stat(fl_global_stat which) const { return programs_.global_stat(which); }
  int events_map_fd() const { return programs_.events_map_fd(); }
  kernel::Features& features() { return *features_; }
  const kernel::CgroupFs& cgroups() const { return cgroups_; }

private:
  KernelHost(std::unique_ptr<kernel::Features> features, const kernel::CgroupFs& cgroups,
             kernel::FaultPrograms programs, engine::BackendRegistry backends, bool lazy)
      : features_(std::move(features)), cgroups_(cgroups), resolver_(cgroups), programs_(std::move(programs)),
        lazy_(lazy) {
    publish(std::move(backends));
  }
  // Loads `backend`'s programs on its first use (lazy hosts). When the kernel refuses one that
  // is not optional, the backend is offered no more (a new registry, with the reason) and the
  // error says so; the controller then compiles again and the next backend takes the faults.
  Status ensure_loaded(const faults::KernelBackend& backend);
  void publish(engine::BackendRegistry registry); // under load_mu_ (or from the constructor)

  std::unique_ptr<kernel::Features> features_;
  kernel::CgroupFs cgroups_;
  kernel::TargetResolver resolver_;
  kernel::FaultPrograms programs_;
  bool lazy_ = false;
  // prepare() runs outside the controller's lock, attach() under it: loading is serialised here.
  std::mutex load_mu_;
  std::set<std::string> loaded_;               // backends whose programs are loaded (lazy)
  std::set<std::string> dropped_;              // optional programs the kernel refused
  std::map<std::string, std::string> refused_; // backends whose programs it refused: why
  // Every registry published, kept for the life of the host (one more per refused backend, a
  // handful at most): a compile holds a reference to the one it started with.
  std::vector<std::unique_ptr<engine::BackendRegistry>> registries_;
  std::atomic<const engine::BackendRegistry*> current_{nullptr};
  std::atomic<std::uint64_t> registries_size_{0};
  // Loaded by the first policy with a tcpRetransmits condition (prepare), kept after.
  std::mutex retransmits_mu_;
  std::optional<kernel::RetransmitCounter> retransmits_;
  std::string retransmits_error_; // why it could not be loaded (prepare tries again)
};

} // namespace faultline::lifecycle
