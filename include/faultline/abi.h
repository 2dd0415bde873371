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
#define FL_PATH_PREFIX_MAX 128 /* bytes of a file path prefix, NUL included */
#define FL_PATH_BUF 4096       /* bytes of d_path output examined: PATH_MAX */
#define FL_DNS_NAME_MAX 64     /* bytes of a DNS query name matched (wire form) */
#define FL_SYS_PATH_MAX 124    /* bytes of a syscall path-argument prefix, NUL included */
#define FL_COMM_LEN 16
#define FL_PROB_ALWAYS 0xffffffffu /* probability threshold meaning "every matching event" */
#define FL_MAX_ERRNOS 4		   /* errnos in one weighted errno set */
/* A bitmap over cgroup ids (id mod FL_CG_FILTER_BITS) per generation: "some rule may target this
 * cgroup". The packet path tests one bit before the rule hash lookup, so a cgroup without rules
 * costs an array read, not a 24-byte hash; a false positive only falls through to the lookup. */
#define FL_CG_FILTER_BITS 65536 /* 8 KiB per generation: sparse even at 10,000 targets */
#define FL_CG_FILTER_WORDS (FL_CG_FILTER_BITS / 64) /* u64 words per generation */

/* Where a rule hooks in: one BPF program (or a family of equivalent backends) per hook. A hook
 * may have sub-keys (a syscall number, say); rules and level masks are keyed by (hook, sub), so
 * no array in the ABI is sized by the number of hooks. */
enum fl_hook {
	FL_HOOK_NET_EGRESS = 0,
	FL_HOOK_NET_INGRESS = 1,
	FL_HOOK_FILE_OPEN = 2,
	FL_HOOK_NET_SHAPE = 3, /* egress departure times (delay, jitter, rate): its own program */
	FL_HOOK_NET_TC = 4,    /* tc egress on the target's devices: corrupt, duplicate */
	FL_HOOK_IFACE_EGRESS = 5,  /* interface targets: tc egress of the named device */
	FL_HOOK_IFACE_INGRESS = 6, /* interface targets: tc ingress of the named device */
	FL_HOOK_IFACE_SHAPE = 7,   /* interface targets: departure times, read by the egress program
				    * after its own rules; a hook of its own so fq goes only where
				    * something is delayed */
	FL_HOOK_SYSCALL = 8, /* syscall errors; sub = the syscall's number on this architecture */
	FL_HOOK_PROCESS = 9, /* process faults on syscall entry (signals); sub = syscall number */
};

/* An interface target's rules are keyed like a cgroup's, by this id: cgroup ids never have the
 * top bit set, and the programs that look these up run only on the named device. */
#define FL_IFACE_TARGET_BIT (1ull << 63)

enum fl_action {
	FL_ACT_NONE = 0,
	FL_ACT_DROP = 1,       /* network: drop the packet */
	FL_ACT_ERRNO = 2,      /* file/syscall: fail with one errno of the effect's weighted set */
	FL_ACT_SHAPE = 3,      /* network: delay (EDT departure time) and/or pace the packet */
	FL_ACT_CORRUPT = 4,    /* network: flip one bit of the payload (checksum kept valid) */
	FL_ACT_DUPLICATE = 5,  /* network: send the packet twice */
	FL_ACT_DNS_ANSWER = 6, /* network: answer a DNS query in place of the server (dns_rcode) */
	FL_ACT_SIGNAL = 7,     /* process: send effect.signal to the calling process */
};

/* fl_effect.corrupt_flags */
#define FL_CORRUPT_BAD_CSUM                                                                        \
	1u /* leave the transport checksum wrong: the receiver's stack drops it */

enum fl_rule_flags {
	FL_RULE_DRY_RUN = 1u << 0, /* count what would have been injected, inject nothing */
};

/* Network match; zero fields match anything. A rule with a peer matches only that peer's
 * address family: an IPv4 peer leaves IPv6 traffic alone and the reverse. */
