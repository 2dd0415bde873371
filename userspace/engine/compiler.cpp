#include "engine/compiler.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace faultline::engine {
namespace {

using policy::Fault;

Error refuse(const policy::Policy& p, const Fault& f, const std::string& why) {
  return make_error(EOPNOTSUPP, "{}:{}:{}: fault '{}': {}", p.file, f.location.line, f.location.column,
                    f.name, why);
}

fl_trigger make_trigger(const policy::Trigger& t, std::optional<double> probability, std::uint64_t now_ns,
                        std::uint64_t deadline_ns) {
  fl_trigger out{};
  out.start_ns = now_ns + t.start_ns;
  out.deadline_ns = deadline_ns;
  out.probability = probability_threshold(probability.value_or(t.probability.value_or(1.0)));
  out.every = t.every;
  out.after = t.after;
  out.times = t.times;
  return out;
}

std::uint8_t protocol_number(policy::Protocol p) {
  switch (p) {
  case policy::Protocol::tcp: return 6;
  case policy::Protocol::udp: return 17;
  case policy::Protocol::icmp: return 1;
  case policy::Protocol::any: break;
  }
  return 0;
}

// What of a network fault this version implements: drops. Shaping arrives with its own issue.
Result<std::vector<fl_hook>> network_hooks(const policy::Policy& p, const Fault& f,
                                           const policy::NetworkFault& n, const Capabilities& caps) {
  if (n.delay_ns || n.rate_bps || n.corrupt || n.duplicate)
    return refuse(p, f,
                  "network delay, rate, corrupt and duplicate are not supported by this faultline release; "
                  "loss and blackhole are");
  if (!caps.cgroup_skb)
    return refuse(p, f, "this kernel cannot scope packet faults to a cgroup: " + caps.cgroup_skb_reason);
  switch (n.direction) {
  case policy::Direction::egress: return std::vector<fl_hook>{FL_HOOK_NET_EGRESS};
  case policy::Direction::ingress: return std::vector<fl_hook>{FL_HOOK_NET_INGRESS};
  case policy::Direction::both: break;
  }
  return std::vector<fl_hook>{FL_HOOK_NET_EGRESS, FL_HOOK_NET_INGRESS};
}

Result<fl_rule> network_rule(const policy::NetworkFault& n, const policy::Trigger& t, std::uint64_t now_ns,
                             std::uint64_t deadline_ns) {
  fl_rule r{};
  r.effect.action = FL_ACT_DROP;
  r.trigger = make_trigger(t, n.blackhole ? std::optional<double>{} : n.loss, now_ns, deadline_ns);
  r.net.protocol = protocol_number(n.protocol);
  if (n.peer) {
    const std::uint32_t mask = n.peer->prefix == 0 ? 0 : ~0u << (32 - n.peer->prefix);
    r.net.peer_addr = htonl(n.peer->addr & mask);
    r.net.peer_mask = htonl(mask);
  }
  r.net.port_min = n.port.min;
  r.net.port_max = n.port.max;
  return r;
}

Result<fl_rule> file_rule(const policy::Policy& p, const Fault& f, const policy::FileFault& ff,
                          const Capabilities& caps, std::uint64_t now_ns, std::uint64_t deadline_ns) {
  for (auto op : ff.ops)
    if (op != policy::FileOp::open)
      return refuse(p, f,
                    "file read/write faults are not supported by this faultline release; ops: [open] is");
  if (!caps.file_open) return refuse(p, f, "this kernel cannot inject file faults: " + caps.file_open_reason);
  fl_rule r{};
  r.effect.action = FL_ACT_ERRNO;
  r.effect.nerr = 1;
  r.effect.errs[0] = {ff.err, FL_PROB_ALWAYS};
  r.trigger = make_trigger(f.trigger, std::nullopt, now_ns, deadline_ns);
  // Matched on component boundaries in BPF: "/var/lib/app/" and "/var/lib/app" mean the same.
  std::string prefix = ff.path;
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.pop_back();
  r.file.prefix_len = static_cast<std::uint32_t>(prefix.size());
  std::memcpy(r.file.prefix, prefix.data(), prefix.size());
  return r;
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

} // namespace

std::uint32_t probability_threshold(double probability) {
  if (probability >= 1.0) return FL_PROB_ALWAYS;
  return static_cast<std::uint32_t>(probability * 4294967296.0);
}

Result<CompiledExperiment> compile(const policy::Policy& policy, const std::vector<Target>& targets,
                                   const Capabilities& caps, RuleIdAllocator& ids, std::uint64_t now_ns) {
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
  for (const auto& f : policy.faults) {
    CompiledFault cf{f.name, policy::family_name(f.spec), {}};
    std::vector<std::pair<fl_hook, fl_rule>> rules;
    if (const auto* n = std::get_if<policy::NetworkFault>(&f.spec)) {
      auto hooks = network_hooks(policy, f, *n, caps);
      if (!hooks) return fail(hooks.error());
      auto rule = network_rule(*n, f.trigger, now_ns, exp.deadline_ns);
      if (!rule) return fail(rule.error());
      for (auto h : *hooks)
        rules.emplace_back(h, *rule);
    } else if (const auto* ff = std::get_if<policy::FileFault>(&f.spec)) {
      auto rule = file_rule(policy, f, *ff, caps, now_ns, exp.deadline_ns);
      if (!rule) return fail(rule.error());
      rules.emplace_back(FL_HOOK_FILE_OPEN, *rule);
    } else {
      return fail(
          refuse(policy, f, std::string(cf.family) + " faults are not supported by this faultline release"));
    }
    // One rule id per (fault, hook): every/after/times count per hook, counters sum per fault.
    exp.faults.push_back(std::move(cf));
    for (auto& [hook, rule] : rules) {
      auto id = ids.take();
      if (!id) return fail(id.error());
      exp.faults.back().rule_ids.push_back(*id);
      rule.rule_id = *id;
      if (policy.dry_run) rule.flags |= FL_RULE_DRY_RUN;
      for (const auto& t : rule_targets)
        exp.entries.push_back({t, hook, rule});
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
      if (auto st = rules.add(e.target.cgroup_id, e.target.level, e.hook, e.rule); !st)
        return make_error(st.error().code, "experiment {} on {}: {}", exp->name, e.target.path,
                          st.error().message);
  return rules;
}

} // namespace faultline::engine
