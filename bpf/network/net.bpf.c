// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Network faults scoped to a cgroup: cgroup_skb programs attached to each target cgroup, so
 * the kernel itself keeps the blast radius inside the target's subtree.
 *
 * Effects: drop (Bernoulli or Gilbert-Elliott), and shape: delay, jitter and rate by Earliest
 * Departure Time (skb->tstamp), which fq honours: the root qdisc of the egress device is a prio
 * whose band 1 is fq and whose release band is netem then fq (FL_SHAPE_RELEASE_PRIORITY). */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "network/packet.bpf.h"

/* Egress verdicts: bit 0 = pass, bit 1 = congestion notification. "Drop + CN" makes the drop
 * silent as on a real link: UDP's sendto() succeeds (the stack swallows the local drop unless
 * the socket set IP_RECVERR) and TCP retransmits and reduces its window. Plain 0 would fail
 * the sender's call with EPERM, which no network does. Ingress drops are always silent. */
#define FL_VERDICT_PASS 1
#define FL_VERDICT_DROP_CN 2
#define FL_VERDICT_DROP 0

/* A departure time further out than this is dropped (with CN) instead of queued: a rate far
 * below the offered load must not pile up an unbounded queue in fq (fq's own horizon is 10 s). */
#define FL_SHAPE_HORIZON_NS (2ull * 1000000000ull)

/* Per attachment: which cgroup it serves and the per-target state of its rules. With
 * BPF_F_ALLOW_MULTI the kernel runs the program once per attachment on the socket's ancestry
 * (at /a and at /a/b for a socket in /a/b), and cgroup storage is per attachment: each run reads
 * the rules of its own cgroup only, so a rule applies once per packet however targets nest.
 * cgroup_id 0 (not written yet) finds no rules. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct fl_attach_state);
} fl_attach_cgrp SEC(".maps");

/* Per socket: the last departure time given, so jitter never reorders a flow (fq orders each
 * flow's packets by departure time). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} fl_sk_departure SEC(".maps");

FL_DEFINE_DNS_CHECK(fl_dns_check_skb)

/* The rule's per-target slot, reset when it last served another rule (an earlier policy). */
static __always_inline struct fl_net_slot *fl_slot_of(struct fl_attach_state *st, __u32 i,
						      const struct fl_rule *rule)
{
	struct fl_net_slot *slot;

	if (i >= 2 * FL_RULES_PER_SET)
		return 0;
	slot = &st->slots[i];
	if (slot->rule_id_plus1 != rule->rule_id + 1) {
		slot->rule_id_plus1 = rule->rule_id + 1;
		slot->ge_bad = 0;
		slot->next_ns = 0;
	}
	return slot;
}

/* Gilbert-Elliott: the packet's fate is drawn in the current state, then the state moves
 * (netem's order), so bursts last 1/r packets on average and gaps 1/p. Races between CPUs on
 * the one-word state only perturb the chain as a concurrent link would. */
static __always_inline bool fl_ge_drops(const struct fl_loss_model *m, struct fl_net_slot *slot)
{
	bool bad = slot->ge_bad;
	bool drop = bpf_get_prandom_u32() < (bad ? m->loss_bad : m->loss_good);

	if (bad) {
		if (bpf_get_prandom_u32() < m->r)
			slot->ge_bad = 0;
	} else if (bpf_get_prandom_u32() < m->p) {
		slot->ge_bad = 1;
	}
	return drop;
}

/* Whether the device the packet leaves by honours its departure time: its root qdisc is
 * faultline's tree (prio FL_SHAPE_QDISC_MAJOR:) or an fq. Not so on a device or namespace the
 * target reached after the start, until faultlined's rescan sets it up (or never, where an
 * administrator's root stays): there a stamped packet would leave at once, so it is not stamped
 * and counts as unapplied. cgroup_skb's context is the kernel's sk_buff, read here with CO-RE
 * (bpf_probe_read_kernel: 6.1 has no kfunc to cast it; a privileged loader may pass the address).
 */
static __noinline bool fl_dev_paced(struct __sk_buff *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx;
	const struct Qdisc_ops *ops;
	struct net_device *dev;
	struct Qdisc *root;
	char id[3] = {};

	dev = BPF_CORE_READ(skb, dev);
	if (!dev)
		return true; /* no device to judge: leave it to the qdisc, as before */
	root = BPF_CORE_READ(dev, qdisc);
	if (!root)
		return false;
	if (BPF_CORE_READ(root, handle) == FL_SHAPE_QDISC_MAJOR << 16)
		return true;
	ops = BPF_CORE_READ(root, ops);
	if (!ops || bpf_probe_read_kernel(id, sizeof(id), &ops->id))
		return false;
	return id[0] == 'f' && id[1] == 'q' && id[2] == 0;
}

/* The departure time of a shaped packet: paced by the target's rate clock, then delayed by
 * delay +- jitter, never earlier than the socket's previous packet (no reordering in a flow).
 * Returns 0 when the packet would leave beyond the horizon: the caller drops it. */
static __always_inline __u64 fl_departure(struct __sk_buff *skb, const struct fl_net_effect *e,
					  struct fl_net_slot *slot, __u64 now)
{
	__u64 delay = e->delay_ns;
	struct bpf_sock *sk;
	__u64 *last, t = now;

