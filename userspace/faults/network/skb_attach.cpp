#include "faults/network/skb_attach.hpp"

#include <linux/bpf.h>

#include "faultline_bpf.programs.hpp"
#include "network/abi.h"

namespace faultline::faults {

Result<kernel::Link> attach_skb(kernel::FaultPrograms& programs, const kernel::CgroupInfo& cgroup,
                                const std::string& program) {
  auto link = programs.attach_cgroup_skb(cgroup, program);
  if (!link) return link.error();
  // Cgroup storage is keyed by (cgroup, attach type): the egress and shape programs share one
  // element. Keep the live per-target state when the other one already wrote it.
  const bpf_cgroup_storage_key key{cgroup.id, program == program::fl_skb_ingress ? BPF_CGROUP_INET_INGRESS
                                                                                 : BPF_CGROUP_INET_EGRESS};
  fl_attach_state state{};
  if (programs.lookup_elem("fl_attach_cgrp", &key, sizeof(key), &state, sizeof(state)) &&
      state.cgroup_id == cgroup.id)
    return link;
  state = fl_attach_state{};
  state.cgroup_id = cgroup.id;
  if (auto st = programs.update_elem("fl_attach_cgrp", &key, sizeof(key), &state, sizeof(state)); !st)
    return make_error(st.error().code, "cannot record the cgroup of the {} attachment at {}: {}", program,
                      cgroup.path, st.error().message);
  return link;
}

} // namespace faultline::faults
