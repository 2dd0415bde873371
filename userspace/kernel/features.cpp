#include "kernel/features.hpp"

#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "kernel/bpf_handles.hpp"
#include "kernel/cgroup.hpp"
#include "kernel/libbpf_log.hpp"
#include "probe_bpf.skel.h"

namespace faultline::kernel {
namespace {

using ProbeSkel = Skeleton<probe_bpf, probe_bpf__destroy>;

constexpr std::array<std::string_view, static_cast<size_t>(Feature::count_)> kNames = {
    "cgroup_skb", "tc",         "lsm",         "fmod_ret_security",  "kprobe_override", "tracepoint_signal",
    "fq_qdisc",   "prio_qdisc", "netem_qdisc", "cgroup_controllers", "cgroup_freeze"};

bool path_exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Tracepoint attach resolves ids through tracefs; a bare host may not have it mounted.
void ensure_tracefs() {
  if (path_exists("/sys/kernel/tracing/events") || path_exists("/sys/kernel/debug/tracing/events")) return;
  ::mount("none", "/sys/kernel/tracing", "tracefs", 0, nullptr);
}

// Loads (and attaches) only `prog_name` from the probe object. The result says which step failed.
FeatureStatus try_program(const char* prog_name, const char* what) {
  route_libbpf_log();
  QuietLibbpf quiet;
  ProbeSkel skel(probe_bpf__open());
  if (!skel) return {false, fmt::format("cannot open the probe object: {}", std::strerror(errno))};
  bpf_program* wanted = nullptr;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, skel->obj) {
    const bool is_wanted = std::strcmp(bpf_program__name(prog), prog_name) == 0;
    bpf_program__set_autoload(prog, is_wanted);
    if (is_wanted) wanted = prog;
  }
  if (wanted == nullptr) return {false, fmt::format("probe program {} missing", prog_name)};
  if (int err = probe_bpf__load(skel.get()); err != 0)
    return {false, fmt::format("loading a {} program failed: {}", what, std::strerror(-err))};
  Link link(bpf_program__attach(wanted));
  if (!link) return {false, fmt::format("attaching a {} program failed: {}", what, std::strerror(errno))};
  return {true, fmt::format("a {} program loaded and attached", what)};
}

FeatureStatus probe_lsm() {
  const std::string active = read_first_line("/sys/kernel/security/lsm");
  if (!active.empty()) {
    std::stringstream list(active);
    std::string item;
    bool found = false;
    while (std::getline(list, item, ','))
      found = found || item == "bpf";
    if (!found)
      return {false,
              fmt::format("`bpf` is not in the active LSM list ({}); boot with lsm={},bpf", active, active)};
  }
  return try_program("fl_probe_lsm", "BPF-LSM");
}

FeatureStatus probe_kprobe_override() {
  if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_override_return, nullptr) <= 0)
    return {false, "bpf_override_return is unavailable (kernel built without "
                   "CONFIG_BPF_KPROBE_OVERRIDE / CONFIG_FUNCTION_ERROR_INJECTION)"};
  // libbpf attaches kprobes through the perf "kprobe" PMU; without it the kernel has no kprobes.
  if (!path_exists("/sys/bus/event_source/devices/kprobe"))
    return {false, "the kernel has no kprobes (CONFIG_KPROBES off): syscall errno injection needs them"};
  return try_program("fl_probe_kprobe_override", "kprobe with bpf_override_return");
}

FeatureStatus probe_prog_type(bpf_prog_type type, const char* what) {
  if (libbpf_probe_bpf_prog_type(type, nullptr) > 0) return {true, fmt::format("{} programs load", what)};
  return {false, fmt::format("this kernel does not load {} programs", what)};
}

// A qdisc's module: loaded, available as a module, or built in (its ops in the symbol table).
FeatureStatus probe_qdisc(const std::string& module, const std::string& ops, const std::string& config,
                          const std::string& why) {
  if (path_exists(("/sys/module/" + module).c_str())) return {true, module + " is loaded or built in"};
  utsname uts{};
  ::uname(&uts);
  std::ifstream deps(fmt::format("/lib/modules/{}/modules.dep", uts.release));
  std::string line;
  const std::string ko = "/" + module + ".ko";
  while (std::getline(deps, line)) {
    if (line.find(ko) != std::string::npos)
      return {true, module + " is available as a module (loaded on first use)"};
  }
  // Built in without module parameters, a qdisc has no /sys/module entry (and a kernel built
  // without modules no modules.dep): its qdisc ops are in the symbol table.
  const std::string sym = " " + ops;
  std::ifstream syms("/proc/kallsyms");
  while (std::getline(syms, line)) {
    if (line.size() > sym.size() && line.compare(line.size() - sym.size(), sym.size(), sym) == 0)
      return {true, module + " is built in"};
  }
  return {false, fmt::format("the kernel has no {} qdisc ({} off): {}", module, config, why)};
}

