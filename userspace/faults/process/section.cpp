#include "faults/process/section.hpp"

#include <any>

#include "faults/process/process_spec.hpp"

#include <fmt/format.h>

namespace faultline::faults {

using policy::check_syscall_name;
using policy::Field;

namespace {

ProcessFault parse_process(const Field& f) {
  f.expect_keys({"signal", "on", "freeze"});
  ProcessFault p;
  if (auto fr = f.find("freeze")) {
    for (const char* key : {"signal", "on"})
      if (auto k = f.find(key))
        k->fail(
            fmt::format("a fault either freezes or sends a signal; '{}' does not combine with freeze (make "
                        "two faults)",
                        key));
    if (!fr->is_scalar() || fr->str().empty())
      fr->fail("freeze needs a duration: how long the target stays frozen, e.g. freeze: 5s");
    if (fr->str().front() == '-')
      fr->fail(fmt::format("'{}': a freeze lasts a positive duration", fr->str()));
    p.freeze_ns = fr->duration_ns();
    if (p.freeze_ns == 0)
      fr->fail(fmt::format("'{}' freezes nothing; give a duration above zero", fr->str()));
    return p;
  }
  if (!f.has("signal"))
    f.fail("a process fault needs signal (with on: {syscall: NAME}) or freeze (how long, e.g. freeze: 5s)");
  p.signal = f.get("signal").signal_value();
  const Field on = f.get("on");
  on.expect_keys({"syscall"});
  const Field sc = on.get("syscall");
  check_syscall_name(sc);
  p.on_syscall = sc.str();
  return p;
}

class ProcessSection final : public policy::FaultSection {
public:
  std::string_view key() const override { return "process"; }
  std::any parse(const Field& block) const override { return parse_process(block); }
  void check_trigger(const std::any& spec, const Field& trigger) const override {
    if (std::any_cast<const ProcessFault&>(spec).freeze_ns != 0)
      policy::refuse_counting_trigger(trigger, "a freeze happens once, at the fault's start",
                                      "does not apply to it (trigger.start does)");
  }
};

} // namespace

const policy::FaultSection& process_section() {
  static const ProcessSection kSection;
  return kSection;
}

} // namespace faultline::faults