struct fl_net_match {
	__u8 protocol;	/* IPPROTO_*; 0 = any; FL_IPPROTO_ICMP_ANY matches ICMP and ICMPv6 */
	__u8 family;	/* FL_FAMILY_*; 0 = both */
	__u8 prefix;	/* peer prefix length in bits; 0 = any peer */
	__u8 syn_only;	/* 1: only TCP SYNs that open a connection (SYN set, ACK clear) */
	__u16 port_min; /* peer port range, host byte order; 0/0 = any */
	__u16 port_max;
	__u32 peer[4]; /* peer (dst on egress, src on ingress), network byte order; IPv4 in [0] */
	__u32 mask[4]; /* the prefix as a mask over peer[] */
	/* DNS: only queries (UDP to port 53) for this name; dns_len 0 = not a DNS rule. Lowercase,
	 * in wire form with its terminating zero ("db.internal" is 2db8internal0). FL_DNS_SUFFIX:
	 * the query name ends with it at a label boundary ("*.db.internal"), else equal. */
	__u8 dns_len;
	__u8 dns_flags;
	__u8 pad1[2];
	char dns_name[FL_DNS_NAME_MAX];
};

#define FL_DNS_SUFFIX 1u

enum fl_family {
	FL_FAMILY_ANY = 0,
	FL_FAMILY_IPV4 = 4,
	FL_FAMILY_IPV6 = 6,
};

#define FL_IPPROTO_ICMP_ANY 1 /* packets carry ICMP (1) or ICMPv6 (58); both compare as 1 */

/* fl_rule_key.sub of FL_HOOK_FILE_OPEN: the file operation a rule fails (open is 0, as before
 * the other operations existed). */
enum fl_file_op {
	FL_FILE_OP_OPEN = 0,
	FL_FILE_OP_READ = 1,  /* read, pread64, readv, sendfile...: every read access check */
	FL_FILE_OP_WRITE = 2, /* write, pwrite64, writev...: every write access check */
	FL_FILE_OP_MMAP = 3,  /* mmap of a file */
	/* Directory-entry operations, judged by the resolved path of the entry they change (the
	 * path_* LSM hooks; no per-inode cache: they are not hot loops). */
	FL_FILE_OP_TRUNCATE = 4, /* truncate, ftruncate, open with O_TRUNC */
	FL_FILE_OP_UNLINK = 5,	 /* unlink, unlinkat (not rmdir) */
	FL_FILE_OP_RENAME = 6,	 /* rename, renameat, renameat2: the source or the destination */
	FL_FILE_OP_MKDIR = 7,	 /* mkdir, mkdirat */
};

/* A path prefix matched on component boundaries: "/var/lib/app" matches /var/lib/app and
 * /var/lib/app/x, never /var/lib/application. Userspace strips a trailing '/' (but of "/"). */
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

/* One errno of a weighted set: the first entry with bpf_get_prandom_u32() < threshold is
 * chosen; thresholds are cumulative and the last is FL_PROB_ALWAYS. */
struct fl_errno_choice {
	__s32 err; /* positive errno */
	__u32 threshold;
};

/* How a network drop decides, beyond the trigger: Bernoulli (the trigger's probability alone)
 * or Gilbert-Elliott, a two-state Markov chain held per target (bursty loss, as netem's
 * "loss gemodel"). Thresholds compare against bpf_get_prandom_u32(). */
enum fl_loss_kind {
	FL_LOSS_BERNOULLI = 0,
	FL_LOSS_GILBERT_ELLIOTT = 1,
};

struct fl_loss_model {
	__u32 kind;	 /* enum fl_loss_kind */
	__u32 p;	 /* good -> bad transition, per packet */
	__u32 r;	 /* bad -> good transition, per packet */
	__u32 loss_bad;	 /* loss in the bad state */
	__u32 loss_good; /* loss in the good state */
	__u32 pad0;
};

/* What an injection does, with its parameters. */
struct fl_effect {
	__u32 action; /* enum fl_action */
	__u32 nerr;   /* entries of errs in use (FL_ACT_ERRNO) */
	struct fl_errno_choice errs[FL_MAX_ERRNOS];
	__u64 delay_ns;	 /* added latency (FL_ACT_SHAPE) */
	__u64 jitter_ns; /* +- around delay_ns, uniform */
	__u64 rate_bps;	 /* pacing rate, bytes per second; 0 = no pacing */
	struct fl_loss_model loss;
	__u16 dns_rcode;     /* FL_ACT_DNS_ANSWER: the answer's RCODE (2 SERVFAIL, 3 NXDOMAIN) */
	__u16 corrupt_flags; /* FL_ACT_CORRUPT: FL_CORRUPT_* */
	__u32 signal;	     /* FL_ACT_SIGNAL: the signal number */
};

