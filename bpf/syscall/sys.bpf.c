// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Syscall errors for the tasks of a target cgroup, keyed by syscall number:
 *   - a kprobe on the syscall's wrapper (__x64_sys_openat) returns -errno through
 *     bpf_override_return, so the syscall never runs (kernels with CONFIG_BPF_KPROBE_OVERRIDE);
 *   - errors where kprobes cannot override (Debian, RHEL): BPF-LSM programs on the security
 *     hooks the syscalls pass (file_permission for read and write, socket_connect...) fail the
 *     call from inside it, keyed by the syscall number the task is executing.
 * All read the syscall number and arguments from the caller's saved user registers. */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "syscall/abi.h"

/* libbpf 1.1 names five syscall argument registers; the sixth is read by name. */
#if defined(__TARGET_ARCH_arm64)
#define FL_SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#define FL_SYSCALL_NR_BTF(regs) ((regs)->syscallno)
#define FL_SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#else
#define FL_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#define FL_SYSCALL_NR_BTF(regs) ((regs)->orig_ax) /* regs from bpf_task_pt_regs: a direct load */
#define FL_SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#endif

#define FL_PF_KTHREAD 0x00200000 /* include/linux/sched.h */
#define FL_PF_IO_WORKER 0x00000010

#define FL_AF_INET 2
#define FL_AF_INET6 10

/* One call: its number and the six argument registers, read once per call that reaches a
 * target's rules (on the stack, so global functions can take it). */
struct fl_sys_call {
	__u64 args[6];
	__u64 regs; /* the caller's saved user registers (struct pt_regs *) */
	__u64 now;  /* the clock, read with the arguments; 0 until then */
	__u32 nr;
	__u32 lsm_hook; /* enum fl_lsm_hook of the program judging the call */
};

static __always_inline void fl_sys_read_args(struct fl_sys_call *call, const struct pt_regs *regs)
{
	call->args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	call->args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	call->args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	call->args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	call->args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	call->args[5] = FL_SYSCALL_ARG6(regs);
}

static __always_inline __u64 fl_sys_arg(const struct fl_sys_call *call, __u32 i)
{
	return call->args[i < 6 ? i : 5];
}

/* The peer a connect/bind/sendto/sendmsg call names, against the rule's family, prefix and
 * port range. A call without an address (sendto on a connected socket) matches no peer filter.
 * A global function: verified once, not once per rule slot. */
__noinline int fl_sys_addr_matches(const struct fl_sys_match *m, const struct fl_sys_call *call)
{
	const void *uaddr;
	__u64 len;
	union {
		struct {
			__u16 family;
			__u16 port;
			__u32 addr;
		} v4;
		struct {
			__u16 family;
			__u16 port;
			__u32 flowinfo;
			__u32 addr[4];
		} v6;
	} sa = {};
	__u32 peer[4] = {};
	__u16 port;
	__u8 family;

	if (!m || !call)
		return 0;
	if (m->addr_kind == FL_SYS_ADDR_MSGHDR) {
		struct user_msghdr hdr;

		if (bpf_probe_read_user(&hdr, sizeof(hdr), (void *)fl_sys_arg(call, m->addr_arg)))
			return false;
		uaddr = hdr.msg_name;
		len = hdr.msg_namelen;
	} else {
		uaddr = (const void *)fl_sys_arg(call, m->addr_arg);
		len = fl_sys_arg(call, m->addr_len_arg);
	}
	len = (__u32)len;
	if (!uaddr || len < sizeof(sa.v4))
		return false;
	if (bpf_probe_read_user(&sa, len < sizeof(sa) ? sizeof(sa.v4) : sizeof(sa), uaddr))
		return false;
	if (sa.v4.family == FL_AF_INET) {
		family = FL_FAMILY_IPV4;
		peer[0] = sa.v4.addr;
	} else if (sa.v4.family == FL_AF_INET6 && len >= sizeof(sa.v6)) {
		if (!sa.v6.addr[0] && !sa.v6.addr[1] && sa.v6.addr[2] == bpf_htonl(0xffff)) {
			/* ::ffff:a.b.c.d, how dual-stack sockets name IPv4 peers */
			family = FL_FAMILY_IPV4;
			peer[0] = sa.v6.addr[3];
		} else {
			family = FL_FAMILY_IPV6;
			__builtin_memcpy(peer, sa.v6.addr, sizeof(peer));
		}
	} else {
		return false; /* AF_UNIX and others carry no IP peer */
	}
	port = bpf_ntohs(sa.v4.port);
	return fl_peer_matches(&m->peer, family, peer, port);
}

/* The path argument against the rule's prefix, as the caller wrote it (relative paths and
 * symlinks are not resolved), on a component boundary: /data matches /data and /data/x, never
 * /database. A path the read cannot reach (unmapped) matches nothing. A global function:
 * verified once, not once per rule slot. */
