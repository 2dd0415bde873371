// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The target's TCP retransmits, for stop conditions (`counter: {metric: tcpRetransmits}`): the
 * tcp_retransmit_skb tracepoint fires for each retransmitted segment; the socket's cgroup (the
 * cgroup2 one its creator was in) and each of its ancestors that a stop condition watches get
 * one more. Raw tracepoint: no BTF trampoline needed, so it runs on the machine itself too. */
#include "lib/common.bpf.h"
#include "faultline/abi.h"

/* LRU: the cgroups a daemon watched come and go (pods, transient scopes) and nothing else
 * removes them; the ones in use are read every check, so they are the recently used ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FL_RETRANS_MAX_CGROUPS);
	__type(key, __u64);   /* a watched cgroup's id */
	__type(value, __u64); /* retransmits below it since it was added */
} fl_retrans_cgroups SEC(".maps");

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(fl_tcp_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	struct cgroup *cgrp = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	int i;

	for (i = 0; i < FL_RETRANS_MAX_DEPTH && cgrp; i++) {
		__u64 id = BPF_CORE_READ(cgrp, kn, id);
		__u64 *count = bpf_map_lookup_elem(&fl_retrans_cgroups, &id);

		if (count)
			__sync_fetch_and_add(count, 1);
		/* cgroup.self is its first member: the parent's css is the parent cgroup. */
		cgrp = (struct cgroup *)BPF_CORE_READ(cgrp, self.parent);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
