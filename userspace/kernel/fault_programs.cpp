#include "kernel/fault_programs.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <set>

#include "faultline_bpf.skel.h"
#include "kernel/libbpf_log.hpp"
#include "kernel/unique_fd.hpp"
#include "util/log.hpp"

namespace faultline::kernel {

namespace {

// Whether the kernel has the function a trampoline program (lsm/HOOK, fmod_ret/FUNC,
// fentry/FUNC) attaches to, by vmlinux's BTF (parsed once, by the first caller that needs it);
// other program types are taken as attachable.
bool kernel_has_attach_target(const bpf_program* prog, std::unique_ptr<btf, void (*)(btf*)>& vmlinux) {
  const std::string section = bpf_program__section_name(prog);
  const auto slash = section.find('/');
  const bpf_attach_type type = bpf_program__expected_attach_type(prog);
  if (slash == std::string::npos || (type != BPF_LSM_MAC && type != BPF_MODIFY_RETURN &&
                                     type != BPF_TRACE_FENTRY && type != BPF_TRACE_FEXIT))
    return true;
  if (!vmlinux) vmlinux.reset(btf__load_vmlinux_btf());
  if (!vmlinux) return true; // no BTF to look in: let the load say what is wrong
  const std::string function = (type == BPF_LSM_MAC ? "bpf_lsm_" : "") + section.substr(slash + 1);
  return btf__find_by_name_kind(vmlinux.get(), function.c_str(), BTF_KIND_FUNC) > 0;
}

} // namespace

bpf_program* FaultPrograms::find(const std::string& name) const {
  auto in = [&](const Skeleton& skel) -> bpf_program* {
    bpf_program* prog = bpf_object__find_program_by_name(skel->obj, name.c_str());
    return prog != nullptr && bpf_program__autoload(prog) && bpf_program__fd(prog) >= 0 ? prog : nullptr;
  };
  if (auto* prog = in(skel_)) return prog;
  std::lock_guard lock(*more_mu_);
  for (const auto& skel : more_)
    if (auto* prog = in(skel)) return prog;
  return nullptr;
}

bool FaultPrograms::loaded(const std::string& program) const { return find(program) != nullptr; }

void FaultPrograms::SkelDeleter::operator()(faultline_bpf* skel) const { faultline_bpf__destroy(skel); }

FaultPrograms::FaultPrograms(faultline_bpf* skel) : skel_(skel) {
  const int n = libbpf_num_possible_cpus();
  ncpus_ = n > 0 ? n : 1;
}

namespace {

// Marks for loading the programs of `options` (minus those `skip` says are loaded already)
// that this kernel can attach, and no other program of the object.
Status select_programs(bpf_object* obj, const LoadOptions& options,
                       const std::function<bool(const std::string&)>& skip) {
  // FAULTLINE_TEST_REFUSE=PROG: tests only. PROG is loaded as a socket filter, which the
  // verifier refuses, standing in for a kernel that refuses it (the load must go on without it).
  const char* refuse = std::getenv("FAULTLINE_TEST_REFUSE");
  bpf_program* prog = nullptr;
  std::unique_ptr<btf, void (*)(btf*)> vmlinux(nullptr, btf__free);
  bpf_object__for_each_program(prog, obj) {
    const std::string name = bpf_program__name(prog);
    const bool wanted =
        std::find(options.programs.begin(), options.programs.end(), name) != options.programs.end() &&
        !skip(name);
    const bool optional =
        std::find(options.optional.begin(), options.optional.end(), name) != options.optional.end();
    const bool hooked = !wanted || !optional || kernel_has_attach_target(prog, vmlinux);
    bpf_program__set_autoload(prog, wanted && hooked);
    if (wanted && !hooked)
      log::info("{}: this kernel has no {}; not loaded", name, bpf_program__section_name(prog));
    if (wanted && refuse != nullptr && name == refuse)
      bpf_program__set_type(prog, BPF_PROG_TYPE_SOCKET_FILTER);
  }
  for (const auto& name : options.programs)
    if (bpf_object__find_program_by_name(obj, name.c_str()) == nullptr)
      return make_error(ENOENT, "the faultline BPF object has no program {}", name);
  return {};
}

Error load_failed(int err, std::string* refused) {
  const std::string culprit = take_failed_program();
  if (refused != nullptr) *refused = culprit;
  return make_error(err,
                    "cannot load the faultline BPF programs{} (FAULTLINE_LOG=debug shows the verifier log)",
                    culprit.empty() ? "" : ": the kernel refused " + culprit);
}

} // namespace

Result<FaultPrograms> FaultPrograms::load(const LoadOptions& options, std::string* refused) {
  route_libbpf_log();
  (void)take_failed_program();
  faultline_bpf* raw = faultline_bpf__open();
  if (raw == nullptr) return make_error(errno, "cannot open the faultline BPF object");
  FaultPrograms programs(raw);
  auto* skel = programs.skel_.get();
  if (auto st = select_programs(skel->obj, options, [](const std::string&) { return false; }); !st)
    return st.error();
  skel->rodata->fl_event_rate_per_cpu = options.events_per_sec_per_cpu;
  if (int err = faultline_bpf__load(skel); err != 0) return load_failed(err, refused);
  // Loaded disarmed with an empty table: nothing can fire until a policy is applied.
  if (auto st = programs.write_config(fl_config{}); !st) return st.error();
  return programs;
}

Status FaultPrograms::load_more(const LoadOptions& options, std::string* refused) {
  const bool all_loaded = std::all_of(options.programs.begin(), options.programs.end(),
                                      [&](const std::string& name) { return loaded(name); });
  if (all_loaded) return {};
  (void)take_failed_program();
  Skeleton skel(faultline_bpf__open());
  if (!skel) return make_error(errno, "cannot open the faultline BPF object");
  // Every map is the first instance's: its programs see the same rule table, counters, events
  // and global data (.rodata included, so the same event rate), and nothing is created.
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel->obj) {
    const bpf_map* own = bpf_object__find_map_by_name(skel_->obj, bpf_map__name(map));
    if (own == nullptr || bpf_map__fd(own) < 0)
      return make_error(ENOENT, "the faultline BPF object's map {} is not loaded", bpf_map__name(map));
    if (int err = bpf_map__reuse_fd(map, bpf_map__fd(own)); err != 0)
      return make_error(-err, "cannot share the map {} with more programs", bpf_map__name(map));
  }
  auto skip = [&](const std::string& name) { return loaded(name); };
  if (auto st = select_programs(skel->obj, options, skip); !st) return st;
  if (int err = faultline_bpf__load(skel.get()); err != 0) return load_failed(err, refused);
  std::lock_guard lock(*more_mu_);
  more_.push_back(std::move(skel));
  return {};
}