__noinline int fl_sys_path_matches(const struct fl_sys_match *m, const struct fl_sys_call *call)
{
	char buf[FL_SYS_PATH_MAX + 4];
	__u32 len, last;
	long n;

	if (!m || !call)
		return 0;
	len = m->path_len;
	if (!len || len >= FL_SYS_PATH_MAX)
		return 0;
	n = bpf_probe_read_user_str(buf, sizeof(buf),
				    (const void *)fl_sys_arg(call, m->path_arg - 1));
	if (n <= 0 || (__u64)(n - 1) < len)
		return 0; /* unreadable, or shorter than the prefix */
	for (__u32 i = 0; i < FL_SYS_PATH_MAX; i++) {
		if (i >= len)
			break;
		if (buf[i] != m->path[i])
			return 0;
	}
	/* Re-bounded behind a barrier (the compiler knows the test is redundant): 6.1's verifier
	 * loses len's lower bound past the != 0 test, so len - 1 could underflow for it. */
	last = len - 1;
	barrier_var(last);
	if (last >= FL_SYS_PATH_MAX)
		return 0;
	if (m->path[last] == '/')
		return 1; /* "/" or a prefix written with its trailing slash */
	return buf[len] == '\0' || buf[len] == '/';
}

static __always_inline bool fl_sys_matches(const struct fl_sys_match *m,
					   const struct fl_sys_call *call)
{
	if (m->lsm_hook != call->lsm_hook)
		return false; /* judged at its own hook only */
	if (m->flags_arg) {
		__u32 flags = (__u32)fl_sys_arg(call, m->flags_arg - 1);

		if (!(m->accmodes & (1u << (flags & 3))) && !(flags & m->flag_bits))
			return false;
	}
	if (m->addr_kind && !fl_sys_addr_matches(m, call))
		return false;
	if (m->path_arg && !fl_sys_path_matches(m, call))
		return false;
	return true;
}

__noinline int fl_sys_rule_fire(const struct fl_rule *rule, __u32 hook, __u32 sub, __u64 cgid,
				__u64 now)
{
	if (!rule)
		return 0;
	return fl_task_rule_fire(rule, hook, sub, cgid, now);
}

/* The rules one target holds for this call: what to inject (a positive errno or a signal),
 * -1 when a dry-run rule would have (the call is decided: nothing further is counted), else 0.
 * A global function, verified once rather than once per cgroup level. */
__noinline int fl_sys_rules(struct fl_rule_set *set, const struct fl_sys_call *call, __u32 hook,
			    __u64 cgid, __u64 now)
{
	if (!set || !call)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		int value;

		if (i >= set->count)
			break;
		if (!fl_sys_matches(fl_sys_match_of(rule), call))
			continue;
		value = fl_sys_rule_fire(rule, hook, call->nr, cgid, now);
		if (value)
			return value;
	}
	return 0;
}

/* The rules the caller's ancestor at `level` holds for the call, judged as fl_sys_rules does;
 * 0 when the task is not that deep or that cgroup holds none. The arguments and the clock are
 * read at the first level that holds rules: a caller outside every target needs neither (a clock
 * read is a clocksource access, microseconds on an emulated HPET). A global function, so the
 * verifier checks this once rather than once per level of the walk in fl_sys_walk. */
__noinline int fl_sys_level(struct fl_sys_call *call, __u32 level, __u32 hook)
{
	struct fl_rule_set *set;
	__u64 cgid = 0;

	if (!call)
		return 0;
	set = fl_task_rules_at(level, hook, call->nr, &cgid);
	if (!set)
		return 0;
	if (!call->now) {
		fl_sys_read_args(call, (const struct pt_regs *)call->regs);
		call->now = bpf_ktime_get_ns();
	}
	return fl_sys_rules(set, call, hook, cgid, call->now);
}

/* Every target on the task's ancestry with rules for (hook, nr), deepest first, each once;
 * the first injection decides the call. `levels`: the cgroup levels holding such rules. */
static __always_inline int fl_sys_walk(__u64 levels, __u32 hook, const struct pt_regs *regs,
				       __u32 nr, __u32 lsm_hook)
{
	struct fl_sys_call call;

	__builtin_memset(&call, 0, sizeof(call));
	call.regs = (__u64)regs;
	call.nr = nr;
	call.lsm_hook = lsm_hook;
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		int value;

		if (!(levels & (1ull << level)))
			continue;
		value = fl_sys_level(&call, level, hook);
		if (value < 0)
			return 0; /* a dry-run rule decided the call */
		if (value > 0 && value < 4096)
			return value;
	}
	return 0;
}

/* The cgroup levels holding rules for (hook, nr) in the live generation; 0 when disarmed or
 * none does, the common case: a call no rule names costs two lookups. */
static __always_inline __u64 fl_sys_levels(__u32 hook, __u32 nr)
{
	const struct fl_config *cfg = fl_armed_config();

	return cfg ? fl_hook_levels(cfg, hook, nr) : 0;
}

/* Attached to the wrapper of each syscall some rule names (the loader attaches one kprobe per
 * syscall, all running this program). The wrapper's one argument is the user registers. */
