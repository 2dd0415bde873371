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
/* (cgroup, hook, sub) rule sets of all live experiments (x2 generations in the map, allocated
 * on use): 10,000 targets of one fault fit. */
#define FL_MAX_RULE_KEYS 16384
#define FL_MAX_HOOK_KEYS 1024  /* (hook, sub) pairs with rules (x2 generations in the map) */
#define FL_RULES_PER_SET 4     /* faults on the same cgroup and hook, evaluated in order */
#define FL_MAX_CGROUP_LEVEL 32 /* deepest cgroup level a rule may target */
#define FL_PATH_PREFIX_MAX 128 /* bytes of a path prefix filter (fl_path_match), NUL included */
#define FL_COMM_LEN 16
#define FL_PROB_ALWAYS 0xffffffffu /* probability threshold meaning "every matching event" */
#define FL_MAX_ERRNOS 4		   /* errnos in one weighted errno set */
/* A bitmap over cgroup ids (id mod FL_CG_FILTER_BITS) per generation: "some rule may target this
 * cgroup". The packet path tests one bit before the rule hash lookup, so a cgroup without rules
 * costs an array read, not a 24-byte hash; a false positive only falls through to the lookup. */
#define FL_CG_FILTER_BITS 65536 /* 8 KiB per generation: sparse even at 10,000 targets */
#define FL_CG_FILTER_WORDS (FL_CG_FILTER_BITS / 64) /* u64 words per generation */

/* Where a rule hooks in: one BPF program (or a family of equivalent backends) per hook. Each
 * family names its own hook ids and actions in its folder (bpf/<family>/abi.h); the registry's
 * test holds every id to one family. A hook may have sub-keys (a syscall number, say); rules and
 * level masks are keyed by (hook, sub), so no array in the ABI is sized by the number of hooks. */
typedef __u32 fl_hook;
typedef __u32 fl_action;

/* An interface target's rules are keyed like a cgroup's, by this id: cgroup ids never have the
 * top bit set, and the programs that look these up run only on the named device. */
#define FL_IFACE_TARGET_BIT (1ull << 63)

/* The actions every family may use; a family's own start at its own values (bpf/<family>/abi.h). */
#define FL_ACT_NONE 0u
#define FL_ACT_ERRNO 2u /* fail with one errno of the effect's weighted set */

enum fl_rule_flags {
	FL_RULE_DRY_RUN = 1u << 0, /* count what would have been injected, inject nothing */
};

/* Both sides compile these headers: a layout check that fails the C (BPF) and the C++ build. */
#ifdef __cplusplus
#define FL_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define FL_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

enum fl_family {
	FL_FAMILY_ANY = 0,
	FL_FAMILY_IPV4 = 4,
	FL_FAMILY_IPV6 = 6,
};

/* A peer filter: address family, prefix and port range; zero fields match anything. A filter
 * with a peer matches only that peer's address family: an IPv4 peer leaves IPv6 alone and the
 * reverse. Packet filters and syscall address filters compare against it alike. */
struct fl_peer_match {
	__u8 family; /* FL_FAMILY_*; 0 = both */
	__u8 prefix; /* peer prefix length in bits; 0 = any peer */
	__u16 pad0;
	__u16 port_min; /* peer port range, host byte order; 0/0 = any */
	__u16 port_max;
	__u32 addr[4]; /* the peer, network byte order; IPv4 in [0] */
	__u32 mask[4]; /* the prefix as a mask over addr[] */
};

/* A path prefix matched on component boundaries: "/var/lib/app" matches /var/lib/app and
 * /var/lib/app/x, never /var/lib/application. Userspace strips a trailing '/' (but of "/"). */
