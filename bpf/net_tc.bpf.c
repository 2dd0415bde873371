// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Packet faults that change or copy packets, which cgroup_skb cannot: tc egress programs on the
 * devices the target sends by, scoped to the target by the socket's cgroup ancestry (the same
 * level walk as the task hooks), so a shared device faults only the target's packets.
 *   corrupt    one random payload bit flipped, the transport checksum kept valid: what reaches
 *              the peer is wrong data the stack accepts (an application's own integrity check
 *              must catch it)
 *   duplicate  the packet cloned out of the same device (the clone is marked so it passes) */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "lib/packet.bpf.h"

#define FL_TC_ACT_OK 0
/* Marks a clone for its own pass through this program; the original mark is restored. */
#define FL_DUP_MARK 0x40000000u
#define FL_BPF_F_MARK_MANGLED_0 (1ull << 5)

/* Where the network header starts in skb->data: 0 on L3 devices (tun, wireguard), else after
 * a 14-byte Ethernet header (veth, lo, NICs; VLAN tags live in skb metadata at this point).
 * The first 8 bytes at offset 0 equal those at the network header only on an L3 device. */
static __always_inline __u32 fl_net_base(struct __sk_buff *skb)
{
	__u64 at_net, at_0;

	if (bpf_skb_load_bytes_relative(skb, 0, &at_net, sizeof(at_net), BPF_HDR_START_NET))
		return 0;
	if (!bpf_skb_load_bytes(skb, 0, &at_0, sizeof(at_0)) && at_0 == at_net)
		return 0;
	return 14;
}

static __always_inline bool fl_corrupt(struct __sk_buff *skb, const struct fl_pkt *p)
{
	__u32 payload = skb->len > p->payload_off ? skb->len - p->payload_off : 0;
	__u32 csum_off = p->l4_off + (p->protocol == FL_IPPROTO_TCP ? 16 : 6);
	__u32 off;
	__u16 old, new;

	if (!p->l4_off || payload < 2)
		return false; /* nothing to corrupt (a bare ACK, say) */
	off = p->payload_off + 2 * (bpf_get_prandom_u32() % (payload / 2));
	if (bpf_skb_load_bytes(skb, off, &old, sizeof(old)))
		return false;
	new = old ^ (__u16)(1u << (bpf_get_prandom_u32() % 16));
	if (bpf_skb_store_bytes(skb, off, &new, sizeof(new), 0))
		return false;
	bpf_l4_csum_replace(skb, csum_off, old, new,
			    sizeof(new) |
				    (p->protocol == FL_IPPROTO_UDP ? FL_BPF_F_MARK_MANGLED_0 : 0));
	return true;
}

static __always_inline void fl_duplicate(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;

	skb->mark = mark | FL_DUP_MARK;
	bpf_clone_redirect(skb, skb->ifindex, 0);
	skb->mark = mark;
}

/* One target's rules on this packet; verified once on its own (a global function), so the
 * level walk around it stays small for the verifier. */
__noinline int fl_tc_rules(struct __sk_buff *skb, struct fl_rule_set *set, struct fl_pkt *pkt,
			   __u64 cgid, __u64 now)
{
	if (!skb || !set || !pkt)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];

		if (i >= set->count)
			break;
		if (!fl_net_matches(&rule->net, pkt))
			continue;
		fl_count_matched(rule);
		if (!fl_trigger_fires(rule, now))
			continue;
		if (rule->effect.action == FL_ACT_CORRUPT) {
			if (pkt->l4_off && skb->len >= pkt->payload_off + 2 &&
			    fl_account_injection(rule, FL_HOOK_NET_TC, 0, cgid, 0, now, false))
				fl_corrupt(skb, pkt);
		} else if (rule->effect.action == FL_ACT_DUPLICATE) {
			if (fl_account_injection(rule, FL_HOOK_NET_TC, 0, cgid, 0, now, false))
				fl_duplicate(skb);
		}
	}
	return 0;
}

SEC("tc")
int fl_tc_egress(struct __sk_buff *skb)
{
	const struct fl_config *cfg;
	struct fl_pkt pkt = {};
	bool parsed = false;
	__u64 levels, now;

	if (skb->mark & FL_DUP_MARK) {
		skb->mark &= ~FL_DUP_MARK; /* our clone: passes once, as it was */
		return FL_TC_ACT_OK;
	}
	cfg = fl_armed_config();
	if (!cfg)
		return FL_TC_ACT_OK;
	levels = fl_hook_levels(cfg, FL_HOOK_NET_TC, 0);
	if (!levels)
		return FL_TC_ACT_OK;
	now = bpf_ktime_get_ns();
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		struct fl_rule_set *set;
		__u64 cgid;

		if (!(levels & (1ull << level)))
			continue;
		cgid = bpf_skb_ancestor_cgroup_id(skb, level);
		if (!cgid)
			continue; /* no socket, or not that deep */
		set = fl_rules_of(cfg, cgid, FL_HOOK_NET_TC, 0);
		if (!set)
			continue;
		if (!parsed) {
			fl_parse_pkt(skb, fl_net_base(skb), true, &pkt);
			parsed = true;
		}
		fl_tc_rules(skb, set, &pkt, cgid, now);
	}
	return FL_TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
