// A cgroup's level as the kernel counts it (the `level` bpf_get_current_ancestor_cgroup_id and
// bpf_skb_ancestor_cgroup_id take), read with a cgroup iterator. The path cannot tell it inside
// a cgroup namespace, where the mount's root is not the hierarchy's root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/result.hpp"

namespace faultline::kernel {

// nullopt when this kernel has no cgroup iterator (before 6.1) or BPF is not allowed here; the
// caller then falls back to the path. An error when the kernel could answer and did not.
Result<std::optional<std::uint32_t>> kernel_cgroup_level(const std::string& path);

} // namespace faultline::kernel
