#include "kernel/cgroup_level.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include "cgroup_level_bpf.skel.h"
#include "kernel/bpf_handles.hpp"
#include "kernel/libbpf_log.hpp"
#include "kernel/unique_fd.hpp"
#include "util/log.hpp"

namespace faultline::kernel {
namespace {

using LevelSkeleton = Skeleton<cgroup_level_bpf, cgroup_level_bpf__destroy>;

// Loaded once per process on first use; null when the kernel cannot load it.
cgroup_level_bpf* loaded_skeleton() {
  static const LevelSkeleton skel = [] {
    route_libbpf_log();
    LevelSkeleton s(cgroup_level_bpf__open_and_load());
    if (!s) log::debug("no cgroup iterator on this kernel; cgroup levels come from paths");
    return s;
  }();
  return skel.get();
}

} // namespace

Result<std::optional<std::uint32_t>> kernel_cgroup_level(const std::string& path) {
  cgroup_level_bpf* skel = loaded_skeleton();
  if (skel == nullptr) return std::optional<std::uint32_t>{};
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return make_error(errno, "cannot open cgroup {}", path);
  union bpf_iter_link_info info {};
  info.cgroup.cgroup_fd = static_cast<__u32>(dir.get());
  info.cgroup.order = BPF_CGROUP_ITER_SELF_ONLY;
  LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info, .link_info_len = sizeof(info));
  Link link(bpf_program__attach_iter(skel->progs.fl_cgroup_level, &opts));
  if (!link) return make_error(errno, "cannot iterate cgroup {}", path);
  UniqueFd iter(bpf_iter_create(bpf_link__fd(link.get())));
  if (!iter.valid()) return make_error(errno, "cannot read the level of cgroup {}", path);
  std::uint32_t level = 0;
  if (::read(iter.get(), &level, sizeof(level)) != static_cast<ssize_t>(sizeof(level)))
    return make_error(errno ? errno : EIO, "cannot read the level of cgroup {}", path);
  return std::optional<std::uint32_t>{level};
}

} // namespace faultline::kernel
