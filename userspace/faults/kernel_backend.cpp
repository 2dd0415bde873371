// What every kernel backend shares: holding a link, a link shared by sub-keys, and the default of
// backends that change nothing on targets.
#include "faults/kernel_backend.hpp"

namespace faultline::faults {
namespace {

class LinkHeld final : public Attached {
public:
  explicit LinkHeld(kernel::Link link) : link_(std::move(link)) {}

private:
  kernel::Link link_;
};

} // namespace

Result<std::unique_ptr<Attached>> KernelBackend::change(const engine::Target&,
                                                        const std::vector<engine::Setting>&,
                                                        const std::string&, bool) const {
  return make_error(EOPNOTSUPP, "backend {} makes no changes on targets", name());
}

Result<std::unique_ptr<Attached>> hold_link(Result<kernel::Link> link) {
  if (!link) return link.error();
  return std::unique_ptr<Attached>(std::make_unique<LinkHeld>(std::move(*link)));
}

namespace {

class SharedLink final : public Attached {
public:
  explicit SharedLink(std::shared_ptr<kernel::Link> link) : link_(std::move(link)) {}

private:
  std::shared_ptr<kernel::Link> link_;
};

} // namespace

Result<std::unique_ptr<Attached>> attach_shared(kernel::FaultPrograms& programs, const std::string& program) {
  auto link = programs.attach_global_shared(program);
  if (!link) return link.error();
  return std::unique_ptr<Attached>(std::make_unique<SharedLink>(std::move(*link)));
}

} // namespace faultline::faults
