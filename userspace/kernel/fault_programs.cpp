#include "kernel/fault_programs.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>

#include <cstring>
#include <set>

#include "faultline_bpf.skel.h"
#include "kernel/libbpf_log.hpp"
#include "kernel/unique_fd.hpp"
#include "util/log.hpp"

namespace faultline::kernel {

void FaultPrograms::SkelDeleter::operator()(faultline_bpf* skel) const { faultline_bpf__destroy(skel); }

FaultPrograms::FaultPrograms(faultline_bpf* skel, FileBackend backend) : skel_(skel), file_backend_(backend) {
  const int n = libbpf_num_possible_cpus();
  ncpus_ = n > 0 ? n : 1;
}

Result<FaultPrograms> FaultPrograms::load(const LoadOptions& options) {
  route_libbpf_log();
  faultline_bpf* raw = faultline_bpf__open();
  if (raw == nullptr) return make_error(errno, "cannot open the faultline BPF object");
  FaultPrograms programs(raw, options.file_backend);
  auto* skel = programs.skel_.get();
  // Only the backend this kernel supports is loaded: an unsupported program would fail the
  // whole load.
  bpf_program__set_autoload(skel->progs.fl_lsm_file_open, options.file_backend == FileBackend::lsm);
  bpf_program__set_autoload(skel->progs.fl_fmod_file_open, options.file_backend == FileBackend::fmod_ret);
  skel->rodata->fl_event_rate_per_cpu = options.events_per_sec_per_cpu;
  if (int err = faultline_bpf__load(skel); err != 0)
    return make_error(err,
                      "cannot load the faultline BPF programs (FAULTLINE_LOG=debug shows the verifier log)");
  // Loaded disarmed with an empty table: nothing can fire until a policy is applied.
  if (auto st = programs.write_config(fl_config{}); !st) return st.error();
  return programs;
}

Result<Link> FaultPrograms::attach_cgroup_skb(const CgroupInfo& cgroup, fl_hook hook) {
  bpf_program* prog = nullptr;
  if (hook == FL_HOOK_NET_EGRESS)
    prog = skel_->progs.fl_skb_egress;
  else if (hook == FL_HOOK_NET_INGRESS)
    prog = skel_->progs.fl_skb_ingress;
  else
    return make_error(EINVAL, "hook {} is not a packet hook", static_cast<int>(hook));
  UniqueFd fd(::open(cgroup.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot open cgroup {}", cgroup.path);
  Link link(bpf_program__attach_cgroup(prog, fd.get()));
  if (!link) return make_error(errno, "cannot attach {} to cgroup {}", bpf_program__name(prog), cgroup.path);
  return link;
}

Result<Link> FaultPrograms::attach_file_open() {
  bpf_program* prog = nullptr;
  switch (file_backend_) {
  case FileBackend::lsm: prog = skel_->progs.fl_lsm_file_open; break;
  case FileBackend::fmod_ret: prog = skel_->progs.fl_fmod_file_open; break;
  case FileBackend::none:
    return make_error(EOPNOTSUPP, "file faults were not loaded: this kernel has no usable backend");
  }
  Link link(bpf_program__attach(prog));
  if (!link) return make_error(errno, "cannot attach {}", bpf_program__name(prog));
  return link;
}

Result<fl_config> FaultPrograms::read_config() const {
  fl_config config{};
  const std::uint32_t zero = 0;
  if (bpf_map__lookup_elem(skel_->maps.fl_config, &zero, sizeof(zero), &config, sizeof(config), 0) != 0)
    return make_error(errno, "cannot read fl_config");
  return config;
}

Status FaultPrograms::write_config(const fl_config& config) {
  const std::uint32_t zero = 0;
  if (bpf_map__update_elem(skel_->maps.fl_config, &zero, sizeof(zero), &config, sizeof(config), BPF_ANY) != 0)
    return make_error(errno, "cannot write fl_config");
  return {};
}

Status FaultPrograms::delete_generation(std::uint32_t gen) {
  bpf_map* map = skel_->maps.fl_rules;
  std::vector<fl_rule_key> doomed;
  fl_rule_key key{};
  fl_rule_key next{};
  const void* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
    if (next.gen == gen) doomed.push_back(next);
    key = next;
    prev = &key;
  }
  for (const auto& k : doomed)
    if (bpf_map__delete_elem(map, &k, sizeof(k), 0) != 0 && errno != ENOENT)
      return make_error(errno, "cannot delete a rule of generation {}", gen);
  return {};
}

Status FaultPrograms::reset_counters(std::uint32_t rule_id) {
  const fl_trig_state zero_state{};
  if (bpf_map__update_elem(skel_->maps.fl_trig_state, &rule_id, sizeof(rule_id), &zero_state,
                           sizeof(zero_state), BPF_ANY) != 0)
    return make_error(errno, "cannot reset trigger state of rule {}", rule_id);
  std::vector<fl_rule_stats> zero_stats(static_cast<size_t>(ncpus_));
  if (bpf_map__update_elem(skel_->maps.fl_stats, &rule_id, sizeof(rule_id), zero_stats.data(),
                           zero_stats.size() * sizeof(fl_rule_stats), BPF_ANY) != 0)
    return make_error(errno, "cannot reset counters of rule {}", rule_id);
  return {};
}

Status FaultPrograms::apply(const engine::CompiledRules& rules) {
  auto current = read_config();
  if (!current) return current.error();
  const std::uint32_t live_gen = current->gen;
  const std::uint32_t next_gen = live_gen ^ 1u;

  // 1. Fill the inactive generation. A leftover from an interrupted apply is cleared first.
  if (auto st = delete_generation(next_gen); !st) return st;
  std::set<std::uint32_t> ids;
  for (const auto& [target, set] : rules.sets()) {
    const fl_rule_key key{target.first, target.second, next_gen};
    for (std::uint32_t i = 0; i < set.count; ++i) {
      const std::uint32_t id = set.rules[i].rule_id;
      if (live_ids_.count(id) == 0 && ids.count(id) == 0) {
        if (auto st = reset_counters(id); !st) {
          (void)delete_generation(next_gen);
          return st;
        }
      }
      ids.insert(id);
    }
    if (bpf_map__update_elem(skel_->maps.fl_rules, &key, sizeof(key), &set, sizeof(set), BPF_NOEXIST) != 0) {
      const Error err = make_error(errno, "cannot insert the rules of cgroup {}", target.first);
      (void)delete_generation(next_gen);
      return err;
    }
  }

  // 2. Flip. The level masks are widened to old|new around the flip, so a program reading the
  //    config mid-way looks at a superset of levels, which only costs a lookup.
  fl_config config = *current;
  for (size_t h = 0; h < FL_HOOK_MAX; ++h)
    config.level_mask[h] |= rules.level_masks()[h];
  if (auto st = write_config(config); !st) {
    (void)delete_generation(next_gen);
    return st;
  }
  config.gen = next_gen;
  config.armed = rules.empty() ? 0 : 1;
  if (auto st = write_config(config); !st) {
    (void)write_config(*current);
    (void)delete_generation(next_gen);
    return st;
  }
  for (size_t h = 0; h < FL_HOOK_MAX; ++h)
    config.level_mask[h] = rules.level_masks()[h];
  if (auto st = write_config(config); !st) return st; // the wider mask left behind is harmless

  // 3. The old generation is unreachable now.
  live_ids_ = std::move(ids);
  return delete_generation(live_gen);
}

Status FaultPrograms::disarm() {
  auto config = read_config();
  if (!config) return config.error();
  config->armed = 0;
  return write_config(*config);
}

Result<fl_rule_stats> FaultPrograms::rule_stats(std::uint32_t rule_id) const {
  std::vector<fl_rule_stats> per_cpu(static_cast<size_t>(ncpus_));
  if (bpf_map__lookup_elem(skel_->maps.fl_stats, &rule_id, sizeof(rule_id), per_cpu.data(),
                           per_cpu.size() * sizeof(fl_rule_stats), 0) != 0)
    return make_error(errno, "cannot read counters of rule {}", rule_id);
  fl_rule_stats total{};
  for (const auto& s : per_cpu) {
    total.matched += s.matched;
    total.injected += s.injected;
  }
  return total;
}

Result<std::uint64_t> FaultPrograms::global_stat(fl_global_stat which) const {
  const std::uint32_t key = which;
  std::vector<std::uint64_t> per_cpu(static_cast<size_t>(ncpus_));
  if (bpf_map__lookup_elem(skel_->maps.fl_gstats, &key, sizeof(key), per_cpu.data(),
                           per_cpu.size() * sizeof(std::uint64_t), 0) != 0)
    return make_error(errno, "cannot read global counter {}", key);
  std::uint64_t total = 0;
  for (auto v : per_cpu)
    total += v;
  return total;
}

int FaultPrograms::events_map_fd() const { return bpf_map__fd(skel_->maps.fl_events); }

} // namespace faultline::kernel
