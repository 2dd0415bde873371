// Changes on the network devices a target's packets leave by, made for an experiment and put
// back exactly: the shared machinery behind fq for EDT shaping (net.edt) and tc filters for
// corrupt/duplicate (net.tc), and both on the one device of an interface target (net.iface).
//
// Which devices: every device of every network namespace the target's processes are in (lo
// included), or this process's namespace when the target has no process yet; and, by
// DeviceHold::extend (about once a second), the namespaces and devices they reach later. Changes are
// reference counted per (kind, namespace, device): two experiments on one device share one.
// Every install is written to a ledger (fsync'd) before it is made and every restore after, so a
// process killed mid-experiment has its devices restored at the next start (recover_devices).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/qdisc.hpp"
#include "util/result.hpp"

namespace faultline::faults {

struct DeviceChange {
  std::string kind; // "fq", "tc": one word, names the change in the ledger and the log
  // Makes the change on one device. Returns nullopt when there is nothing to do (and so nothing
  // to undo), else a token the restore needs (may be empty); an error refuses the experiment.
  std::function<Result<std::optional<std::string>>(kernel::Rtnetlink&, const kernel::NetDevice&)> install;
  // Undoes it; `token` is what install returned ("" if it crashed before it could say).
  std::function<Status(kernel::Rtnetlink&, int ifindex, const std::string& token)> restore;
};

// Keeps the changes on a set of devices while it lives; restores them (last holder) when destroyed.
class DeviceHold {
public:
  virtual ~DeviceHold() = default;
  // A hold of a cgroup's devices (hold_devices) makes the change on the devices the cgroup's
  // processes reach now and it does not hold yet: a namespace a process entered after the start,
  // a device added since. Each is in the ledger as any other; one it cannot change (an
  // administrator's qdisc) is logged once and left alone, and the experiment runs on.
  virtual void extend() {}
};

// FAULTLINE_STATE_DIR (default /run/faultline) + "/devices.log".
std::string device_ledger_path();

// Makes `change` on the devices serving the cgroup at `cgroup_path`. On any refusal or error,
// everything this call changed is restored first. `change` must outlive the hold.
Result<std::unique_ptr<DeviceHold>> hold_devices(const DeviceChange& change, const std::string& cgroup_path);

// Rewrites the ledger with only the changes still in place (after recovery at start-up): it
// would otherwise grow by two lines per device per experiment forever.
Status compact_device_ledger();

// Makes `change` on one device of faultlined's own network namespace (an interface target).
Result<std::unique_ptr<DeviceHold>> hold_device(const DeviceChange& change, int ifindex);

// Restores what an earlier process changed of this kind and did not restore (it was killed).
// Changes of a process still running (a `faultline exec` beside the daemon) are its own and
// stay. Returns one line per device, for the log.
Result<std::vector<std::string>> recover_devices(const DeviceChange& change);

} // namespace faultline::faults
