#include "policy/parser.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "policy/names.hpp"
#include "policy/parse_internal.hpp"
#include "policy/syscalls.hpp"

namespace faultline::policy {
namespace {

constexpr std::uint64_t kMaxDurationNs = 24ull * 3600 * 1000000000; // experiments are bounded
constexpr std::size_t kMaxPolicyBytes = 1 << 20;                    // the API's body limit too

Trigger parse_trigger(const Field& f, std::uint64_t duration_ns) {
  f.expect_keys({"probability", "every", "after", "times", "start"});
  Trigger t;
  if (auto p = f.find("probability")) t.probability = p->percent();
  if (auto e = f.find("every")) {
    t.every = static_cast<std::uint32_t>(e->uint(1000000000));
    if (t.every == 0) e->fail("must be at least 1 (1 = every matching event)");
  }
  if (auto a = f.find("after")) t.after = static_cast<std::uint32_t>(a->uint(1000000000));
  if (auto k = f.find("times")) {
    t.times = static_cast<std::uint32_t>(k->uint(1000000000));
    if (t.times == 0) k->fail("must be at least 1; leave it out for no limit");
  }
  if (auto s = f.find("start")) {
    t.start_ns = s->duration_ns();
    if (t.start_ns >= duration_ns) s->fail("the start offset must be shorter than spec.duration");
  }
  return t;
}

Fault parse_fault(const Field& f, std::uint64_t duration_ns, const FaultSections& sections) {
  std::vector<std::string> keys = {"name"};
  std::string choices;
  for (const auto* section : sections) {
    keys.emplace_back(section->key());
    choices += (choices.empty() ? "" : ", ") + std::string(section->key());
  }
  keys.emplace_back("trigger");
  f.expect_keys(keys);
  Fault fault;
  fault.location = f.location();
  const Field name = f.get("name");
  check_name(name, "fault");
  fault.name = name.str();
  const FaultSection* chosen = nullptr;
  int families = 0;
  for (const auto* section : sections)
    if (f.has(std::string(section->key()).c_str())) {
      chosen = section;
      ++families;
    }
  if (families != 1) f.fail(fmt::format("a fault needs exactly one of {} (found {})", choices, families));
  fault.family = chosen->key();
  fault.spec = chosen->parse(f.get(fault.family.c_str()));
  if (auto t = f.find("trigger")) {
    fault.trigger = parse_trigger(*t, duration_ns);
    chosen->check_trigger(fault.spec, *t);
  }
  return fault;
}

TargetSpec parse_target(const Field& f) {
  f.expect_keys({"cgroup", "pid", "systemd", "container", "interface"});
  const auto keys = f.keys();
  if (keys.size() != 1) f.fail("a target needs exactly one of cgroup, pid, systemd, container, interface");
  TargetSpec t;
  t.location = f.location();
  const Field v = f.get(keys.front().c_str());
  t.value = v.str();
  if (t.value.empty()) v.fail("must not be empty");
  if (keys.front() == "cgroup") {
    t.kind = TargetSpec::Kind::cgroup; // resolved canonically (".", "..", symlinks) by the host
  } else if (keys.front() == "pid") {
    t.kind = TargetSpec::Kind::pid;
    if (v.uint(4194304) == 0) v.fail("pid 0 is not a process");
  } else if (keys.front() == "systemd") {
    t.kind = TargetSpec::Kind::systemd;
    static const std::regex kUnit(R"(^[A-Za-z0-9:_.@\\-]+\.(service|scope|slice)$)");
    if (!std::regex_match(t.value, kUnit))
      v.fail(fmt::format("'{}' is not a systemd unit (name.service, .scope or .slice)", t.value));
  } else if (keys.front() == "interface") {
    t.kind = TargetSpec::Kind::interface; // a device of faultlined's network namespace
    static const std::regex kDevice("^[A-Za-z0-9_.:@-]{1,15}$");
    if (!std::regex_match(t.value, kDevice) || t.value == "." || t.value == "..")
      v.fail(
          fmt::format("'{}' is not a network device name (1 to 15 characters, no '/' or spaces)", t.value));
  } else {
    t.kind = TargetSpec::Kind::container;
    static const std::regex kId("^[0-9a-f]{12,64}$");
    if (!std::regex_match(t.value, kId))
      v.fail(fmt::format("'{}' is not a container id (12 to 64 lowercase hex digits)", t.value));
  }
  return t;
}

Selection parse_selection(const Field& f) {
  f.expect_keys({"mode", "value"});
  Selection s;
  const Field mode = f.get("mode");
  const std::string m = mode.str();
  if (m == "all")
    s.mode = Selection::Mode::all;
  else if (m == "count")
    s.mode = Selection::Mode::count;
  else if (m == "percent")
    s.mode = Selection::Mode::percent;
  else
    mode.fail(fmt::format("unknown selection mode '{}'; expected all, count or percent", m));
  if (s.mode == Selection::Mode::all) {
    if (f.has("value")) f.get("value").fail("mode all takes no value");
    return s;
  }
  const Field value = f.get("value");
  if (s.mode == Selection::Mode::count) {
    s.value = static_cast<std::uint32_t>(value.uint(100000));
    if (s.value == 0) value.fail("must be at least 1");
  } else {
    s.value = static_cast<std::uint32_t>(std::lround(value.percent() * 100.0));
    if (s.value == 0) value.fail("must be more than 0%");
  }
  return s;
}

Policy parse_document(const Field& root, const std::string& file, const FaultSections& sections) {
  root.expect_keys({"apiVersion", "kind", "metadata", "spec"});
  Policy p;
  p.file = file;
  const Field api = root.get("apiVersion");
  if (api.str() != "faultline/v1")
    api.fail(fmt::format("unsupported apiVersion '{}'; expected faultline/v1", api.str()));
  const Field kind = root.get("kind");
  if (kind.str() != "Experiment")
    kind.fail(fmt::format("unsupported kind '{}'; expected Experiment", kind.str()));

  const Field meta = root.get("metadata");
  meta.expect_keys({"name", "labels"});
  const Field name = meta.get("name");
  check_name(name, "experiment");
  p.name = name.str();
  if (auto labels = meta.find("labels")) {
    if (!labels->is_map()) labels->fail("expected a map of label: value");
    for (const auto& k : labels->keys())
      p.labels[k] = labels->get(k.c_str()).str();
  }

  const Field spec = root.get("spec");
  spec.expect_keys(
      {"duration", "targets", "selection", "faults", "safety", "dryRun", "stopConditions", "steadyState"});
  const Field duration = spec.get("duration");
  p.duration_ns = duration.duration_ns();
  if (p.duration_ns == 0) duration.fail("must be longer than 0s");
  if (p.duration_ns > kMaxDurationNs) duration.fail("must be at most 24h: experiments are bounded");
  if (auto safety = spec.find("safety")) {
    safety->expect_keys({"allowHostWide"});
    if (auto host_wide = safety->find("allowHostWide")) {
      p.safety.allow_host_wide = host_wide->boolean();
      p.safety.location = host_wide->location();
    }
  }

  const Field targets = spec.get("targets");
  for (const auto& t : targets.items())
    p.targets.push_back(parse_target(t));
  if (p.targets.empty()) targets.fail("at least one target is required");
  if (auto sel = spec.find("selection")) p.selection = parse_selection(*sel);

  const Field faults = spec.get("faults");
  std::set<std::string> names;
  for (const auto& f : faults.items()) {
    Fault fault = parse_fault(f, p.duration_ns, sections);
    if (!names.insert(fault.name).second)
      f.get("name").fail(fmt::format("duplicate fault name '{}'", fault.name));
    p.faults.push_back(std::move(fault));
  }
  if (p.faults.empty()) faults.fail("at least one fault is required");
  if (auto dry = spec.find("dryRun")) p.dry_run = dry->boolean();
  if (auto stops = spec.find("stopConditions")) {
    std::set<std::string> stop_names;
    for (const auto& item : stops->items()) {
      StopCondition stop = parse_stop_condition(item, p.stop_conditions.size(), p.faults);
      if (!stop_names.insert(stop.name).second)
        item.fail(fmt::format("duplicate stop condition name '{}'", stop.name));
      p.stop_conditions.push_back(std::move(stop));
    }
    if (p.stop_conditions.size() > 16) stops->fail("at most 16 stop conditions");
  }
  if (auto steady = spec.find("steadyState")) p.steady_state = parse_steady_state(*steady, p.faults);
  return p;
}

} // namespace

void check_name(const Field& f, const std::string& what) {
  static const std::regex kName("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  const std::string s = f.str();
  if (!std::regex_match(s, kName))
    f.fail(fmt::format("'{}' is not a valid {} name: use 1-63 lowercase letters, digits and '-', "
                       "starting and ending with a letter or digit",
                       s, what));
}

void refuse_counting_trigger(const Field& trigger, const std::string& why, const std::string& consequence) {
  for (const char* key : {"probability", "every", "after", "times"})
    if (auto k = trigger.find(key)) k->fail(fmt::format("{}; trigger.{} {}", why, key, consequence));
}

void check_syscall_name(const Field& name) {
  const std::string s = name.str();
  if (is_known_syscall(s)) return;
  const std::string guess = closest(s, syscall_names());
  name.fail(fmt::format("unknown syscall '{}'{}", s, guess.empty() ? "" : " (did you mean " + guess + "?)"));
}

Result<Policy> parse_policy(std::string_view text, const std::string& file_name,
                            const FaultSections& sections) {
  if (text.size() > kMaxPolicyBytes)
    return make_error(0, "{}: {} bytes; a policy is at most {} bytes", file_name, text.size(),
                      kMaxPolicyBytes);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's depth guard says only "bad file".
    const std::string what = e.msg == "bad file" ? "nested too deeply (or not text)" : e.msg;
    return make_error(0, "{}:{}:{}: invalid YAML: {}", file_name, e.mark.line + 1, e.mark.column + 1, what);
  }
  if (!root.IsMap())
    return make_error(0,
                      "{}:1:1: expected a faultline/v1 Experiment (a YAML map with apiVersion, kind, "
                      "metadata, spec)",
                      file_name);
  try {
    return parse_document(Field(&file_name, root, ""), file_name, sections);
  } catch (const PolicyError& e) {
    return Error{0, e.what()};
  } catch (const YAML::Exception& e) {
    return make_error(0, "{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const std::exception& e) {
    // Nothing in the parser should throw anything else; if it does, it is still a refusal.
    return make_error(0, "{}: cannot read this policy: {}", file_name, e.what());
  }
}

Result<Policy> load_policy_file(const std::string& path, const FaultSections& sections) {
  std::ifstream in(path);
  if (!in) return make_error(errno, "cannot read policy file {}", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_policy(ss.str(), path, sections);
}

} // namespace faultline::policy
