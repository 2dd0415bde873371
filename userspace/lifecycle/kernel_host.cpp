#include "lifecycle/kernel_host.hpp"

#include <net/if.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <string>

#include "faults/backend_set.hpp"
#include "faults/kernel_backend.hpp"
#include "faults/registry.hpp"
#include "kernel/cgroup_census.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace faultline::lifecycle {
namespace {

// FAULTLINE_TEST_DETACHED=1: everything is loaded and configured but no program is attached.
// Only for showing that the end-to-end tests observe the kernel (they must then fail).
bool detached_for_tests() {
  const char* v = std::getenv("FAULTLINE_TEST_DETACHED");
  return v != nullptr && std::string(v) == "1";
}

class NoAttachment final : public Attachment {};

// What a failed load of programs means for the backends. Only a verifier's refusal (EINVAL,
// EACCES) says the kernel cannot run a program; a transient error (ENOMEM, a memlock limit)
// must not cost a backend for good.
enum class Refusal { other, optional, backend };
Refusal classify_refusal(const Error& error, const std::string& culprit,
                         const std::vector<std::string>& optional, std::set<std::string>& dropped) {
  const bool verifier = error.code == EINVAL || error.code == EACCES;
  if (!verifier || culprit.empty()) return Refusal::other;
  if (std::find(optional.begin(), optional.end(), culprit) != optional.end()) {
    if (!dropped.insert(culprit).second) return Refusal::other; // refused again: give up
    log::warn("this kernel refused the optional program {} ({}); going on without it", culprit,
              error.describe());
    return Refusal::optional;
  }
  return Refusal::backend;
}

std::string refusal_reason(const faults::KernelBackend& b, const std::string& culprit, const Error& error) {
  log::warn("{}: this kernel refused its program {} ({}); going on without {}", b.name(), culprit,
            error.describe(), b.name());
  return fmt::format("this kernel refused its program {}: {}", culprit, error.describe());
}

class BackendAttachment final : public Attachment {
public:
  explicit BackendAttachment(std::unique_ptr<faults::Attached> held) : held_(std::move(held)) {}
  std::vector<std::string> describe() const override { return held_->describe(); }
  void refresh() override { held_->refresh(); }

private:
  std::unique_ptr<faults::Attached> held_;
};

} // namespace

Result<std::unique_ptr<KernelHost>> KernelHost::create(const std::vector<policy::Fault>* only_for) {
  auto features = std::make_unique<kernel::Features>(std::make_unique<kernel::KernelFeatureProbe>());
  auto cgroups = kernel::CgroupFs::discover();
  if (!cgroups) return cgroups.error();
  // What a killed predecessor left in place goes back before anything new is set up.
  for (const auto* b : faults::all_backends()) {
    auto restored = b->recover();
    if (!restored)
      log::warn("{}: recovery failed: {}", b->name(), restored.error().describe());
    else
      for (const auto& line : *restored)
        log::info("{}: restored {}", b->name(), line);
  }
  for (const auto* family : faults::families())
    if (auto st = family->after_recovery(); !st) log::warn("{}: {}", family->name(), st.error().describe());
  if (only_for == nullptr) {
    // faultlined: the maps now, each backend's programs at its first use (ensure_loaded).
    kernel::LoadOptions maps_only;
    maps_only.programs.clear();
    auto programs = kernel::FaultPrograms::load(maps_only);
    if (!programs) return programs.error();
    auto backends = faults::probe_backends(*features); // before features moves below
    return std::unique_ptr<KernelHost>(
        new KernelHost(std::move(features), *cgroups, std::move(*programs), std::move(backends), true));
  }
  // A program this kernel refuses although its probe passed costs its backend, not faultline:
  // the backend is marked unavailable with the reason and the rest load without it (each
  // round drops one backend, so this ends).
  // An optional program the kernel refuses costs only itself: its faults are refused at attach.
  std::map<std::string, std::string> refused;
  std::set<std::string> dropped;
  while (true) {
    auto backends = faults::probe_backends_for(*features, refused, *only_for);
    kernel::LoadOptions load;
    for (auto& p : faults::programs_to_load(backends, only_for))
      if (!dropped.count(p)) load.programs.push_back(std::move(p));
    load.optional = faults::optional_programs_to_load(backends);
    std::string culprit;
    auto programs = kernel::FaultPrograms::load(load, &culprit);
    if (programs)
      return std::unique_ptr<KernelHost>(
          new KernelHost(std::move(features), *cgroups, std::move(*programs), std::move(backends), false));
    const auto refusal = classify_refusal(programs.error(), culprit, load.optional, dropped);
    if (refusal == Refusal::optional) continue;
    const auto* b = refusal == Refusal::backend ? faults::backend_loading(backends, culprit) : nullptr;
    if (b == nullptr || refused.count(std::string(b->name()))) return programs.error();
    refused[std::string(b->name())] = refusal_reason(*b, culprit, programs.error());
  }
}