Result<Link> FaultPrograms::attach_cgroup_skb(const CgroupInfo& cgroup, const std::string& program) {
  bpf_program* prog = find(program);
  if (prog == nullptr) return make_error(EOPNOTSUPP, "program {} was not loaded", program);
  if (bpf_program__type(prog) != BPF_PROG_TYPE_CGROUP_SKB)
    return make_error(EINVAL, "program {} is not a cgroup_skb program", program);
  UniqueFd fd(::open(cgroup.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot open cgroup {}", cgroup.path);
  Link link(bpf_program__attach_cgroup(prog, fd.get()));
  if (!link) return make_error(errno, "cannot attach {} to cgroup {}", bpf_program__name(prog), cgroup.path);
  return link;
}

Status FaultPrograms::lookup_elem(const std::string& map, const void* key, std::size_t key_size, void* value,
                                  std::size_t value_size) const {
  const bpf_map* m = bpf_object__find_map_by_name(skel_->obj, map.c_str());
  if (m == nullptr) return make_error(ENOENT, "the faultline BPF object has no map {}", map);
  if (bpf_map__lookup_elem(m, key, key_size, value, value_size, 0) != 0)
    return make_error(errno, "cannot read an element of the map {}", map);
  return {};
}

Status FaultPrograms::update_elem(const std::string& map, const void* key, std::size_t key_size,
                                  const void* value, std::size_t value_size) {
  const bpf_map* m = bpf_object__find_map_by_name(skel_->obj, map.c_str());
  if (m == nullptr) return make_error(ENOENT, "the faultline BPF object has no map {}", map);
  if (bpf_map__update_elem(m, key, key_size, value, value_size, 0) != 0)
    return make_error(errno, "cannot write an element of the map {}", map);
  return {};
}

Result<Link> FaultPrograms::attach_global(const std::string& program) {
  bpf_program* prog = find(program);
  if (prog == nullptr)
    return make_error(EOPNOTSUPP, "program {} was not loaded: this kernel has no backend for it", program);
  Link link(bpf_program__attach(prog));
  if (!link) return make_error(errno, "cannot attach {}", program);
  return link;
}

Result<std::shared_ptr<Link>> FaultPrograms::attach_global_shared(const std::string& program) {
  auto& slot = shared_links_[program];
  if (auto link = slot.lock()) return link;
  auto attached = attach_global(program);
  if (!attached) return attached.error();
  auto link = std::make_shared<Link>(std::move(*attached));
  slot = link;
  return link;
}

Result<Link> FaultPrograms::attach_kprobe(const std::string& program, const std::string& function) {
  bpf_program* prog = find(program);
  if (prog == nullptr)
    return make_error(EOPNOTSUPP, "program {} was not loaded: this kernel has no backend for it", program);
  Link link(bpf_program__attach_kprobe(prog, false, function.c_str()));
  if (!link) {
    const int err = errno;
    // bpf_override_return is allowed only on functions marked ALLOW_ERROR_INJECTION; the
    // kernel refuses the others with EINVAL (or the function does not exist: ENOENT).
    return make_error(err,
                      "cannot attach a kprobe to {} (is it a syscall this kernel has, listed in "
                      "/sys/kernel/debug/fail_function/injectable?)",
                      function);
  }
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

template <typename Key> Status FaultPrograms::delete_batch(bpf_map* map, const std::vector<Key>& keys) {
  if (keys.empty()) return {};
  __u32 count = static_cast<__u32>(keys.size());
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  if (bpf_map_delete_batch(bpf_map__fd(map), keys.data(), &count, &opts) != 0 && errno != ENOENT)
    return make_error(errno, "cannot delete {} entries of {}", keys.size(), bpf_map__name(map));
  return {};
}

template <typename Key, typename Value>
Status FaultPrograms::update_batch(bpf_map* map, const std::vector<Key>& keys,
                                   const std::vector<Value>& values) {
  if (keys.empty()) return {};
  // Batch updates take no BPF_NOEXIST; the inactive generation is empty by construction.
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  __u32 count = static_cast<__u32>(keys.size());
  if (bpf_map_update_batch(bpf_map__fd(map), keys.data(), values.data(), &count, &opts) != 0)
    return make_error(errno, "cannot insert {} entries into {}", keys.size(), bpf_map__name(map));
  return {};
}

Status FaultPrograms::reset_counters(const std::vector<std::uint32_t>& rule_ids) {
  if (rule_ids.empty()) return {};
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  const std::vector<fl_trig_state> zero_states(rule_ids.size());
  __u32 count = static_cast<__u32>(rule_ids.size());
  if (bpf_map_update_batch(bpf_map__fd(skel_->maps.fl_trig_state), rule_ids.data(), zero_states.data(),
                           &count, &opts) != 0)
    return make_error(errno, "cannot reset the trigger state of {} rules", rule_ids.size());
  const std::vector<fl_rule_stats> zero_stats(rule_ids.size() * static_cast<size_t>(ncpus_));
  count = static_cast<__u32>(rule_ids.size());
  if (bpf_map_update_batch(bpf_map__fd(skel_->maps.fl_stats), rule_ids.data(), zero_stats.data(), &count,
                           &opts) != 0)
    return make_error(errno, "cannot reset the counters of {} rules", rule_ids.size());
  return {};
}

Status FaultPrograms::apply(const engine::CompiledRules& rules) {
  auto current = read_config();
  if (!current) return current.error();
  const std::uint32_t next_gen = current->gen ^ 1u;
  // Leftovers of an earlier apply whose cleanup failed: the inactive generation must be empty.
  if (auto st = delete_stale(); !st) return st;

  // 1. Fill the inactive generation, with fresh counters for rule ids new to the table.
  std::vector<fl_rule_key> keys;
  std::vector<fl_rule_set> sets;
  std::set<std::uint32_t> ids;
  std::vector<std::uint32_t> new_ids;
  for (const auto& [target, set] : rules.sets()) {
    const auto& [cgroup_id, hook, sub] = target;
    keys.push_back(fl_rule_key{cgroup_id, hook, sub, next_gen, 0});
    sets.push_back(set);
    for (std::uint32_t i = 0; i < set.count; ++i) {
      const std::uint32_t id = set.rules[i].rule_id;
      if (ids.insert(id).second && live_ids_.count(id) == 0) new_ids.push_back(id);
    }
  }
  std::vector<fl_hook_key> hook_keys;
  std::vector<fl_hook_levels> masks;
  for (const auto& [hook, mask] : rules.level_masks()) {
    hook_keys.push_back(fl_hook_key{hook.first, hook.second, next_gen, 0});
    masks.push_back(fl_hook_levels{mask});
  }
  // The cgroup filter of the next generation: one bit per target cgroup (mod the bitmap size).
  std::vector<std::uint32_t> filter_idx(FL_CG_FILTER_WORDS);
  std::vector<std::uint64_t> filter(FL_CG_FILTER_WORDS, 0);
  for (std::uint32_t w = 0; w < FL_CG_FILTER_WORDS; ++w)
    filter_idx[w] = next_gen * FL_CG_FILTER_WORDS + w;
  for (const auto& key : keys) {
    const std::uint64_t bit = key.cgroup_id % FL_CG_FILTER_BITS;
    filter[bit / 64] |= 1ull << (bit % 64);
  }
  if (auto st = reset_counters(new_ids); !st) return st;
  if (auto st = update_batch(skel_->maps.fl_cg_filter, filter_idx, filter); !st) return st;
  auto undo = [&](const Error& e) {
    (void)delete_batch(skel_->maps.fl_rules, keys);
    (void)delete_batch(skel_->maps.fl_hooks, hook_keys);
    return e;
  };
  if (auto st = update_batch(skel_->maps.fl_rules, keys, sets); !st) return undo(st.error());
  if (auto st = update_batch(skel_->maps.fl_hooks, hook_keys, masks); !st) return undo(st.error());

  // 2. Flip: one write makes the whole new table live (or, empty, disarms).
  fl_config config = *current;
  config.gen = next_gen;
  config.armed = rules.empty() ? 0 : 1;
  config.epoch = current->epoch + 1;
  if (auto st = write_config(config); !st) return undo(st.error());

  // 3. The old generation is unreachable now. The policy is live, so apply succeeded whatever
  //    happens here: a failed delete is logged and retried before the next fill.
  stale_rule_keys_ = std::move(live_keys_);
  stale_hook_keys_ = std::move(live_hook_keys_);
  if (auto st = delete_stale(); !st)
    log::warn("the previous rule table stays in the inactive generation until the next apply: {}",
              st.error().describe());
  live_keys_ = std::move(keys);
  live_hook_keys_ = std::move(hook_keys);
  live_ids_ = std::move(ids);
  return {};
}

Status FaultPrograms::delete_stale() {
  if (auto st = delete_batch(skel_->maps.fl_rules, stale_rule_keys_); !st) return st;
  stale_rule_keys_.clear();
  if (auto st = delete_batch(skel_->maps.fl_hooks, stale_hook_keys_); !st) return st;
  stale_hook_keys_.clear();
  return {};
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
    total.unapplied += s.unapplied;
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

int FaultPrograms::program_fd(const std::string& program) const {
  const bpf_program* prog = find(program);
  return prog == nullptr ? -1 : bpf_program__fd(prog);
}

} // namespace faultline::kernel
