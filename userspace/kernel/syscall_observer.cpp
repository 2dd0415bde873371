#include "kernel/syscall_observer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <vector>

#include "faultline/abi.h"
#include "kernel/bpf_handles.hpp"
#include "kernel/libbpf_log.hpp"
#include "observe_bpf.skel.h"

namespace faultline::kernel {

using ObserveSkeleton = Skeleton<observe_bpf, observe_bpf__destroy>;

struct SyscallObserver::Loaded {
  ObserveSkeleton skel;
  Link link;
  unsigned cpus = 0;
};

SyscallObserver::SyscallObserver(std::unique_ptr<Loaded> loaded) : loaded_(std::move(loaded)) {}
SyscallObserver::SyscallObserver(SyscallObserver&&) noexcept = default;
SyscallObserver& SyscallObserver::operator=(SyscallObserver&&) noexcept = default;
SyscallObserver::~SyscallObserver() = default;

Result<SyscallObserver> SyscallObserver::start(const CgroupInfo& target) {
  route_libbpf_log();
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return make_error(cpus, "cannot count the possible CPUs");
  auto loaded = std::make_unique<Loaded>();
  loaded->cpus = static_cast<unsigned>(cpus);
  loaded->skel.reset(observe_bpf__open());
  if (!loaded->skel) return make_error(errno, "cannot open the syscall observer's BPF object");
  loaded->skel->rodata->fl_obs_cgroup_id = target.id;
  loaded->skel->rodata->fl_obs_level = target.level;
  if (int err = observe_bpf__load(loaded->skel.get()); err != 0)
    return make_error(err, "cannot load the syscall observer (raw sys_exit tracepoint) into this kernel");
  loaded->link.reset(bpf_program__attach(loaded->skel->progs.fl_observe_exit));
  if (!loaded->link) return make_error(errno, "cannot attach to the raw sys_exit tracepoint");
  return SyscallObserver(std::move(loaded));
}

namespace {

std::uint64_t sum(const std::vector<std::uint64_t>& per_cpu) {
  std::uint64_t total = 0;
  for (auto v : per_cpu)
    total += v;
  return total;
}

} // namespace

Result<ObservedSyscalls> SyscallObserver::read() const {
  ObservedSyscalls out;
  std::vector<std::uint64_t> values(loaded_->cpus);
  const auto& maps = loaded_->skel->maps;
  const int calls_fd = bpf_map__fd(maps.fl_obs_calls);
  for (std::uint32_t nr = 0; nr < FL_OBS_MAX_NR; ++nr) {
    if (bpf_map_lookup_elem(calls_fd, &nr, values.data()) != 0)
      return make_error(errno, "cannot read the observed call counts");
    if (auto n = sum(values); n != 0) out.calls[static_cast<int>(nr)] = n;
  }
  const int errors_fd = bpf_map__fd(maps.fl_obs_errors);
  fl_obs_key key{};
  fl_obs_key next{};
  const fl_obs_key* prev = nullptr;
  while (bpf_map_get_next_key(errors_fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    if (bpf_map_lookup_elem(errors_fd, &key, values.data()) != 0) continue; // never deleted; be safe
    if (auto n = sum(values); n != 0) out.errors[{static_cast<int>(key.nr), static_cast<int>(key.err)}] = n;
  }
  const int stats_fd = bpf_map__fd(maps.fl_obs_stats);
  for (std::uint32_t stat = 0; stat < FL_OBS_STAT_MAX; ++stat) {
    if (bpf_map_lookup_elem(stats_fd, &stat, values.data()) != 0)
      return make_error(errno, "cannot read the observer's own counters");
    (stat == FL_OBS_STAT_LOST ? out.lost : out.internal) = sum(values);
  }
  return out;
}

} // namespace faultline::kernel
