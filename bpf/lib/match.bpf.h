/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Decision logic shared by every hook: is the kill switch on, which rule set applies to this
 * cgroup, does the trigger fire, and the accounting of what happened. */
#ifndef FL_MATCH_BPF_H
#define FL_MATCH_BPF_H

#include "maps.bpf.h"

/* The live config, or NULL when the kill switch is off: the first thing every program does. */
static __always_inline const struct fl_config *fl_armed_config(void)
{
	__u32 zero = 0;
	struct fl_config *cfg = bpf_map_lookup_elem(&fl_config, &zero);

	if (!cfg || !cfg->armed)
		return 0;
	return cfg;
}

/* Which cgroup levels have rules for a task-context hook in the live generation; 0 means no
 * rule anywhere, and the caller returns at once (the no-rule path: two lookups). */
static __always_inline __u64 fl_hook_levels(const struct fl_config *cfg, __u32 hook, __u32 sub)
{
	struct fl_hook_key k = {.hook = hook, .sub = sub, .gen = cfg->gen};
	struct fl_hook_levels *levels = bpf_map_lookup_elem(&fl_hooks, &k);

	return levels ? levels->mask : 0;
}

/* False when no rule of the live generation targets this cgroup (exact); true may be a false
 * positive (ids that collide modulo FL_CG_FILTER_BITS). */
static __always_inline bool fl_cgroup_may_have_rules(const struct fl_config *cfg, __u64 cgroup_id)
{
	__u32 bit = cgroup_id & (FL_CG_FILTER_BITS - 1);
	__u32 idx = cfg->gen * FL_CG_FILTER_WORDS + bit / 64;
	__u64 *word = bpf_map_lookup_elem(&fl_cg_filter, &idx);

	return word && (*word & (1ull << (bit % 64)));
}

/* The rules a target cgroup holds for (hook, sub) in the live generation, or NULL. */
static __always_inline struct fl_rule_set *fl_rules_of(const struct fl_config *cfg, __u64 cgroup_id,
						       __u32 hook, __u32 sub)
{
	struct fl_rule_key k = {.cgroup_id = cgroup_id, .hook = hook, .sub = sub, .gen = cfg->gen};

	return bpf_map_lookup_elem(&fl_rules, &k);
}

/* Task-context hooks: the rules the current task's ancestor at `level` holds for (hook, sub) in
 * the live generation, and that ancestor's id in *cgid; NULL when disarmed, when the task is not
 * that deep or when that cgroup holds none. */
static __always_inline struct fl_rule_set *fl_task_rules_at(__u32 level, __u32 hook, __u32 sub,
							    __u64 *cgid)
{
	const struct fl_config *cfg = fl_armed_config();

	if (!cfg)
		return 0;
	*cgid = bpf_get_current_ancestor_cgroup_id(level);
	if (!*cgid)
		return 0;
	return fl_rules_of(cfg, *cgid, hook, sub);
}

/* A peer filter against a packet's or a call's peer (addr in network byte order, IPv4 in [0]). */
static __always_inline bool fl_peer_matches(const struct fl_peer_match *m, __u8 family,
					    const __u32 *addr, __u16 port)
{
	if (m->family && m->family != family)
		return false;
	if (m->prefix) {
		for (int i = 0; i < 4; i++)
			if ((addr[i] & m->mask[i]) != m->addr[i])
				return false;
	}
	if ((m->port_min || m->port_max) && (port < m->port_min || port > m->port_max))
		return false;
	return true;
}

/* The value of an injection: one draw over the effect's cumulative weights. */
static __always_inline __s32 fl_pick_errno(const struct fl_effect *effect)
{
	__u32 draw;

	if (effect->nerr <= 1)
		return effect->errs[0].err;
	draw = bpf_get_prandom_u32();
	for (__u32 i = 0; i < FL_MAX_ERRNOS; i++) {
		if (i >= effect->nerr)
			break;
		if (draw < effect->errs[i].threshold)
			return effect->errs[i].err;
	}
	return effect->errs[0].err;
}

static __always_inline void fl_gstat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&fl_gstats, &which);

	if (v)
		*v += 1;
}

static __always_inline void fl_count_matched(const struct fl_rule *rule)
{
	__u32 id = rule->rule_id;
	struct fl_rule_stats *st = bpf_map_lookup_elem(&fl_stats, &id);

	if (st)
		st->matched += 1;
}

/* A matching event where the fault cannot be made (fl_rule_stats.unapplied). */
static __always_inline void fl_count_unapplied(const struct fl_rule *rule)
{
	__u32 id = rule->rule_id;
	struct fl_rule_stats *st = bpf_map_lookup_elem(&fl_stats, &id);

	if (st)
		st->unapplied += 1;
}

/* Decides whether this matching event becomes an injection. Shared atomics make every/after/
 * times exact across CPUs. The deadline check comes first: an expired rule is inert even if
 * nobody is left to remove it. */
