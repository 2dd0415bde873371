#include "kernel/retransmit_counter.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "faultline/abi.h"
#include "kernel/bpf_handles.hpp"
#include "kernel/libbpf_log.hpp"
#include "retransmits_bpf.skel.h"

namespace faultline::kernel {

using RetransmitsSkeleton = Skeleton<retransmits_bpf, retransmits_bpf__destroy>;

struct RetransmitCounter::Loaded {
  RetransmitsSkeleton skel;
  Link link;
};

RetransmitCounter::RetransmitCounter(std::unique_ptr<Loaded> loaded) : loaded_(std::move(loaded)) {}
RetransmitCounter::RetransmitCounter(RetransmitCounter&&) noexcept = default;
RetransmitCounter& RetransmitCounter::operator=(RetransmitCounter&&) noexcept = default;
RetransmitCounter::~RetransmitCounter() = default;

Result<RetransmitCounter> RetransmitCounter::start() {
  route_libbpf_log();
  auto loaded = std::make_unique<Loaded>();
  loaded->skel.reset(retransmits_bpf__open_and_load());
  if (!loaded->skel)
    return make_error(
        errno, "cannot load the TCP retransmit counter (tcp_retransmit_skb tracepoint) into this kernel");
  loaded->link.reset(bpf_program__attach(loaded->skel->progs.fl_tcp_retransmit));
  if (!loaded->link) return make_error(errno, "cannot attach to the tcp_retransmit_skb tracepoint");
  return RetransmitCounter(std::move(loaded));
}

Result<std::uint64_t> RetransmitCounter::count(std::uint64_t cgroup_id) {
  const int fd = bpf_map__fd(loaded_->skel->maps.fl_retrans_cgroups);
  std::uint64_t value = 0;
  if (bpf_map_lookup_elem(fd, &cgroup_id, &value) == 0) return value;
  // Not watched yet: from now on. Another caller may add it first (EEXIST): read theirs.
  const std::uint64_t zero = 0;
  if (bpf_map_update_elem(fd, &cgroup_id, &zero, BPF_NOEXIST) != 0 && errno != EEXIST)
    return make_error(errno, "cannot watch cgroup {}'s TCP retransmits", cgroup_id);
  if (bpf_map_lookup_elem(fd, &cgroup_id, &value) != 0)
    return make_error(errno, "cannot read TCP retransmits");
  return value;
}

} // namespace faultline::kernel
