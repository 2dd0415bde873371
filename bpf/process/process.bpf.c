// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process faults for the tasks of a target cgroup: at the entry of a syscall some rule names, the
 * raw sys_enter tracepoint sends the rule's signal to the caller, delivered when the syscall
 * returns to userspace (any kernel with BPF tracepoints). Rules are keyed (FL_HOOK_PROCESS,
 * syscall number) and have no filter beyond the target. */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "process/abi.h"

/* One call's state through the level walk (on the stack, so global functions can take it). */
struct fl_proc_call {
	__u64 now; /* the clock, read at the first level holding rules; 0 until then */
	__u32 nr;
	__u32 pad0;
};

/* The rules the caller's ancestor at `level` holds for the call: the signal to send, -1 when a
 * dry-run rule would have sent one (the call is decided), else 0. A global function, so the
 * verifier checks it once rather than once per level of the walk. */
__noinline int fl_proc_level(struct fl_proc_call *call, __u32 level)
{
	struct fl_rule_set *set;
	__u64 cgid = 0;

	if (!call)
		return 0;
	set = fl_task_rules_at(level, FL_HOOK_PROCESS, call->nr, &cgid);
	if (!set)
		return 0;
	if (!call->now)
		call->now = bpf_ktime_get_ns();
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		int value;

		if (i >= set->count)
			break;
		value = fl_task_rule_fire(&set->rules[i], FL_HOOK_PROCESS, call->nr, cgid,
					  call->now);
		if (value)
			return value;
	}
	return 0;
}

/* Runs at every syscall entry while some process fault is live (attached only then): a call no
 * rule names costs two lookups. Every target on the task's ancestry with rules for the call,
 * deepest first, each once; the first injection decides the call. */
SEC("raw_tp/sys_enter")
int BPF_PROG(fl_sys_enter_signal, struct pt_regs *regs, long id)
{
	const struct fl_config *cfg = fl_armed_config();
	struct fl_proc_call call = {.nr = (__u32)id};
	__u64 levels;

	if (!cfg)
		return 0;
	levels = fl_hook_levels(cfg, FL_HOOK_PROCESS, (__u32)id);
	if (!levels || fl_task_is_compat(bpf_get_current_task_btf()))
		return 0;
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		int sig;

		if (!(levels & (1ull << level)))
			continue;
		sig = fl_proc_level(&call, level);
		if (sig < 0)
			return 0; /* a dry-run rule decided the call */
		if (sig > 0 && sig < 65) {
			bpf_send_signal(sig);
			return 0;
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
