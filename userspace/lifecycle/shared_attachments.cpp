#include "lifecycle/shared_attachments.hpp"

#include <algorithm>

namespace faultline::lifecycle {

Status SharedAttachments::attach(Host& host, const engine::CompiledExperiment& compiled,
                                 std::vector<AttachKey>& held, std::vector<AttachKey>& fresh) {
  for (const auto& entry : compiled.entries) {
    const bool global = entry.backend->scope() == engine::AttachScope::global;
    const std::uint32_t sub = entry.backend->attaches_per_sub() ? entry.sub : 0;
    const AttachKey key{global ? 0 : entry.target.cgroup_id, entry.hook, sub};
    if (std::find(held.begin(), held.end(), key) != held.end()) continue;
    auto it = shared_.find(key);
    if (it == shared_.end()) {
      auto attached = host.attach(*entry.backend, entry.target, entry.hook, sub);
      if (!attached) return attached.error();
      it = shared_.emplace(key, Shared{std::move(*attached), 0}).first;
      fresh.push_back(key);
    }
    it->second.refs += 1;
    held.push_back(key);
  }
  return {};
}

void SharedAttachments::undo(std::vector<AttachKey>& fresh, std::vector<AttachKey>& held) {
  for (const auto& key : fresh)
    shared_.erase(key);
  // What it found attached stays for the experiments that attached it.
  for (const auto& key : held)
    if (shared_.count(key)) shared_[key].refs -= 1;
  fresh.clear();
  held.clear();
}

void SharedAttachments::release(const std::vector<AttachKey>& held) {
  for (const auto& key : held) {
    auto it = shared_.find(key);
    if (it != shared_.end() && --it->second.refs <= 0) shared_.erase(it);
  }
}

void SharedAttachments::refresh() {
  for (auto& [key, shared] : shared_)
    if (shared.attachment) shared.attachment->refresh();
}

} // namespace faultline::lifecycle
