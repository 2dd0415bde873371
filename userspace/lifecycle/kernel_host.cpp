#include "lifecycle/kernel_host.hpp"

#include <cstdlib>
#include <ctime>
#include <string>

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

class LinkAttachment final : public Attachment {
public:
  explicit LinkAttachment(kernel::Link link) : link_(std::move(link)) {}

private:
  kernel::Link link_;
};

} // namespace

Result<std::unique_ptr<KernelHost>> KernelHost::create() {
  auto features = std::make_unique<kernel::Features>(std::make_unique<kernel::KernelFeatureProbe>());
  auto cgroups = kernel::CgroupFs::discover();
  if (!cgroups) return cgroups.error();
  const auto file = kernel::choose_file_backend(*features);
  engine::Capabilities caps;
  const auto& skb = features->status(kernel::Feature::cgroup_skb);
  caps.cgroup_skb = skb.supported;
  caps.cgroup_skb_reason = skb.detail;
  caps.file_open = file.backend != kernel::FileBackend::none;
  caps.file_open_reason = file.reason;
  auto programs = kernel::FaultPrograms::load({file.backend});
  if (!programs) return programs.error();
  return std::unique_ptr<KernelHost>(
      new KernelHost(std::move(features), *cgroups, std::move(*programs), std::move(caps)));
}

Result<std::vector<engine::Target>> KernelHost::resolve(const policy::TargetSpec& target) {
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

Result<std::unique_ptr<Attachment>> KernelHost::attach(const engine::Target& target, fl_hook hook) {
  if (detached_for_tests()) {
    log::warn("FAULTLINE_TEST_DETACHED=1: not attaching hook {} (tests must fail)", static_cast<int>(hook));
    return std::unique_ptr<Attachment>(std::make_unique<NoAttachment>());
  }
  Result<kernel::Link> link =
      hook == FL_HOOK_FILE_OPEN
          ? programs_.attach_file_open()
          : programs_.attach_cgroup_skb({target.path, target.cgroup_id, target.level}, hook);
  if (!link) return link.error();
  return std::unique_ptr<Attachment>(std::make_unique<LinkAttachment>(std::move(*link)));
}

std::uint64_t KernelHost::now_ns() { return monotonic_ns(); }

} // namespace faultline::lifecycle
