// A running experiment as the controller holds it: its policy, what it compiled to, the
// attachments it shares, the changes it holds on its targets, and its timeline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/compiler.hpp"
#include "lifecycle/host.hpp"
#include "lifecycle/shared_attachments.hpp"
#include "observe/timeline.hpp"
#include "policy/policy.hpp"

namespace faultline::lifecycle {

// A change on a target over its window: not yet made, held, or over (put back early).
struct HeldChange {
  std::unique_ptr<Attachment> held;
  std::vector<std::string> lines; // what it said while held: the report keeps it once over
  bool over = false;
};

struct LiveExperiment {
  policy::Policy policy;
  engine::CompiledExperiment compiled;
  std::vector<AttachKey> attachments;
  std::int64_t started_at_ms = 0;
  // One per compiled.changes entry, in order: its own (knobs are never shared between
  // experiments); destroying one's hold puts the target's old values back.
  std::vector<HeldChange> changes;
  std::uint64_t run = 0;      // this start's serial number (a name can run again later)
  observe::Timeline timeline; // counters sampled by the tick, stop-condition checks
};

} // namespace faultline::lifecycle
