/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Decision logic shared by every hook: is the kill switch on, which rule set applies to this
 * cgroup, does the trigger fire, and the accounting of what happened. */
#ifndef FL_MATCH_BPF_H
#define FL_MATCH_BPF_H

#include "maps.bpf.h"

/* Returns the live config when the hook may have rules, else NULL: the cost of the no-rule
 * path is this one (verifier-inlined) array lookup. */
static __always_inline const struct fl_config *fl_hook_config(__u32 hook)
{
	__u32 zero = 0;
	struct fl_config *cfg = bpf_map_lookup_elem(&fl_config, &zero);

	if (!cfg || !cfg->armed || hook >= FL_HOOK_MAX || !cfg->level_mask[hook])
		return 0;
	return cfg;
}

/* Walks the cgroup ancestry from the deepest level a rule targets up to the root; the deepest
 * (most specific) target with rules wins. ANCESTOR(level) yields the ancestor's id or 0. */
#define FL_FIND_RULE_SET(out_set, out_cgid, hook_id, cfg, ANCESTOR)                                \
	do {                                                                                       \
		__u64 __mask = (cfg)->level_mask[hook_id];                                         \
		__u32 __gen = (cfg)->gen;                                                          \
		(out_set) = 0;                                                                     \
		for (int __i = FL_MAX_CGROUP_LEVEL - 1; __i >= 0; __i--) {                         \
			if (!(__mask & (1ull << __i)))                                             \
				continue;                                                          \
			struct fl_rule_key __k = {                                                 \
				.cgroup_id = ANCESTOR(__i), .hook = (hook_id), .gen = __gen};      \
			if (!__k.cgroup_id)                                                        \
				continue;                                                          \
			(out_set) = bpf_map_lookup_elem(&fl_rules, &__k);                          \
			if (out_set) {                                                             \
				(out_cgid) = __k.cgroup_id;                                        \
				break;                                                             \
			}                                                                          \
		}                                                                                  \
	} while (0)

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
static __always_inline void fl_emit_event(const struct fl_rule *rule, __u32 hook, __u64 cgid,
					  __u64 now, bool in_task)
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
	e->action = rule->action;
	e->err = rule->err;
	e->pid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->flags = rule->flags;
	e->pad0 = 0;
	if (in_task)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* Accounting for an injection (or a would-be injection in dry run). Returns true when the
 * caller must actually inject. */
static __always_inline bool fl_account_injection(const struct fl_rule *rule, __u32 hook, __u64 cgid,
						 __u64 now, bool in_task)
{
	__u32 id = rule->rule_id;
	struct fl_rule_stats *st = bpf_map_lookup_elem(&fl_stats, &id);

	if (st)
		st->injected += 1;
	fl_emit_event(rule, hook, cgid, now, in_task);
	return !(rule->flags & FL_RULE_DRY_RUN);
}

#endif /* FL_MATCH_BPF_H */