	/* TCP sets its own departure time (monotonic, near now); anything else there is kept only
	 * if it is plausible, so a stray timestamp can never push a packet past fq's horizon. */
	if (skb->tstamp > now && skb->tstamp - now < FL_SHAPE_HORIZON_NS)
		t = skb->tstamp;

	if (e->rate_bps) {
		__u64 start = slot->next_ns > now ? slot->next_ns : now;

		if (start - now > FL_SHAPE_HORIZON_NS)
			return 0;
		slot->next_ns = start + (__u64)skb->len * 1000000000ull / e->rate_bps;
		if (start > t)
			t = start;
	}
	if (e->jitter_ns)
		delay = delay - e->jitter_ns + bpf_get_prandom_u32() % (2 * e->jitter_ns + 1);
	t += delay;
	sk = skb->sk;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk) {
		last = bpf_sk_storage_get(&fl_sk_departure, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (last) {
			if (t < *last)
				t = *last;
			*last = t;
		}
	}
	return t;
}

static __always_inline int fl_skb_verdict(struct __sk_buff *skb, __u32 hook)
{
	const struct fl_config *cfg = fl_armed_config();
	bool egress = hook != FL_HOOK_NET_INGRESS;
	__u32 slot_base = hook == FL_HOOK_NET_SHAPE ? FL_RULES_PER_SET : 0;
	struct fl_attach_state *st;
	struct fl_rule_set *set;
	struct fl_pkt pkt = {};
	struct fl_dns dns = {};
	int paced = -1; /* fl_dev_paced, read at the first shape rule that matches */
	__u64 now;

	if (!cfg)
		return FL_VERDICT_PASS;
	st = bpf_get_local_storage(&fl_attach_cgrp, 0);
	if (!fl_cgroup_may_have_rules(cfg, st->cgroup_id))
		return FL_VERDICT_PASS;
	set = fl_rules_of(cfg, st->cgroup_id, hook, 0);
	if (!set)
		return FL_VERDICT_PASS;
	fl_parse_pkt(skb, 0, egress, &pkt); /* cgroup_skb data starts at the network header */
	now = bpf_ktime_get_ns();
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		const struct fl_net_rule *net = fl_net_rule_of(rule);
		struct fl_net_slot *slot;
		__u64 departure;

		if (i >= set->count)
			break;
		if (!fl_net_matches(&net->match, &pkt))
			continue;
		if (net->match.dns_len && !fl_dns_check_skb(skb, &net->match, &pkt, &dns))
			continue;
		fl_count_matched(rule);
		if (rule->effect.action == FL_ACT_SHAPE && egress) {
			if (paced < 0)
				paced = fl_dev_paced(skb);
			if (!paced) {
				fl_count_unapplied(rule);
				continue;
			}
		}
		if (!fl_trigger_fires(rule, now))
			continue;
		slot = fl_slot_of(st, slot_base + i, rule);
		if (!slot)
			break;
		if (rule->effect.action == FL_ACT_DROP) {
			if (net->effect.loss.kind == FL_LOSS_GILBERT_ELLIOTT &&
			    !fl_ge_drops(&net->effect.loss, slot))
				continue;
			if (fl_account_injection(rule, hook, 0, st->cgroup_id, 0, now, false))
				return egress ? FL_VERDICT_DROP_CN : FL_VERDICT_DROP;
		} else if (rule->effect.action == FL_ACT_SHAPE && egress) {
			if (!fl_account_injection(rule, hook, 0, st->cgroup_id, 0, now, false))
				continue;
			departure = fl_departure(skb, &net->effect, slot, now);
			if (!departure)
				return FL_VERDICT_DROP_CN;
			skb->tstamp = departure;
			/* A delay (not a rate alone: its wait is a packet's serialisation time, and
			 * TCP's back-pressure is wanted there) goes through the netem band of the
			 * qdisc tree, which releases the packet from its socket's budget. Not with
			 * jitter: on 6.12 a jittered flow through netem then fq arrived out of
			 * order in 2 of 5 runs (net_shape), so jitter keeps the plain fq, which
			 * never reorders a socket's packets, and its bulk TCP stays limited. */
			if (net->effect.delay_ns && !net->effect.jitter_ns)
				skb->priority = FL_SHAPE_RELEASE_PRIORITY;
		}
	}
	return FL_VERDICT_PASS;
}

SEC("cgroup_skb/egress")
int fl_skb_egress(struct __sk_buff *skb)
{
	return fl_skb_verdict(skb, FL_HOOK_NET_EGRESS);
}

/* Shaping is a program of its own (attached only where a delay or rate fault targets), so fq is
 * installed only for experiments that need it and loss rules never pay for it. */
SEC("cgroup_skb/egress")
int fl_skb_shape(struct __sk_buff *skb)
{
	return fl_skb_verdict(skb, FL_HOOK_NET_SHAPE);
}

SEC("cgroup_skb/ingress")
int fl_skb_ingress(struct __sk_buff *skb)
{
	return fl_skb_verdict(skb, FL_HOOK_NET_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