struct fl_path_match {
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

/* One value of a weighted set: the first entry with bpf_get_prandom_u32() < threshold is
 * chosen; thresholds are cumulative and the last is FL_PROB_ALWAYS. */
struct fl_errno_choice {
	__s32 err; /* positive errno (or a family's own value: a signal) */
	__u32 threshold;
};

/* What an injection does. Task-context hooks inject the value drawn from the weighted set (an
 * errno for FL_ACT_ERRNO; a family's own action gives its own meaning, the process family's a
 * signal); a family's further parameters are in its part of the rule. */
struct fl_effect {
	__u32 action; /* FL_ACT_* of the core or of the rule's family */
	__u32 nerr;   /* entries of errs in use; 0 = no value to inject */
	struct fl_errno_choice errs[FL_MAX_ERRNOS];
};

/* Bytes of a rule that belong to its family: its filters and its effect's own parameters, laid
 * out by the family (bpf/<family>/abi.h), which asserts that they fit. */
#define FL_RULE_FAMILY_SIZE 192

struct fl_rule {
	__u32 rule_id; /* index into fl_stats / fl_trig_state; < FL_MAX_RULES */
	__u32 flags;   /* enum fl_rule_flags */
	struct fl_effect effect;
	struct fl_trigger trigger;
	__u64 family[FL_RULE_FAMILY_SIZE / 8]; /* the family's part; 8-byte aligned */
};

struct fl_rule_key {
	__u64 cgroup_id; /* the target; the rule applies to it and every descendant */
	__u32 hook;	 /* enum fl_hook */
	__u32 sub;	 /* hook sub-key (a syscall number...); 0 when the hook has none */
	__u32 gen;	 /* generation (0/1) of the policy table this entry belongs to */
	__u32 pad0;
};

struct fl_rule_set {
	__u32 count;
	__u32 pad0;
	struct fl_rule rules[FL_RULES_PER_SET];
};

/* Task-context hooks (LSM, syscalls) run for every task on the host: before walking the
 * task's cgroup ancestry they look up which levels have rules for (hook, sub) in the live
 * generation. No entry = no rule = return at once. */
struct fl_hook_key {
	__u32 hook;
	__u32 sub;
	__u32 gen;
	__u32 pad0;
};

struct fl_hook_levels {
	__u64 mask; /* bit L: some rule on this (hook, sub) targets a cgroup at level L */
};

/* Global switch, fl_config[0].
 * A policy is applied atomically by a generation flip: userspace writes the new tables under
 * the inactive generation, then flips `gen` in one map write; BPF sees the old tables or the
 * new ones, never a mix. */
struct fl_config {
	__u32 armed; /* 0 = kill switch: every program returns without looking further */
	__u32 gen;   /* the live generation of fl_rules and fl_hooks */
	__u64 epoch; /* +1 at every apply: what a program cached about the old rules is stale */
};

/* Per rule, per CPU; summed in userspace. */
struct fl_rule_stats {
	__u64 matched;	/* events of the target that matched the rule's filters */
	__u64 injected; /* of those, faults injected (or that would have been, in dry run) */
	/* Of those, events where the fault could not be made and was not: a delayed packet leaving
	 * by a device without a qdisc that honours its departure time (a device or namespace the
	 * target reached after the start, until faultline sets it up). Never counted injected. */
	__u64 unapplied;
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
	FL_STAT_HOOK_MISMATCH =
		2, /* calls an LSM program left alone: the hook's arguments differ here */
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
	__u32 sub;   /* the hook's sub-key */
	char comm[FL_COMM_LEN];
};

/* `faultline observe`: the syscall errors a cgroup's tasks meet on their own (bpf/observe.bpf.c).
 * Calls are counted per syscall number below FL_OBS_MAX_NR, errors per (number, errno). */
#define FL_OBS_MAX_NR 512
#define FL_OBS_MAX_ERRORS 4096 /* distinct (syscall, errno) pairs kept; more are counted lost */

struct fl_obs_key {
	__u32 nr;
	__u32 err; /* positive errno */
};

enum fl_obs_stat {
	FL_OBS_STAT_LOST = 0, /* errors not counted: the error table was full */
	FL_OBS_STAT_INTERNAL =
		1, /* -ERESTART*: the kernel restarts the call or turns it into EINTR */
	FL_OBS_STAT_MAX = 2,
};

/* TCP retransmits counted for the cgroups a stop condition watches (bpf/retransmits.bpf.c):
 * a hash from cgroup id to the retransmits of sockets in that cgroup or below it. */
#define FL_RETRANS_MAX_CGROUPS 256
#define FL_RETRANS_MAX_DEPTH 32 /* cgroup levels walked up from a socket's cgroup */

#endif /* FAULTLINE_ABI_H */
