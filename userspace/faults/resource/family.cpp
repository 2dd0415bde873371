// The resource family: cgroup v2 limits.
#include "faults/family.hpp"

#include "faults/resource/resource_knobs.hpp"
#include "faults/resource/section.hpp"

namespace faultline::faults {
namespace {

class ResourceFamily final : public Family {
public:
  const policy::FaultSection& section() const override { return resource_section(); }
  std::vector<const KernelBackend*> backends() const override { return {&resource_cgroup()}; }
  std::optional<std::string> describe_hook(std::uint32_t hook, std::uint32_t sub) const override {
    (void)hook;
    (void)sub;
    return std::nullopt; // resource faults write cgroup knobs: no BPF, no events
  }
  std::optional<std::string> describe_effect(std::uint32_t /*action*/,
                                             std::int32_t /*value*/) const override {
    return std::nullopt; // no BPF, no events
  }
};

} // namespace

const Family& resource_family() {
  static const ResourceFamily kFamily;
  return kFamily;
}

} // namespace faultline::faults