SEC("kprobe")
int fl_kprobe_syscall(struct pt_regs *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1(ctx);
	__u32 nr = (__u32)FL_SYSCALL_NR(regs);
	__u64 levels = fl_sys_levels(FL_HOOK_SYSCALL, nr);
	int err;

	if (!levels)
		return 0;
	err = fl_sys_walk(levels, FL_HOOK_SYSCALL, regs, nr, FL_LSM_AT_ENTRY);
	if (err)
		bpf_override_return(ctx, -(long)err);
	return 0;
}

/* The LSM form: the hook runs inside the syscall, so the number comes from the task's saved
 * user registers. Kernel threads and io_uring workers are never a syscall's caller here. */
static __always_inline int fl_sys_lsm_verdict(__u32 lsm_hook)
{
	struct task_struct *task;
	struct pt_regs *regs;
	__u64 levels;
	long nr;
	int err;

	/* These hooks run for every task on the host: the cheap tests first, all direct loads
	 * through BTF pointers, and the rules' levels before anything about the task. */
	task = bpf_get_current_task_btf();
	if (task->flags & (FL_PF_KTHREAD | FL_PF_IO_WORKER))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = FL_SYSCALL_NR_BTF(regs);
	if (nr < 0)
		return 0; /* not in a syscall */
	levels = fl_sys_levels(FL_HOOK_SYSCALL, (__u32)nr);
	if (!levels || fl_task_is_compat(task) || fl_creds_overridden())
		return 0;
	err = fl_sys_walk(levels, FL_HOOK_SYSCALL, regs, (__u32)nr, lsm_hook);
	return err ? fl_errno_return(err) : 0;
}

/* One program per hook; `nargs` is the hook's argument count, so ctx[nargs] is the return slot
 * (the trampoline stops at the first BPF program that denies, so it is 0 here; kept as the
 * convention of every BPF-LSM program). Only hooks whose signature is the same on every
 * supported kernel (6.1 to 6.18): the table in userspace/faults/syscall/sys_lsm.cpp maps syscalls
 * onto them. Should a kernel ever add an argument, ctx[nargs] would be an argument, not a verdict,
 * and returning it would fail every call: the count is checked first, and a call left alone for it
 * counted (FL_STAT_HOOK_MISMATCH). */
#define FL_SYS_LSM(hook, nargs, id)                                                                \
	SEC("lsm/" #hook)                                                                          \
	int fl_lsm_sys_##hook(unsigned long long *ctx)                                             \
	{                                                                                          \
		int ret;                                                                           \
                                                                                                   \
		if (bpf_get_func_arg_cnt(ctx) != nargs) {                                          \
			fl_gstat_inc(FL_STAT_HOOK_MISMATCH); /* never silently */                  \
			return 0;                                                                  \
		}                                                                                  \
		ret = (int)ctx[nargs];                                                             \
		if (ret)                                                                           \
			return ret;                                                                \
		return fl_sys_lsm_verdict(id);                                                     \
	}

FL_SYS_LSM(file_open, 1, FL_LSM_FILE_OPEN)
FL_SYS_LSM(file_permission, 2, FL_LSM_FILE_PERMISSION)
FL_SYS_LSM(mmap_file, 4, FL_LSM_MMAP_FILE)
FL_SYS_LSM(file_mprotect, 3, FL_LSM_FILE_MPROTECT)
FL_SYS_LSM(file_ioctl, 3, FL_LSM_FILE_IOCTL)
FL_SYS_LSM(file_fcntl, 3, FL_LSM_FILE_FCNTL)
FL_SYS_LSM(file_lock, 2, FL_LSM_FILE_LOCK)
FL_SYS_LSM(inode_unlink, 2, FL_LSM_INODE_UNLINK)
FL_SYS_LSM(inode_rmdir, 2, FL_LSM_INODE_RMDIR)
FL_SYS_LSM(inode_mkdir, 3, FL_LSM_INODE_MKDIR)
FL_SYS_LSM(inode_rename, 4, FL_LSM_INODE_RENAME)
FL_SYS_LSM(inode_link, 3, FL_LSM_INODE_LINK)
FL_SYS_LSM(inode_symlink, 3, FL_LSM_INODE_SYMLINK)
FL_SYS_LSM(inode_getattr, 1, FL_LSM_INODE_GETATTR)
FL_SYS_LSM(bprm_check_security, 1, FL_LSM_BPRM_CHECK_SECURITY)
FL_SYS_LSM(task_kill, 4, FL_LSM_TASK_KILL)
FL_SYS_LSM(socket_create, 4, FL_LSM_SOCKET_CREATE)
FL_SYS_LSM(socket_connect, 3, FL_LSM_SOCKET_CONNECT)
FL_SYS_LSM(socket_bind, 3, FL_LSM_SOCKET_BIND)
FL_SYS_LSM(socket_listen, 2, FL_LSM_SOCKET_LISTEN)
FL_SYS_LSM(socket_accept, 2, FL_LSM_SOCKET_ACCEPT)
FL_SYS_LSM(socket_sendmsg, 3, FL_LSM_SOCKET_SENDMSG)
FL_SYS_LSM(socket_recvmsg, 4, FL_LSM_SOCKET_RECVMSG)
FL_SYS_LSM(socket_shutdown, 2, FL_LSM_SOCKET_SHUTDOWN)

char LICENSE[] SEC("license") = "GPL";
