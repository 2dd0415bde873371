// cgroup v2 knobs (cpu.max, memory.high, io.max, cgroup.freeze) written on a target cgroup for an
// experiment and put back exactly: the machinery behind resource faults (resource_knobs.cpp) and
// freezes (process_freeze.cpp).
//
// Before a knob is written, the cgroup (path and inode), the knob and its old value go into a
// ledger (fsync'd); after, what the kernel made of the write. The old value goes back when the
// hold is destroyed (stop, deadline, shutdown), or at the next start after the process was
// killed (recover_knobs). A knob that someone else changed since faultline wrote it is left as
// it is, and a cgroup that is gone (or was made again under the same path) counts as put back.
// Everything here is plain file I/O on the cgroup's directory, so tests run it on a directory
// tree of their own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace faultline::kernel {

struct KnobWrite {
  std::string knob;   // a file of the cgroup: "cpu.max", "memory.high", "io.max", "cgroup.freeze"
  std::string value;  // written as is; for io.max the limits after the device ("rbps=1048576")
  std::string device; // io.max only: "MAJ:MIN"; that device's line is the knob's value
};

// FAULTLINE_STATE_DIR (default /run/faultline) + "/knobs.log".
std::string knob_ledger_path();

// Holds knobs changed on one cgroup; puts their old values back when destroyed.
class KnobHold {
public:
  virtual ~KnobHold() = default;
  // One line per knob: its value now and before ("would set" in a dry run).
  virtual std::vector<std::string> describe() const = 0;
};

// Writes `writes` into the cgroup directory `cgroup`, in order, each journaled in `ledger` first.
// Refused before anything is written when the cgroup's parent does not enable the knob's
// controller in cgroup.subtree_control (faultline never enables controllers), the knob is
// missing, or the knob is already changed by another holder (`holder` names this one in such
// messages: another experiment of this process, or another faultline process that is running).
// On any error, whatever this call wrote is put back first. A dry run checks and reads, and
// writes nothing.
Result<std::unique_ptr<KnobHold>> hold_knobs(const std::string& ledger, const std::string& cgroup,
                                             const std::vector<KnobWrite>& writes, const std::string& holder,
                                             bool dry_run);

// At start-up: puts back what processes that are gone (killed) changed and did not put back,
// then rewrites the ledger with only what is still held. One line per knob, for the log.
Result<std::vector<std::string>> recover_knobs(const std::string& ledger);

} // namespace faultline::kernel
