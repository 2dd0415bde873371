// A Host that records every call (and, when asked, every detach and put-back) instead of touching
// the kernel, with switches to make attach or apply fail, so the controller's all-or-nothing
// behaviour and the order of its kernel operations can be observed.
#pragma once

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "faults/backend_set.hpp"
#include "lifecycle/host.hpp"

namespace faultline::testing {

class FakeHost final : public lifecycle::Host {
public:
  struct FakeAttachment final : lifecycle::Attachment {
    FakeAttachment(FakeHost* host, std::string key) : host_(host), key_(std::move(key)) {}
    ~FakeAttachment() override {
      if (host_->record_releases) host_->calls.push_back("detach " + key_);
      host_->attached.erase(key_);
    }
    FakeHost* host_;
    std::string key_;
  };

  const engine::BackendRegistry& backends() override {
    // The real backends (their compile step is pure), each available unless switched off.
    registry = {};
    for (const auto* b : faults::all_backends())
      registry.add(*b, {!unavailable.count(std::string(b->name())), "switched off by the test"});
    return registry;
  }
  Result<std::vector<engine::Target>> resolve(const policy::TargetSpec& t) override {
    calls.push_back("resolve " + t.value);
    if (t.value == "/missing") return make_error(ENOENT, "no such cgroup {}", t.value);
    if (t.kind == policy::TargetSpec::Kind::interface) { // device "ethN" has index N + 2
      engine::Target dev{"interface:" + t.value, 0, 0, t.location, {}};
      dev.ifindex = static_cast<std::uint32_t>(t.value.back() - '0') + 2;
      dev.cgroup_id = FL_IFACE_TARGET_BIT | dev.ifindex;
      return std::vector<engine::Target>{dev};
    }
    const auto level = static_cast<std::uint32_t>(std::count(t.value.begin(), t.value.end(), '/'));
    return std::vector<engine::Target>{
        {t.value, std::hash<std::string>{}(t.value) & 0xffff, t.value == "/" ? 0 : level, t.location, {}}};
  }
  Result<lifecycle::TargetFacts> inspect(const engine::Target& target) override {
    calls.push_back("inspect " + target.path);
    auto it = facts.find(target.path);
    lifecycle::TargetFacts f = it == facts.end() ? lifecycle::TargetFacts{} : it->second;
    f.root = target.path == "/";
    return f;
  }
  Result<std::unique_ptr<lifecycle::Attachment>> attach(const engine::Backend& backend,
                                                        const engine::Target& target, fl_hook hook,
                                                        std::uint32_t /*sub*/) override {
    const std::string key = target.path + "#" + std::to_string(hook);
    calls.push_back("attach " + key);
    attached_via.emplace_back(backend.name());
    // As KernelHost does when the kernel refuses a backend's programs at their first load.
    if (refuse_on_first_use.erase(std::string(backend.name()))) {
      unavailable.insert(std::string(backend.name()));
      generation += 1;
      return make_error(EINVAL, "{}: this kernel refused its program", backend.name());
    }
    if (fail_attach_on == key) return make_error(EBUSY, "attach refused");
    attached[key] = true;
    return std::unique_ptr<lifecycle::Attachment>(std::make_unique<FakeAttachment>(this, key));
  }
  // A change writes its settings into `knobs` (by "path knob"); destroying it puts the old
  // values back, as the kernel side does.
  struct FakeChange final : lifecycle::Attachment {
    FakeChange(FakeHost* host, std::string path, std::map<std::string, std::string> old,
               std::vector<std::string> lines)
        : host_(host), path_(std::move(path)), old_(std::move(old)), lines_(std::move(lines)) {}
    ~FakeChange() override {
      if (host_->record_releases) host_->calls.push_back("put back " + path_);
      for (const auto& [key, value] : old_)
        host_->knobs[key] = value;
    }
    std::vector<std::string> describe() const override { return lines_; }
    FakeHost* host_;
    std::string path_;
    std::map<std::string, std::string> old_;
    std::vector<std::string> lines_;
  };
  Result<std::unique_ptr<lifecycle::Attachment>> change(const engine::TargetChange& change,
                                                        const std::string& holder, bool dry_run) override {
    calls.push_back("change " + change.target.path + (dry_run ? " (dry run)" : ""));
    if (fail_change_on == change.target.path) return make_error(EBUSY, "change refused ({})", holder);
    std::map<std::string, std::string> old;
    std::vector<std::string> lines;
    for (const auto& s : change.settings) {
      const std::string key = change.target.path + " " + s.knob;
      lines.push_back(key + " " + s.value);
      if (dry_run) continue;
      old[key] = knobs[key];
      knobs[key] = s.value;
    }
    return std::unique_ptr<lifecycle::Attachment>(
        std::make_unique<FakeChange>(this, change.target.path, old, lines));
  }
  Status apply(const engine::CompiledRules& rules) override {
    calls.push_back("apply " + std::to_string(rules.rule_count()));
    if (fail_apply) return make_error(ENOMEM, "apply refused");
    live_rules = rules.rule_count();
    return {};
  }
  Status disarm() override {
    calls.push_back("disarm");
    return {};
  }
  Result<fl_rule_stats> rule_stats(std::uint32_t id) override { return stats[id]; }
  std::uint64_t now_ns() override { return now; }
  std::uint64_t backends_generation() const override { return generation; }
  void prepare(const policy::Policy&) override { prepared += 1; }
  Result<std::uint64_t> tcp_retransmits(const engine::Target& target) override {
    std::lock_guard lock(retransmits_mu);
    retransmit_reads += 1;
    if (!retransmits_error.empty()) return make_error(EPERM, "{}", retransmits_error);
    return retransmits[target.path];
  }
  void set_retransmits(const std::string& path, std::uint64_t n) {
    std::lock_guard lock(retransmits_mu);
    retransmits[path] = n;
  }

  std::set<std::string> unavailable;         // backend names the fake kernel cannot run
  std::set<std::string> refuse_on_first_use; // backends whose first attach fails and drops them
  std::vector<std::string> attached_via;     // the backend of each attach call, in order
  std::uint64_t generation = 0;              // backends_generation(): one more per backend dropped
  int prepared = 0;                          // prepare() calls
  engine::BackendRegistry registry;
  std::vector<std::string> calls;
  bool record_releases = false; // calls also gets "detach KEY" and "put back PATH" as they happen
  std::map<std::string, bool> attached;
  std::map<std::string, lifecycle::TargetFacts> facts; // by path; default: an ordinary cgroup
  std::map<std::uint32_t, fl_rule_stats> stats;
  std::string fail_attach_on;
  std::string fail_change_on;               // a target path whose changes are refused
  std::map<std::string, std::string> knobs; // "path knob" -> value ("" = the default)
  bool fail_apply = false;
  std::mutex retransmits_mu;                        // the watchdog reads from its threads
  std::map<std::string, std::uint64_t> retransmits; // by target path: the kernel's running count
  std::string retransmits_error;                    // non-empty: the count cannot be read
  std::atomic<int> retransmit_reads{0};             // tcp_retransmits() calls
  std::size_t live_rules = 0;
  std::uint64_t now = 1'000'000'000;
};

} // namespace faultline::testing