void KernelHost::publish(engine::BackendRegistry registry) {
  registries_.push_back(std::make_unique<engine::BackendRegistry>(std::move(registry)));
  current_.store(registries_.back().get());
  registries_size_.store(registries_.size());
}

Result<std::uint64_t> KernelHost::tcp_retransmits(const engine::Target& target) {
  // Read only: the program is loaded by prepare(), outside the controller's lock (this runs
  // under it, every check).
  std::lock_guard lock(retransmits_mu_);
  if (!retransmits_)
    return make_error(EOPNOTSUPP, "the TCP retransmit counter is not loaded{}",
                      retransmits_error_.empty() ? "" : ": " + retransmits_error_);
  return retransmits_->count(target.cgroup_id);
}

void KernelHost::prepare(const policy::Policy& policy) {
  // A tcpRetransmits condition's program is loaded now, outside the controller's lock (its
  // first check comes right after the start). A failure is the check's to report.
  for (const auto& c : policy.stop_conditions)
    if (const auto* counter = std::get_if<policy::CounterCheck>(&c.check);
        counter != nullptr && counter->metric == policy::CounterCheck::Metric::tcp_retransmits) {
      std::lock_guard lock(retransmits_mu_);
      if (!retransmits_) {
        auto loaded = kernel::RetransmitCounter::start();
        if (loaded)
          retransmits_.emplace(std::move(*loaded));
        else
          retransmits_error_ = loaded.error().message;
      }
    }
  if (!lazy_) return;
  // The backend each fault compiles to, for each kind of target the policy names; a refusal
  // publishes a new registry, so choose again (each round drops a backend, so this ends).
  bool interfaces = false;
  bool cgroups = false;
  for (const auto& t : policy.targets)
    (t.kind == policy::TargetSpec::Kind::interface ? interfaces : cgroups) = true;
  for (std::size_t round = 0; round <= faults::all_backends().size(); ++round) {
    const std::uint64_t generation = backends_generation();
    const auto& registry = backends();
    for (const auto& fault : policy.faults)
      for (const auto kind : {engine::TargetKind::cgroup, engine::TargetKind::interface}) {
        if (!(kind == engine::TargetKind::interface ? interfaces : cgroups)) continue;
        auto chosen = registry.choose(fault, kind);
        const auto* kb = chosen ? faults::find_backend((*chosen)->name()) : nullptr;
        if (kb != nullptr) (void)ensure_loaded(*kb); // a failure is attach's to report
      }
    if (backends_generation() == generation) return;
  }
}

