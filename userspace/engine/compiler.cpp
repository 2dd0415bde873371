#include "engine/compiler.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace faultline::engine {
namespace {

using policy::Fault;

Error refuse(const policy::Policy& p, const Fault& f, const std::string& why) {
  return make_error(EOPNOTSUPP, "{}:{}:{}: fault '{}': {}", p.file, f.location.line, f.location.column,
                    f.name, why);
}

// A target whose ancestor is also a target adds nothing: the ancestor's rule already covers it,
// and a second copy would apply the fault twice to the same process.
// (select_targets already made them unique.)
std::vector<Target> outermost(const std::vector<Target>& targets) {
  std::vector<Target> out;
  for (const auto& t : targets)
    if (std::none_of(targets.begin(), targets.end(),
                     [&](const Target& other) { return is_ancestor(other, t); }))
      out.push_back(t);
  return out;
}

// A backend's settings grouped by when they hold, as [begin, end) on the monotonic clock (end 0 =
// with the experiment), clipped to the experiment: nothing outlives its deadline.
std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<Setting>>
by_window(const std::vector<Setting>& settings, const CompiledExperiment& exp) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<Setting>> out;
  for (const auto& s : settings) {
    const std::uint64_t begin = std::min(exp.start_ns + s.from_ns, exp.deadline_ns);
    std::uint64_t end = s.until_ns == 0 ? 0 : std::min(exp.start_ns + s.until_ns, exp.deadline_ns);
    if (end == exp.deadline_ns) end = 0; // ends with the experiment anyway
    out[{begin, end}].push_back(s);
  }
  return out;
}

} // namespace

Result<CompiledExperiment> compile(const policy::Policy& policy, const std::vector<Target>& targets,
                                   const BackendRegistry& backends, RuleIdAllocator& ids,
                                   std::uint64_t now_ns) {
  CompiledExperiment exp;
  exp.name = policy.name;
  exp.targets = targets;
  exp.start_ns = now_ns;
  exp.deadline_ns = now_ns + policy.duration_ns;
  exp.dry_run = policy.dry_run;
  auto fail = [&](Error e) {
    release_ids(exp, ids);
    return e;
  };
  if (targets.empty()) return fail(make_error(ENOENT, "experiment {}: no targets", policy.name));
  const std::vector<Target> rule_targets = outermost(targets);
  const BuildContext ctx{exp.start_ns, exp.deadline_ns};
  for (const auto& f : policy.faults) {
    exp.faults.push_back({f.name, f.family, {}});
    // Cgroup targets and interface targets are served by different backends.
    for (const TargetKind kind : {TargetKind::cgroup, TargetKind::interface}) {
      std::vector<Target> of_kind;
      for (const auto& t : rule_targets)
        if (t.is_interface() == (kind == TargetKind::interface)) of_kind.push_back(t);
      if (of_kind.empty()) continue;
      auto backend = backends.choose(f, kind);
      if (!backend) return fail(refuse(policy, f, backend.error().message));
      // One rule id per (fault, hook): every/after/times count per hook, counters sum per fault.
      for (auto& hr : (*backend)->compile(f, ctx)) {
        auto id = ids.take();
        if (!id) return fail(id.error());
        exp.faults.back().rule_ids.push_back(*id);
        hr.rule.rule_id = *id;
        if (policy.dry_run) hr.rule.flags |= FL_RULE_DRY_RUN;
        for (const auto& t : of_kind)
          exp.entries.push_back({t, hr.hook, hr.sub, hr.rule, *backend});
      }
      for (const auto& [window, settings] : by_window((*backend)->settings(f), exp))
        for (const auto& t : of_kind)
          exp.changes.push_back({t, f.name, f.location, settings, *backend, window.first, window.second});
    }
  }
  return exp;
}

void release_ids(const CompiledExperiment& experiment, RuleIdAllocator& ids) {
  for (const auto& f : experiment.faults)
    for (auto id : f.rule_ids)
      ids.give_back(id);
}

Result<CompiledRules> merge(const std::vector<const CompiledExperiment*>& experiments) {
  CompiledRules rules;
  for (const auto* exp : experiments)
    for (const auto& e : exp->entries)
      if (auto st = rules.add(e.target.cgroup_id, e.target.level, e.hook, e.sub, e.rule); !st)
        return make_error(st.error().code, "experiment {} on {}: {}", exp->name, e.target.path,
                          st.error().message);
  return rules;
}

} // namespace faultline::engine
