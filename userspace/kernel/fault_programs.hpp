// The loaded fault programs and their maps: the one place that turns compiled rules into kernel
// state. Load picks programs by feature probe; apply swaps a whole rule table atomically.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/compiled_rules.hpp"
#include "faultline/abi.h"
#include "kernel/bpf_handles.hpp"
#include "kernel/cgroup.hpp"
#include "kernel/features.hpp"
#include "util/result.hpp"

struct faultline_bpf;
struct bpf_map;
struct bpf_program;

namespace faultline::kernel {

struct LoadOptions {
  // The programs to load (the backends this kernel supports choose them); every other program
  // of the object is left out, since one the kernel cannot verify would fail the whole load.
  // None: the maps alone.
  std::vector<std::string> programs;
  // Of `programs`, those loaded only where the kernel has the function they attach to (a hook
  // newer kernels added, or one a kernel option provides); elsewhere they are left out, and the
  // backend refuses the faults that need them when it attaches.
  std::vector<std::string> optional;
  std::uint32_t events_per_sec_per_cpu = 2000;
};

class FaultPrograms {
public:
  // Creates the maps (rule table, counters, events, global data) and loads options.programs
  // (none: the maps alone). On failure, *refused (if given) names the program the kernel
  // refused, when libbpf said which.
  static Result<FaultPrograms> load(const LoadOptions& options, std::string* refused = nullptr);
  // Loads those of options.programs not loaded yet, in another instance of the object that
  // uses this one's maps, every one of them: faultlined loads a backend's programs when a fault
  // first needs them, so a host verifies only what it runs. Nothing changes on failure.
  Status load_more(const LoadOptions& options, std::string* refused = nullptr);

  FaultPrograms(FaultPrograms&&) noexcept = default;
  FaultPrograms& operator=(FaultPrograms&&) noexcept = default;
  ~FaultPrograms() = default;

  // Attaches a loaded cgroup_skb program (the backend names it) to a target cgroup. The kernel
  // then runs it only for sockets in that cgroup's subtree; the link detaches when dropped.
  Result<Link> attach_cgroup_skb(const CgroupInfo& cgroup, const std::string& program);
  // One element of one of the object's maps, by name: a family's own state that its programs read
  // (a cgroup storage its backend fills at attach). lookup_elem: ENOENT when the key has none.
  Status lookup_elem(const std::string& map, const void* key, std::size_t key_size, void* value,
                     std::size_t value_size) const;
  Status update_elem(const std::string& map, const void* key, std::size_t key_size, const void* value,
                     std::size_t value_size);
  // Attaches a loaded program at its own hook (LSM, fmod_ret...; global, rules scope it).
  Result<Link> attach_global(const std::string& program);
  // attach_global, once while any holder lives: for a program several sub-keys share (read and
  // write both use file_permission), which would otherwise run, and count every call, once per
  // holder. Called under the controller's lock, like every attach.
  Result<std::shared_ptr<Link>> attach_global_shared(const std::string& program);
  // Attaches a loaded kprobe program to a kernel function (a syscall wrapper).
  Result<Link> attach_kprobe(const std::string& program, const std::string& function);

  // Makes `rules` the live table in one generation flip. Rule ids new to the table start with
  // fresh counters; ids already live keep theirs (another experiment's apply must not reset them).
  // On error the previous table stays live and nothing of the new one remains; once the flip is
  // made apply reports success (cleanup of the old generation is retried later).
  Status apply(const engine::CompiledRules& rules);
  // Kill switch: one map write; every program returns at its first lookup.
  Status disarm();

  Result<fl_rule_stats> rule_stats(std::uint32_t rule_id) const;
  Result<std::uint64_t> global_stat(fl_global_stat which) const;
  int events_map_fd() const;
  // Whether `program` was loaded (an optional one is not where the kernel lacks its hook).
  bool loaded(const std::string& program) const;
  // The fd of a loaded program, for BPF_PROG_TEST_RUN in tests and benchmarks; -1 if not loaded.
  int program_fd(const std::string& program) const;

private:
  explicit FaultPrograms(faultline_bpf* skel);
  // The loaded program `name`, in whichever instance has it; nullptr if none.
  bpf_program* find(const std::string& name) const;
  Result<fl_config> read_config() const;
  Status write_config(const fl_config& config);
  // Batched map operations: one syscall per map however many rules a policy has.
  template <typename Key> Status delete_batch(bpf_map* map, const std::vector<Key>& keys);
  template <typename Key, typename Value>
  Status update_batch(bpf_map* map, const std::vector<Key>& keys, const std::vector<Value>& values);
  Status delete_stale();
  Status reset_counters(const std::vector<std::uint32_t>& rule_ids);

  struct SkelDeleter {
    void operator()(faultline_bpf* skel) const;
  };
  using Skeleton = std::unique_ptr<faultline_bpf, SkelDeleter>;
  Skeleton skel_;              // owns the maps; its programs are those load() was given
  std::vector<Skeleton> more_; // load_more()'s instances (declared after skel_: freed first)
  // load_more() may run beside find() (faultlined loads outside the controller's lock).
  std::unique_ptr<std::mutex> more_mu_ = std::make_unique<std::mutex>();
  int ncpus_ = 1;
  std::map<std::string, std::weak_ptr<Link>> shared_links_; // attach_global_shared's holders
  std::set<std::uint32_t> live_ids_;   // rule ids of the live table: their counters carry over
  std::vector<fl_rule_key> live_keys_; // keys of the live generation; the maps are ours alone
  std::vector<fl_hook_key> live_hook_keys_;
  std::vector<fl_rule_key> stale_rule_keys_; // of the inactive generation, still to delete
  std::vector<fl_hook_key> stale_hook_keys_;
};

} // namespace faultline::kernel
