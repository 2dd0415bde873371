#include "lifecycle/kernel_host.hpp"

#include <net/if.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <string>

#include "backends/device_holds.hpp"
#include "backends/kernel_backend.hpp"
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

class BackendAttachment final : public Attachment {
public:
  explicit BackendAttachment(std::unique_ptr<backends::Attached> held) : held_(std::move(held)) {}
  std::vector<std::string> describe() const override { return held_->describe(); }

private:
  std::unique_ptr<backends::Attached> held_;
};

} // namespace

Result<std::unique_ptr<KernelHost>> KernelHost::create(const std::vector<policy::Fault>* only_for) {
  auto features = std::make_unique<kernel::Features>(std::make_unique<kernel::KernelFeatureProbe>());
  auto cgroups = kernel::CgroupFs::discover();
  if (!cgroups) return cgroups.error();
  // What a killed predecessor left in place goes back before anything new is set up.
  for (const auto* b : backends::all_backends()) {
    auto restored = b->recover();
    if (!restored)
      log::warn("{}: recovery failed: {}", b->name(), restored.error().describe());
    else
      for (const auto& line : *restored)
        log::info("{}: restored {}", b->name(), line);
  }
  if (auto st = backends::compact_device_ledger(); !st) log::warn("{}", st.error().describe());
  // A program this kernel refuses although its probe passed costs its backend, not faultline:
  // the backend is marked unavailable with the reason and the rest load without it (each
  // round drops one backend, so this ends).
  // An optional program the kernel refuses costs only itself: its faults are refused at attach.
  std::map<std::string, std::string> refused;
  std::set<std::string> dropped;
  while (true) {
    auto backends = only_for != nullptr ? backends::probe_backends_for(*features, refused, *only_for)
                                        : backends::probe_backends(*features, refused);
    kernel::LoadOptions load;
    for (auto& p : backends::programs_to_load(backends, only_for))
      if (!dropped.count(p)) load.programs.push_back(std::move(p));
    load.optional = backends::optional_programs_to_load(backends);
    std::string culprit;
    auto programs = kernel::FaultPrograms::load(load, &culprit);
    if (programs)
      return std::unique_ptr<KernelHost>(
          new KernelHost(std::move(features), *cgroups, std::move(*programs), std::move(backends)));
    // Only a verifier's refusal (EINVAL, EACCES) says the kernel cannot run the program; a
    // transient error (ENOMEM, a memlock limit) must not cost the backend for good.
    const int code = programs.error().code;
    const bool verifier = code == EINVAL || code == EACCES;
    if (verifier && std::find(load.optional.begin(), load.optional.end(), culprit) != load.optional.end() &&
        dropped.insert(culprit).second) {
      log::warn("this kernel refused the optional program {} ({}); going on without it", culprit,
                programs.error().describe());
      continue;
    }
    const auto* b = culprit.empty() || !verifier ? nullptr : backends::backend_loading(backends, culprit);
    if (b == nullptr || refused.count(std::string(b->name()))) return programs.error();
    log::warn("{}: this kernel refused its program {} ({}); going on without {}", b->name(), culprit,
              programs.error().describe(), b->name());
    refused[std::string(b->name())] =
        fmt::format("this kernel refused its program {}: {}", culprit, programs.error().describe());
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
  const auto* kb = backends::find_backend(backend.name());
  if (kb == nullptr) return make_error(EINVAL, "no kernel side for backend {}", backend.name());
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
  const auto* kb = backends::find_backend(change.backend->name());
  if (kb == nullptr) return make_error(EINVAL, "no kernel side for backend {}", change.backend->name());
  auto held = kb->change(change.target, change.settings, holder, dry_run);
  if (!held) return held.error();
  return std::unique_ptr<Attachment>(std::make_unique<BackendAttachment>(std::move(*held)));
}

std::uint64_t KernelHost::now_ns() { return monotonic_ns(); }

} // namespace faultline::lifecycle