/* Where a syscall filter finds the peer address among the arguments. */
enum fl_sys_addr_kind {
	FL_SYS_ADDR_NONE = 0,
	FL_SYS_ADDR_SOCKADDR = 1, /* args[addr_arg] is a sockaddr, args[addr_len_arg] its length */
	FL_SYS_ADDR_MSGHDR = 2,	  /* args[addr_arg] is a msghdr whose msg_name is the sockaddr */
};

/* The security hook a syscall.lsm rule is judged at: each BPF-LSM program knows its own, so a
 * syscall passing other attached hooks on its way (exec maps files, read on a socket passes
 * socket_recvmsg too) is judged once, at its own hook. 0: at syscall entry (kprobe). */
enum fl_lsm_hook {
	FL_LSM_AT_ENTRY = 0,
	FL_LSM_FILE_OPEN,
	FL_LSM_FILE_PERMISSION,
	FL_LSM_MMAP_FILE,
	FL_LSM_FILE_MPROTECT,
	FL_LSM_FILE_IOCTL,
	FL_LSM_FILE_FCNTL,
	FL_LSM_FILE_LOCK,
	FL_LSM_INODE_UNLINK,
	FL_LSM_INODE_RMDIR,
	FL_LSM_INODE_MKDIR,
	FL_LSM_INODE_RENAME,
	FL_LSM_INODE_LINK,
	FL_LSM_INODE_SYMLINK,
	FL_LSM_INODE_GETATTR,
	FL_LSM_BPRM_CHECK_SECURITY,
	FL_LSM_TASK_KILL,
	FL_LSM_SOCKET_CREATE,
	FL_LSM_SOCKET_CONNECT,
	FL_LSM_SOCKET_BIND,
	FL_LSM_SOCKET_LISTEN,
	FL_LSM_SOCKET_ACCEPT,
	FL_LSM_SOCKET_SENDMSG,
	FL_LSM_SOCKET_RECVMSG,
	FL_LSM_SOCKET_SHUTDOWN,
};

/* Syscall argument filters, read from the caller's registers at entry; zero fields match
 * anything. Userspace knows each syscall's signature and sets the argument indexes. */
struct fl_sys_match {
	__u8 flags_arg;	   /* 1 + index of the open-flags argument; 0 = no flags filter */
	__u8 accmodes;	   /* bit (1 << (flags & O_ACCMODE)) for each access mode that matches */
	__u8 addr_kind;	   /* enum fl_sys_addr_kind */
	__u8 addr_arg;	   /* index of the sockaddr or msghdr pointer */
	__u8 addr_len_arg; /* index of the sockaddr's length (FL_SYS_ADDR_SOCKADDR) */
	__u8 lsm_hook;	   /* enum fl_lsm_hook: where the rule is judged */
	__u8 path_arg;	   /* 1 + index of the path argument; 0 = no path filter */
	__u8 path_len;	   /* bytes of path[] compared (< FL_SYS_PATH_MAX) */
	__u32 flag_bits;   /* with flags_arg: a call carrying any of these open flags matches too */
	union {
		struct fl_net_match
			net; /* family, peer prefix and port range (protocol, dns unused) */
		/* The path argument's prefix, as the caller wrote it, on a component boundary. A
		 * syscall has a path or a peer, never both. */
		char path[FL_SYS_PATH_MAX];
	};
};

struct fl_rule {
	__u32 rule_id; /* index into fl_stats / fl_trig_state; < FL_MAX_RULES */
	__u32 flags;   /* enum fl_rule_flags */
	struct fl_effect effect;
	struct fl_trigger trigger;
	union {
		struct fl_net_match net;
		struct fl_file_match file;
		struct fl_sys_match sys;
	};
};

/* Per-target state of a network rule, kept in the cgroup storage of the target's attachment
 * (one per target cgroup and direction): a burst model or a pacing clock belongs to the target,
 * not to the fault. A slot whose rule_id does not match belongs to an earlier policy: reset. */
struct fl_net_slot {
	__u32 rule_id_plus1; /* 0 = unused */
	__u32 ge_bad;	     /* Gilbert-Elliott: 1 while in the bad state */
	__u64 next_ns;	     /* pacing: the earliest departure of the next packet */
};

struct fl_attach_state {
	__u64 cgroup_id; /* the cgroup this attachment serves; written by userspace at attach */
	__u64 pad0;
	struct fl_net_slot slots[2 * FL_RULES_PER_SET]; /* drop rules, then shape rules */
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
		2, /* calls a syscall LSM program left alone: the hook's arguments differ here */
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
