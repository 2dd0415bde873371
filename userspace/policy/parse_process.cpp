#include "policy/parse_internal.hpp"

#include <fmt/format.h>

namespace faultline::policy {

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

} // namespace faultline::policy
