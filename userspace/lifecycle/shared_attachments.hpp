// The programs attached for live experiments, shared by key: two experiments on the same cgroup
// and hook use one attachment, and the last one to let go of it detaches it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "engine/compiler.hpp"
#include "lifecycle/host.hpp"
#include "util/result.hpp"

namespace faultline::lifecycle {

// (cgroup id or 0 for a global backend, hook, sub-key or 0 when one attachment serves every sub-key)
using AttachKey = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;

class SharedAttachments {
public:
  // Attaches what `compiled`'s entries need and `held` does not hold yet, sharing what is attached
  // already. `held` gets each key this experiment now uses once; `fresh` the keys this call
  // attached, so that a failed start can undo exactly them.
  Status attach(Host& host, const engine::CompiledExperiment& compiled, std::vector<AttachKey>& held,
                std::vector<AttachKey>& fresh);
  // Undoes a start's attach calls: detaches what it attached and gives back its share of what it
  // found attached; both lists end empty.
  void undo(std::vector<AttachKey>& fresh, std::vector<AttachKey>& held);
  // Gives back an ended experiment's share; what no experiment uses any more is detached.
  void release(const std::vector<AttachKey>& held);
  // Lets every attachment reach what its target gained since (Attachment::refresh).
  void refresh();

private:
  struct Shared {
    std::unique_ptr<Attachment> attachment;
    int refs = 0;
  };
  std::map<AttachKey, Shared> shared_;
};

} // namespace faultline::lifecycle
