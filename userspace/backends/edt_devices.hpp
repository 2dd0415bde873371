// fq on the devices a target's packets leave by, installed for EDT shaping and put back exactly.
//
// Which devices: every device of every network namespace the target's processes are in (lo
// included), or this process's namespace when the target has no process yet. What is changed:
// a device whose root qdisc is the kernel's default (handle 0: noqueue, pfifo_fast, mq, fq_codel
// by net.core.default_qdisc) gets fq as its root; deleting it later brings the same default back.
// A device that already has fq is used as it is and never touched. A device with a root qdisc an
// administrator configured (any other kind with a handle) is refused with its name: replacing it
// could not be undone exactly.
//
// Every install is written to a ledger (fsync'd) before the next step, and every restore after
// it, so a daemon killed mid-experiment restores the devices at its next start (recover()).
// Holds are reference counted per device: two experiments on one device share one fq.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace faultline::backends {

// Keeps fq on a set of devices while it lives.
class FqHold {
public:
  virtual ~FqHold() = default;
};

// The ledger: FAULTLINE_STATE_DIR (default /run/faultline) + "/fq-devices.log".
std::string fq_ledger_path();

// Installs fq where needed on the devices serving the cgroup at `cgroup_path`. On any refusal or
// error, everything this call installed is restored first.
Result<std::unique_ptr<FqHold>> hold_fq_for(const std::string& cgroup_path);

// Restores devices a previous process installed fq on and did not restore (it was killed).
// Returns what was restored, one line per device, for the log.
Result<std::vector<std::string>> recover_fq_devices();

} // namespace faultline::backends
