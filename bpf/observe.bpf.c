// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* `faultline observe`: counts every syscall a target cgroup's tasks make, and the errors those
 * calls return, so a policy can amplify exactly the errors the service already meets (Phoebe's
 * idea, from the kernel instead of a libc shim: static binaries and raw syscalls included).
 * One program on the raw sys_exit tracepoint, which every kernel with BPF tracepoints has; it
 * injects nothing. */
#include "lib/common.bpf.h"
#include "faultline/abi.h"

#if defined(__TARGET_ARCH_arm64)
#define FL_SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#else
#define FL_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#endif
#define FL_TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h */
#define FL_MAX_ERRNO 4095   /* include/linux/err.h: larger "negative" values are addresses */
/* include/linux/errno.h: ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND and
 * ERESTART_RESTARTBLOCK (512-514, 516) mean the call is restarted or becomes EINTR; the task
 * never sees them. The other kernel-internal codes (ENOTSUPP 524...) can leak out: errors. */
#define FL_ERESTARTSYS 512
#define FL_ERESTARTNOHAND 514
#define FL_ERESTART_RESTARTBLOCK 516
#define FL_EEXIST 17

/* The target, set by the loader before load. */
const volatile __u64 fl_obs_cgroup_id = 0;
const volatile __u32 fl_obs_level = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FL_OBS_MAX_NR);
	__type(key, __u32);
	__type(value, __u64);
} fl_obs_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FL_OBS_MAX_ERRORS);
	__type(key, struct fl_obs_key);
	__type(value, __u64);
} fl_obs_errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FL_OBS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fl_obs_stats SEC(".maps");

static __always_inline void fl_obs_count(void *map, const void *key)
{
	__u64 *n = bpf_map_lookup_elem(map, key);

	if (n)
		*n += 1; /* per-CPU: no other CPU writes this slot */
}

SEC("raw_tp/sys_exit")
int BPF_PROG(fl_observe_exit, struct pt_regs *regs, long ret)
{
	struct fl_obs_key key = {};
	__u32 stat;
	long nr;

	/* The cheap test first: this runs at every syscall exit on the host. */
	if (bpf_get_current_ancestor_cgroup_id(fl_obs_level) != fl_obs_cgroup_id)
		return 0;
#if defined(__TARGET_ARCH_x86)
	/* A 32-bit task's numbers are another table's. */
	if (bpf_get_current_task_btf()->thread_info.status & FL_TS_COMPAT)
		return 0;
#endif
	nr = FL_SYSCALL_NR(regs);
	if (nr < 0 || nr >= FL_OBS_MAX_NR)
		return 0;
	key.nr = (__u32)nr;
	fl_obs_count(&fl_obs_calls, &key.nr);
	if (ret >= 0 || ret < -FL_MAX_ERRNO)
		return 0;
	key.err = (__u32)-ret;
	if ((key.err >= FL_ERESTARTSYS && key.err <= FL_ERESTARTNOHAND) ||
	    key.err == FL_ERESTART_RESTARTBLOCK) {
		stat = FL_OBS_STAT_INTERNAL;
		fl_obs_count(&fl_obs_stats, &stat);
		return 0;
	}
	if (!bpf_map_lookup_elem(&fl_obs_errors, &key)) {
		__u64 zero = 0;
		long err = bpf_map_update_elem(&fl_obs_errors, &key, &zero, BPF_NOEXIST);

		/* Another CPU may insert the same key first (EEXIST): counted in it below. Any
		 * other failure (E2BIG: the table is full; ENOMEM, EBUSY) loses this error: counted
		 * as such. */
		if (err != 0 && err != -FL_EEXIST) {
			stat = FL_OBS_STAT_LOST;
			fl_obs_count(&fl_obs_stats, &stat);
			return 0;
		}
	}
	fl_obs_count(&fl_obs_errors, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