static __always_inline bool fl_trigger_fires(const struct fl_rule *rule, __u64 now)
{
	const struct fl_trigger *t = &rule->trigger;
	__u32 id = rule->rule_id;
	struct fl_trig_state *state;
	__u64 seen, nth;

	if (now >= t->deadline_ns) {
		fl_gstat_inc(FL_STAT_DEADLINE_EXPIRED);
		return false;
	}
	if (now < t->start_ns)
		return false;
	/* A probability-only trigger needs no shared state: no atomics on the hot path, so CPUs
	 * never contend on the rule's cache line. */
	if (!t->after && t->every <= 1 && !t->times)
		return t->probability == FL_PROB_ALWAYS || bpf_get_prandom_u32() < t->probability;
	state = bpf_map_lookup_elem(&fl_trig_state, &id);
	if (!state)
		return false;
	seen = __sync_fetch_and_add(&state->seen, 1) + 1;
	if (seen <= t->after)
		return false;
	nth = seen - t->after;
	if (t->every > 1 && nth % t->every != 0)
		return false;
	if (t->probability != FL_PROB_ALWAYS && bpf_get_prandom_u32() >= t->probability)
		return false;
	if (__sync_fetch_and_add(&state->fired, 1) >= t->times && t->times)
		return false;
	return true;
}

/* Events are rate limited per CPU so a storm of injections cannot flood userspace; what is
 * held back is counted, never silently lost. */
static __always_inline bool fl_event_allowed(__u64 now)
{
	__u32 zero = 0;
	struct fl_rate_window *w = bpf_map_lookup_elem(&fl_evt_rate, &zero);

	if (!w)
		return false;
	if (now - w->start_ns >= 1000000000ull) {
		w->start_ns = now;
		w->count = 0;
	}
	if (w->count >= fl_event_rate_per_cpu)
		return false;
	w->count += 1;
	return true;
}

/* in_task: the event happens in the context of the task it concerns (LSM, syscalls). Packet
 * hooks run where "current" means nothing (softirq) and lack the task helpers on older kernels;
 * callers pass a constant, so the unused branch is compiled out. */
static __always_inline void fl_emit_event(const struct fl_rule *rule, __u32 hook, __u32 sub,
					  __u64 cgid, __s32 err, __u64 now, bool in_task)
{
	struct fl_event *e;
	__u64 pid_tgid;

	if (!fl_event_allowed(now)) {
		fl_gstat_inc(FL_STAT_EVENTS_DROPPED);
		return;
	}
	e = bpf_ringbuf_reserve(&fl_events, sizeof(*e), 0);
	if (!e) {
		fl_gstat_inc(FL_STAT_EVENTS_DROPPED);
		return;
	}
	pid_tgid = in_task ? bpf_get_current_pid_tgid() : 0;
	e->ts_ns = now;
	e->cgroup_id = cgid;
	e->rule_id = rule->rule_id;
	e->hook = hook;
	e->action = rule->effect.action;
	e->err = err;
	e->pid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->flags = rule->flags;
	e->sub = sub;
	if (in_task)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* Accounting for an injection (or a would-be injection in dry run) whose errno, if any, is
 * `err`. Returns true when the caller must actually inject. */
static __always_inline bool fl_account_injection(const struct fl_rule *rule, __u32 hook, __u32 sub,
						 __u64 cgid, __s32 err, __u64 now, bool in_task)
{
	__u32 id = rule->rule_id;
	struct fl_rule_stats *st = bpf_map_lookup_elem(&fl_stats, &id);

	if (st)
		st->injected += 1;
	fl_emit_event(rule, hook, sub, cgid, err, now, in_task);
	return !(rule->flags & FL_RULE_DRY_RUN);
}

/* A matching event of `rule` in task context (file, syscall and process hooks): counted, judged by
 * its trigger and, when it fires, accounted. Returns the value to inject (drawn from the effect's
 * set: an errno, or a family's own value such as a signal), -1 when a dry-run rule would have
 * injected (the call is decided: nothing further is counted), else 0. Each program file wraps it in
 * a global function of its own, so the verifier checks it once per program rather than at every
 * rule slot. */
static __always_inline int fl_task_rule_fire(const struct fl_rule *rule, __u32 hook, __u32 sub,
					     __u64 cgid, __u64 now)
{
	__s32 value;

	fl_count_matched(rule);
	if (!fl_trigger_fires(rule, now))
		return 0;
	value = rule->effect.nerr ? fl_pick_errno(&rule->effect) : 0;
	if (!fl_account_injection(rule, hook, sub, cgid, value, now, true))
		return -1;
	return value;
}

#define FL_TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h */

/* A 32-bit task's syscall numbers are another table's (ia32 write is 4, x86_64's stat): such
 * calls are never judged against the x86_64 rules. */
static __always_inline bool fl_task_is_compat(const struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return task->thread_info.status & FL_TS_COMPAT; /* a BTF task: a direct load */
#else
	return false;
#endif
}

/* True while the kernel acts for the task under other credentials (override_creds): a stacked
 * filesystem (overlayfs, which container roots are) opens, reads and writes its backing file that
 * way, passing the same security hooks a second time within one syscall. Task-context file and
 * syscall hooks decide once, on the outer pass: the inner one would count and inject twice. */
static __always_inline bool fl_creds_overridden(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->cred != task->real_cred; /* a BTF task: direct loads, no helper calls */
}

/* LSM programs must provably return 0 or -errno in [-4095, -1] (enforced since 6.9), and the
 * verifier loses the range of a negated register: re-bound after the negation, behind a
 * barrier so the compiler cannot drop the checks it knows to be redundant. Userspace only ever
 * configures valid errnos. */
static __always_inline int fl_errno_return(__s32 err)
{
	int ret;

	if (err < 1 || err > 4095)
		err = 5; /* EIO */
	ret = -err;
	barrier_var(ret);
	if (ret < -4095)
		ret = -4095;
	if (ret > -1)
		ret = -1;
	return ret;
}

#endif /* FL_MATCH_BPF_H */
