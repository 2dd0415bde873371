#include "faults/process/process_freeze.hpp"

#include <unistd.h>

#include <fstream>

#include "kernel/cgroup.hpp"
#include "kernel/cgroup_census.hpp"
#include "kernel/cgroup_knobs.hpp"
#include "kernel/ledger.hpp"

namespace faultline::faults {
namespace {

constexpr const char* kKnob = "cgroup.freeze";

class FreezeHeld final : public Attached {
public:
  explicit FreezeHeld(std::unique_ptr<kernel::KnobHold> hold) : hold_(std::move(hold)) {}
  std::vector<std::string> describe() const override { return hold_->describe(); }

private:
  std::unique_ptr<kernel::KnobHold> hold_;
};

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "frozen 1" in cgroup.events: every task of the cgroup is stopped, by its own cgroup.freeze or
// an ancestor's.
bool frozen_now(const std::string& cgroup) {
  std::ifstream in(cgroup + "/cgroup.events");
  for (std::string key, value; in >> key >> value;)
    if (key == "frozen") return value == "1";
  return false;
}

// Refusals no policy can opt out of (allowHostWide included): a faultline that froze itself, or
// init, could never thaw it.
Status check_freezable(const std::string& cgroup) {
  auto fs = kernel::CgroupFs::discover();
  if (!fs) return fs.error();
  if (cgroup == fs->mount_point())
    return make_error(EPERM,
                      "{} is the root cgroup, which cannot be frozen (it has no {}): the whole host "
                      "would stop",
                      cgroup, kKnob);
  if (::access((cgroup + "/" + kKnob).c_str(), F_OK) != 0)
    return make_error(EOPNOTSUPP, "{} has no {}: the kernel lacks the cgroup v2 freezer (Linux 5.2+)", cgroup,
                      kKnob);
  auto self = fs->path_of_pid(::getpid());
  if (!self) return self.error();
  if (kernel::path_within(*self, cgroup))
    return make_error(EPERM,
                      "{} holds faultline itself ({}): frozen, it could never thaw the target; no opt-in "
                      "overrides this",
                      cgroup, *self);
  if (auto init = fs->path_of_pid(1); init && kernel::path_within(*init, cgroup))
    return make_error(EPERM, "{} holds init (pid 1): freezing it stops the host; no opt-in overrides this",
                      cgroup);
  return {};
}

// Someone else's freeze is theirs to end: faultline would thaw at its end what it never froze.
Status check_not_frozen(const std::string& cgroup) {
  if (first_line(cgroup + "/" + kKnob) == "1")
    return make_error(EBUSY,
                      "{} is already frozen ({} is 1), by someone other than faultline: faultline would thaw "
                      "it at its end; thaw it first, or leave it",
                      cgroup, kKnob);
  if (frozen_now(cgroup))
    return make_error(EBUSY,
                      "{} is already frozen through an ancestor's {}: a freeze of it would change nothing, "
                      "and its thaw would not wake it",
                      cgroup, kKnob);
  return {};
}

class ProcessFreeze final : public KernelBackend {
public:
  std::string_view name() const override { return "process.freeze"; }
  std::string_view family() const override { return "process"; }
  std::string_view summary() const override {
    return "the target cgroup frozen (cgroup.freeze) for the fault's duration; the old value journaled "
           "(freeze.log) and put back on time, on stop, deadline or the next start";
  }
  engine::AttachScope scope() const override { return engine::AttachScope::per_target; }
  std::vector<fl_hook> hooks() const override { return {}; }
  std::optional<std::string> cannot_express(const policy::Fault& fault) const override {
    if (policy::spec_of<ProcessFault>(fault).freeze_ns == 0)
      return "it only freezes (cgroup.freeze); it sends no signals";
    return std::nullopt;
  }
  std::vector<engine::HookRule> compile(const policy::Fault&, const engine::BuildContext&) const override {
    return {}; // no BPF: the freezer is the fault
  }
  std::vector<engine::Setting> settings(const policy::Fault& fault) const override {
    const auto& pf = policy::spec_of<ProcessFault>(fault);
    return {{kKnob, "1", "", fault.trigger.start_ns, fault.trigger.start_ns + pf.freeze_ns}};
  }

  engine::Availability probe(kernel::Features& features) const override {
    const auto& st = features.status(kernel::Feature::cgroup_freeze);
    return {st.supported, st.detail};
  }
  std::vector<std::string> programs() const override { return {}; }
  Result<std::unique_ptr<Attached>> attach(kernel::FaultPrograms&, const engine::Target&, fl_hook,
                                           std::uint32_t /*sub*/) const override {
    return make_error(EOPNOTSUPP, "process.freeze attaches no program");
  }

  Result<std::unique_ptr<Attached>> change(const engine::Target& target, const std::vector<engine::Setting>&,
                                           const std::string& holder, bool dry_run) const override {
    if (auto st = check_freezable(target.path); !st) return st.error();
    const std::vector<kernel::KnobWrite> freeze = {{kKnob, "1", ""}};
    // Another experiment's freeze first, by name (the ledger knows it); then anyone else's.
    auto checked = kernel::hold_knobs(freeze_ledger_path(), target.path, freeze, holder, true);
    if (!checked) return checked.error();
    if (auto st = check_not_frozen(target.path); !st) return st.error();
    auto hold = dry_run ? std::move(checked)
                        : kernel::hold_knobs(freeze_ledger_path(), target.path, freeze, holder, false);
    if (!hold) return hold.error();
    return std::unique_ptr<Attached>(std::make_unique<FreezeHeld>(std::move(*hold)));
  }

  Result<std::vector<std::string>> recover() const override {
    return kernel::recover_knobs(freeze_ledger_path());
  }
};

} // namespace

const KernelBackend& process_freeze() {
  static const ProcessFreeze kBackend;
  return kBackend;
}

std::string freeze_ledger_path() { return kernel::state_dir() + "/freeze.log"; }

} // namespace faultline::faults
