// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Asks the kernel how deep a cgroup is. A cgroup's level (what bpf_get_current_ancestor_cgroup_id
 * counts) cannot be read off its path: inside a cgroup namespace the mount's root is not the
 * hierarchy's root. A cgroup iterator over exactly one cgroup writes its level. */
#include "lib/common.bpf.h"

SEC("iter/cgroup")
int fl_cgroup_level(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup;
	__u32 level;

	if (!cgrp)
		return 0;
	level = BPF_CORE_READ(cgrp, level);
	bpf_seq_write(ctx->meta->seq, &level, sizeof(level));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