Status KernelHost::ensure_loaded(const faults::KernelBackend& backend) {
  std::lock_guard lock(load_mu_);
  const std::string name(backend.name());
  if (!lazy_ || loaded_.count(name)) return {};
  if (auto why = refused_.find(name); why != refused_.end())
    return make_error(EOPNOTSUPP, "{}: {}", name, why->second);
  kernel::LoadOptions load;
  load.optional = backend.optional_programs();
  while (true) {
    load.programs.clear();
    for (auto& p : backend.programs())
      if (!dropped_.count(p)) load.programs.push_back(std::move(p));
    std::string culprit;
    auto loaded = programs_.load_more(load, &culprit);
    if (loaded) {
      loaded_.insert(name);
      log::info("{}: loaded its {} program(s) on first use", name, load.programs.size());
      return {};
    }
    const auto refusal = classify_refusal(loaded.error(), culprit, load.optional, dropped_);
    if (refusal == Refusal::optional) continue;
    // A transient error, or one libbpf pinned on no program of this backend: this fault fails,
    // and the next one tries again.
    const auto programs = backend.programs();
    if (refusal != Refusal::backend || std::find(programs.begin(), programs.end(), culprit) == programs.end())
      return loaded.error();
    refused_[name] = refusal_reason(backend, culprit, loaded.error());
    publish(faults::probe_backends(*features_, refused_));
    return make_error(loaded.error().code, "{}: this kernel refused its program {}", name, culprit);
  }
}

Result<std::vector<engine::Target>> KernelHost::resolve(const policy::TargetSpec& target) {
  if (target.kind == policy::TargetSpec::Kind::interface) {
    const unsigned ifindex = ::if_nametoindex(target.value.c_str());
    if (ifindex == 0)
      return make_error(ENODEV, "no network device '{}' in faultlined's network namespace", target.value);
    engine::Target t{"interface:" + target.value, FL_IFACE_TARGET_BIT | ifindex, 0, target.location, {}};
    t.ifindex = ifindex;
    return std::vector<engine::Target>{t};
  }
  auto found = resolver_.resolve(target);
  if (!found) return found.error();
  std::vector<engine::Target> out;
  for (const auto& c : *found)
    out.push_back({c.path, c.id, c.level, target.location, {}});
  return out;
}

Result<TargetFacts> KernelHost::inspect(const engine::Target& target) {
  TargetFacts facts;
  facts.root = target.path == cgroups_.mount_point();
  if (facts.root) return facts; // everything is in it; no need to count
  auto census = kernel::take_census(cgroups_, target.path);
  if (!census) return census.error();
  facts.holds_init = census->holds_init;
  facts.holds_self = census->holds_self;
  facts.kernel_thread = census->kernel_thread;
  return facts;
}

Result<std::unique_ptr<Attachment>> KernelHost::attach(const engine::Backend& backend,
                                                       const engine::Target& target, fl_hook hook,
                                                       std::uint32_t sub) {
  if (detached_for_tests()) {
    log::warn("FAULTLINE_TEST_DETACHED=1: not attaching hook {} (tests must fail)", static_cast<int>(hook));
    return std::unique_ptr<Attachment>(std::make_unique<NoAttachment>());
  }
  const auto* kb = faults::find_backend(backend.name());
  if (kb == nullptr) return make_error(EINVAL, "no kernel side for backend {}", backend.name());
  if (auto st = ensure_loaded(*kb); !st) return st.error();
  auto held = kb->attach(programs_, target, hook, sub);
  if (!held) return held.error();
  return std::unique_ptr<Attachment>(std::make_unique<BackendAttachment>(std::move(*held)));
}

Result<std::unique_ptr<Attachment>> KernelHost::change(const engine::TargetChange& change,
                                                       const std::string& holder, bool dry_run) {
  if (detached_for_tests()) {
    log::warn("FAULTLINE_TEST_DETACHED=1: not changing {} (tests must fail)", change.target.path);
    return std::unique_ptr<Attachment>(std::make_unique<NoAttachment>());
  }
  const auto* kb = faults::find_backend(change.backend->name());
  if (kb == nullptr) return make_error(EINVAL, "no kernel side for backend {}", change.backend->name());
  auto held = kb->change(change.target, change.settings, holder, dry_run);
  if (!held) return held.error();
  return std::unique_ptr<Attachment>(std::make_unique<BackendAttachment>(std::move(*held)));
}

std::uint64_t KernelHost::now_ns() { return monotonic_ns(); }

} // namespace faultline::lifecycle
