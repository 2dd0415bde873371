/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every type that crosses the BPF <-> userspace boundary. Included by the BPF programs (after
 * vmlinux.h) and by C++ (which static_asserts the layout in userspace/kernel/abi_check.cpp).
 * Fixed-width types and explicit padding only: the same bytes must mean the same on both sides.
 */
#ifndef FAULTLINE_ABI_H
#define FAULTLINE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define FL_MAX_RULES 1024 /* rule ids index the stats and trigger-state arrays */
#define FL_MAX_RULE_KEYS                                                                           \
	1024 /* (cgroup, hook) pairs in one applied policy (x2 generations in the map) */
#define FL_RULES_PER_SET 4     /* faults on the same cgroup and hook, evaluated in order */
#define FL_MAX_CGROUP_LEVEL 32 /* deepest cgroup level a rule may target */
#define FL_PATH_PREFIX_MAX 128 /* bytes of a file path prefix, NUL included */
#define FL_PATH_BUF 256	       /* bytes of d_path output examined */
#define FL_COMM_LEN 16
#define FL_PROB_ALWAYS 0xffffffffu /* probability threshold meaning "every matching event" */

/* Where a rule hooks in. Each hook is one BPF program (or a family of equivalent backends). */
enum fl_hook {
	FL_HOOK_NET_EGRESS = 0,
	FL_HOOK_NET_INGRESS = 1,
	FL_HOOK_FILE_OPEN = 2,
	FL_HOOK_MAX = 8, /* room for later hooks without an ABI break of fl_config */
};

enum fl_action {
	FL_ACT_NONE = 0,
	FL_ACT_DROP = 1,  /* network: drop the packet */
	FL_ACT_ERRNO = 2, /* file/syscall: fail with -err */
};

enum fl_rule_flags {
	FL_RULE_DRY_RUN = 1u << 0, /* count what would have been injected, inject nothing */
};

/* Network match; zero fields match anything. Addresses and ports are in network byte order. */
struct fl_net_match {
	__u8 protocol; /* IPPROTO_*; 0 = any */
	__u8 pad0[3];
	__u32 peer_addr; /* IPv4 peer (dst on egress, src on ingress) */
	__u32 peer_mask; /* 0 = any peer */
	__u16 port_min;	 /* peer port range, host byte order; 0/0 = any */
	__u16 port_max;
};

struct fl_file_match {
	__u32 prefix_len; /* bytes of prefix compared; 0 = any path */
	__u32 pad0;
	char prefix[FL_PATH_PREFIX_MAX];
};

/* When a matching event becomes an injection. Evaluated in this order:
 * time window -> after -> every -> probability -> times. */
struct fl_trigger {
	__u64 start_ns;	   /* CLOCK_MONOTONIC (bpf_ktime_get_ns): not before */
	__u64 deadline_ns; /* not at or after; always set: no fault outlives its experiment */
	__u32 probability; /* inject when bpf_get_prandom_u32() < probability; FL_PROB_ALWAYS =
			      always */
	__u32 every;	   /* 0/1 = each; n = the n-th, 2n-th... eligible event */
	__u32 after;	   /* skip the first `after` matching events */
	__u32 times;	   /* 0 = unlimited; else at most this many injections */
};

struct fl_rule {
	__u32 rule_id; /* index into fl_stats / fl_trig_state; < FL_MAX_RULES */
	__u32 action;  /* enum fl_action */
	__s32 err;     /* positive errno for FL_ACT_ERRNO */
	__u32 flags;   /* enum fl_rule_flags */
	struct fl_trigger trigger;
	union {
		struct fl_net_match net;
		struct fl_file_match file;
	};
};

struct fl_rule_key {
	__u64 cgroup_id; /* the target; the rule applies to it and every descendant */
	__u32 hook;	 /* enum fl_hook */
	__u32 gen;	 /* generation (0/1) of the policy table this entry belongs to */
};

struct fl_rule_set {
	__u32 count;
	__u32 pad0;
	struct fl_rule rules[FL_RULES_PER_SET];
};

/* Global switch and fast-path filter, fl_config[0].
 * A policy is applied atomically by a generation flip: userspace writes the new table under the
 * inactive generation, then flips `gen` in one map write; BPF sees the old table or the new one,
 * never a mix. */
struct fl_config {
	__u32 armed; /* 0 = kill switch: every program returns without looking further */
	__u32 gen;   /* the live generation of fl_rules */
	/* bit L set: some rule on this hook targets a cgroup at level L. A superset is harmless, so
	 * userspace widens it before a swap and narrows it after. 0 = the hook has no rule at all.
	 */
	__u64 level_mask[FL_HOOK_MAX];
};

/* Per rule, per CPU; summed in userspace. */
struct fl_rule_stats {
	__u64 matched;	/* events of the target that matched the rule's filters */
	__u64 injected; /* of those, faults injected (or that would have been, in dry run) */
};

/* Shared (not per-CPU) trigger state so every/after/times are exact across CPUs. */
struct fl_trig_state {
	__u64 seen;  /* matching events inside the time window */
	__u64 fired; /* injections */
};

enum fl_global_stat {
	FL_STAT_EVENTS_DROPPED = 0, /* ring buffer full or rate-limited */
	FL_STAT_DEADLINE_EXPIRED =
		1, /* matching events after a rule's deadline: inert rules still loaded */
	FL_STAT_MAX = 4,
};

struct fl_event {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u32 rule_id;
	__u32 hook;
	__u32 action;
	__s32 err;
	__u32 pid;
	__u32 tgid;
	__u32 flags; /* FL_RULE_DRY_RUN when nothing was injected */
	__u32 pad0;
	char comm[FL_COMM_LEN];
};

#endif /* FAULTLINE_ABI_H */