// The controllers resource faults write knobs of, as the cgroup v2 root offers them.
FeatureStatus probe_cgroup_controllers() {
  auto fs = CgroupFs::discover();
  if (!fs) return {false, fs.error().message};
  const std::string root = fs->mount_point();
  std::ifstream in(root + "/cgroup.controllers");
  std::set<std::string> offered;
  for (std::string c; in >> c;)
    offered.insert(c);
  std::vector<std::string> have;
  std::vector<std::string> lack;
  for (const char* c : {"cpu", "memory", "io"})
    (offered.count(c) != 0 ? have : lack).emplace_back(c);
  if (have.empty())
    return {false,
            fmt::format("the cgroup v2 hierarchy at {} offers none of cpu, memory, io (bound to cgroup "
                        "v1 hierarchies, or not built in)",
                        root)};
  if (lack.empty()) return {true, fmt::format("cgroup v2 at {} offers cpu, memory and io", root)};
  return {true, fmt::format("cgroup v2 at {} offers {}; not {}", root, fmt::join(have, ", "),
                            fmt::join(lack, ", "))};
}

// The freezer's file is in every cgroup but the root: this process's own cgroup, else any child
// of the root shows whether the kernel has it; on a host with none (a fresh VM), a child made for
// the look and removed again.
FeatureStatus probe_cgroup_freeze() {
  auto fs = CgroupFs::discover();
  if (!fs) return {false, fs.error().message};
  const std::string& root = fs->mount_point();
  const FeatureStatus yes{true, fmt::format("cgroup v2 at {} has cgroup.freeze", root)};
  const FeatureStatus no{
      false, fmt::format("cgroup v2 at {} has no cgroup.freeze (the freezer needs Linux 5.2+)", root)};
  std::vector<std::string> dirs;
  if (auto self = fs->path_of_pid(::getpid()); self && *self != root) dirs.push_back(*self);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  if (!dirs.empty()) return path_exists((dirs.front() + "/cgroup.freeze").c_str()) ? yes : no;
  const std::string probe = fmt::format("{}/faultline-probe-{}", root, ::getpid());
  if (::mkdir(probe.c_str(), 0700) != 0)
    return {false, fmt::format("no cgroup below {} to look for cgroup.freeze in, and none can be made: {}",
                               root, std::strerror(errno))};
  const bool has = path_exists((probe + "/cgroup.freeze").c_str());
  ::rmdir(probe.c_str());
  return has ? yes : no;
}

} // namespace

std::string_view feature_name(Feature feature) { return kNames.at(static_cast<size_t>(feature)); }

std::optional<Feature> feature_from_name(std::string_view name) {
  for (Feature f : kAllFeatures)
    if (feature_name(f) == name) return f;
  return std::nullopt;
}

FeatureStatus KernelFeatureProbe::probe(Feature feature) {
  switch (feature) {
  case Feature::cgroup_skb: return probe_prog_type(BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb");
  case Feature::tc: return probe_prog_type(BPF_PROG_TYPE_SCHED_CLS, "tc (sched_cls)");
  case Feature::lsm: return probe_lsm();
  case Feature::fmod_ret_security: return try_program("fl_probe_fmod_ret", "fmod_ret on security_file_open");
  case Feature::kprobe_override: return probe_kprobe_override();
  case Feature::tracepoint_signal:
    ensure_tracefs();
    return try_program("fl_probe_tp_signal", "syscall tracepoint with bpf_send_signal");
  case Feature::fq_qdisc:
    return probe_qdisc("sch_fq", "fq_qdisc_ops", "CONFIG_NET_SCH_FQ", "EDT delay needs it");
  case Feature::prio_qdisc:
    return probe_qdisc("sch_prio", "prio_qdisc_ops", "CONFIG_NET_SCH_PRIO",
                       "a tree that classifies by skb->priority needs it");
  case Feature::netem_qdisc:
    return probe_qdisc("sch_netem", "netem_qdisc_ops", "CONFIG_NET_SCH_NETEM",
                       "releasing queued packets from their socket (skb_orphan_partial) needs it");
  case Feature::cgroup_controllers: return probe_cgroup_controllers();
  case Feature::cgroup_freeze: return probe_cgroup_freeze();
  case Feature::count_: break;
  }
  return {false, "unknown feature"};
}

Features::Features(std::unique_ptr<FeatureProbe> probe) : probe_(std::move(probe)) {}

const FeatureStatus& Features::status(Feature feature) {
  std::lock_guard lock(mu_);
  auto& slot = cache_.at(static_cast<size_t>(feature));
  if (!slot) slot = probe_->probe(feature);
  return *slot;
}

} // namespace faultline::kernel
