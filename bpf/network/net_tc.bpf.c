// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Packet faults that change or copy packets, which cgroup_skb cannot: tc egress programs on the
 * devices the target sends by, scoped to the target by the socket's cgroup ancestry (the same
 * level walk as the task hooks), so a shared device faults only the target's packets.
 *   corrupt    one random payload bit flipped, the transport checksum kept valid: what reaches
 *              the peer is wrong data the stack accepts (an application's own integrity check
 *              must catch it)
 *   corrupt    with FL_CORRUPT_BAD_CSUM the checksum is made wrong: a receiver that checks it
 *              drops the packet (veth and lo pass offloaded packets on unchecked)
 *   duplicate  the packet cloned out of the same device (the clone is marked so it passes)
 *   dns answer a query turned into the server's failure answer (NXDOMAIN, SERVFAIL) and handed
 *              back to the sender through the same device's ingress: the server never sees it
 * Interface targets (host-level drills) use the same rules on every packet of one named device,
 * egress and ingress, keyed by FL_IFACE_TARGET_BIT | ifindex instead of a cgroup; there a rule
 * may also drop (loss, blackhole) and delay (departure time, fq on the device). */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "network/packet.bpf.h"

/* No verdict: the next filter on the device runs (an interface drill's program after the cgroup
 * one, or anyone else's). TC_ACT_OK would end the chain there. */
#define FL_TC_ACT_UNSPEC (-1)
#define FL_TC_ACT_SHOT 2
/* A departure time the stack set is kept only when plausible (TCP pacing is near now). */
#define FL_IFACE_HORIZON_NS (2ull * 1000000000ull)
#define FL_BPF_F_INGRESS 1
/* Mark a clone for its own pass, one bit per program so each lets only its own clones through
 * (the original mark is restored). A cgroup-program clone then still meets an interface drill on
 * the device; an interface clone passes both programs untouched. */
#define FL_DUP_MARK 0x40000000u
#define FL_IFACE_DUP_MARK 0x20000000u
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

static __always_inline bool fl_corrupt(struct __sk_buff *skb, const struct fl_pkt *p, __u16 flags)
{
	__u32 payload = skb->len > p->payload_off ? skb->len - p->payload_off : 0;
	__u32 csum_off = p->l4_off + (p->protocol == FL_IPPROTO_TCP ? 16 : 6);
	__u32 off;
	__u16 old, new, sum, bad;

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
	if (!(flags & FL_CORRUPT_BAD_CSUM) || bpf_skb_load_bytes(skb, csum_off, &sum, sizeof(sum)))
		return true;
	/* A checksum that cannot be right: not the valid one and neither 0 nor 0xffff (UDP's "no
	 * checksum" and its one's-complement twin). Where the device finishes the checksum
	 * (offload), the field is its seed and the result is wrong just the same. */
	bad = sum == bpf_htons(0x0101) ? bpf_htons(0x0202) : bpf_htons(0x0101);
	bpf_skb_store_bytes(skb, csum_off, &bad, sizeof(bad), 0);
	return true;
}

static __always_inline void fl_duplicate(struct __sk_buff *skb, __u32 dup_mark)
{
	__u32 mark = skb->mark;

	skb->mark = mark | dup_mark;
	bpf_clone_redirect(skb, skb->ifindex, 0);
	skb->mark = mark;
}

/* Swaps two equal-sized fields of the packet (addresses, ports, MACs). */
#define FL_SWAP(skb, a, b, type)                                                                   \
	({                                                                                         \
		type _x, _y;                                                                       \
		!bpf_skb_load_bytes(skb, a, &_x, sizeof(_x)) &&                                    \
			!bpf_skb_load_bytes(skb, b, &_y, sizeof(_y)) &&                            \
			!bpf_skb_store_bytes(skb, a, &_y, sizeof(_y), 0) &&                        \
			!bpf_skb_store_bytes(skb, b, &_x, sizeof(_x), 0);                          \
	})

struct fl_in6 {
	__u32 a[4];
};

/* Turns the query into the server's answer: MACs, addresses and ports swapped, QR and RA set,
 * AA and TC cleared, the RCODE given; the question (and any EDNS record) stays, so the resolver
 * takes it as the answer to its query. Swapping leaves the IPv4 header and the pseudo-header
 * sums unchanged; only the flags word needs the transport checksum updated. Returns the tc
 * verdict: the answer redirected into this device's ingress; no verdict when the query cannot be
 * read (then it goes out unharmed); a drop when a rewrite failed half-way (never send that). */
static __always_inline int fl_dns_answer(struct __sk_buff *skb, const struct fl_pkt *p, __u16 rcode)
{
	__u32 l3 = p->l3_off, flags_off = p->payload_off + 2;
	__u16 old, new;
	bool ok;

	if (p->protocol != FL_IPPROTO_UDP || !p->l4_off ||
	    bpf_skb_load_bytes(skb, flags_off, &old, sizeof(old)))
		return FL_TC_ACT_UNSPEC;
	/* keep opcode, RD and CD; clear AA, TC, Z and AD (nothing here is authenticated) */
	new = bpf_htons((bpf_ntohs(old) & 0x7910) | 0x8080 | (rcode & 0xf));
	if (p->family == FL_FAMILY_IPV4)
		ok = FL_SWAP(skb, l3 + 12, l3 + 16, __u32);
	else
		ok = FL_SWAP(skb, l3 + 8, l3 + 24, struct fl_in6);
	ok = ok && FL_SWAP(skb, p->l4_off, p->l4_off + 2, __u16);
	if (ok && l3 == 14)
		ok = FL_SWAP(
			skb, 0, 6, struct { __u8 b[6]; });
	ok = ok && !bpf_skb_store_bytes(skb, flags_off, &new, sizeof(new), 0);
	if (!ok)
		return FL_TC_ACT_SHOT; /* unreachable for a parsed packet */
	bpf_l4_csum_replace(skb, p->l4_off + 6, old, new, sizeof(new) | FL_BPF_F_MARK_MANGLED_0);
	skb->tstamp = 0; /* an answer coming in carries no departure time */
	return bpf_redirect(skb->ifindex, FL_BPF_F_INGRESS);
}

FL_DEFINE_DNS_CHECK(fl_dns_check_tc)

/* One target's rules on this packet; verified once on its own (a global function), so the
 * level walk around it stays small for the verifier. Returns the tc verdict (a DNS answer ends
 * the packet's way out). */
__noinline int fl_tc_rules(struct __sk_buff *skb, struct fl_rule_set *set, struct fl_pkt *pkt,
			   __u64 cgid, __u64 now)
{
	struct fl_dns dns = {};

	if (!skb || !set || !pkt)
		return FL_TC_ACT_UNSPEC;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		const struct fl_net_rule *net = fl_net_rule_of(rule);

		if (i >= set->count)
			break;
		if (!fl_net_matches(&net->match, pkt))
			continue;
		if (net->match.dns_len && !fl_dns_check_tc(skb, &net->match, pkt, &dns))
			continue;
		fl_count_matched(rule);
		if (!fl_trigger_fires(rule, now))
			continue;
		switch (rule->effect.action) {
		case FL_ACT_CORRUPT:
			if (pkt->l4_off && skb->len >= pkt->payload_off + 2 &&
			    fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false))
				fl_corrupt(skb, pkt, net->effect.corrupt_flags);
			break;
		case FL_ACT_DUPLICATE:
			if (fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false))
				fl_duplicate(skb, pkt->hook == FL_HOOK_NET_TC ? FL_DUP_MARK
									      : FL_IFACE_DUP_MARK);
			break;
		case FL_ACT_DNS_ANSWER: {
			int verdict;

			if (rule->flags & FL_RULE_DRY_RUN) {
				fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false);
				break;
			}
			verdict = fl_dns_answer(skb, pkt, net->effect.dns_rcode);
			if (verdict == FL_TC_ACT_UNSPEC)
				break; /* not answerable: counted as matched, not injected */
			fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false);
			return verdict;
		}
		case FL_ACT_DROP: /* interface targets only (cgroup targets drop in cgroup_skb) */
			if (fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false))
				return FL_TC_ACT_SHOT;
			break;
		case FL_ACT_SHAPE: /* interface targets, egress: the device's qdisc tree */
			if (fl_account_injection(rule, pkt->hook, 0, cgid, 0, now, false)) {
				__u64 t = now;

				/* keep a plausible departure time the stack set (TCP pacing) */
				if (skb->tstamp > now && skb->tstamp - now < FL_IFACE_HORIZON_NS)
					t = skb->tstamp;
				skb->tstamp = t + net->effect.delay_ns;
				/* the netem band releases the packet from its socket's budget (TCP
				 * Small Queues), so bulk TCP survives the delay; tc egress runs
				 * before the root qdisc classifies, so the prio tree reads this */
				skb->priority = FL_SHAPE_RELEASE_PRIORITY;
			}
			break;
		}
	}
	return FL_TC_ACT_UNSPEC;
}

/* The rules the socket's ancestor at `level` holds (tc egress of its devices): its verdict, or
 * FL_TC_ACT_UNSPEC when the socket is not that deep or that cgroup holds none. The packet is
 * parsed at the first level that holds rules (pkt->hook is 0 until then). A global function: the
 * verifier checks this once, not once per level of the walk. */
__noinline int fl_tc_level(struct __sk_buff *skb, __u32 level, struct fl_pkt *pkt, __u64 now)
{
	const struct fl_config *cfg = fl_armed_config();
	struct fl_rule_set *set;
	__u64 cgid;

	if (!pkt || !cfg)
		return FL_TC_ACT_UNSPEC;
	cgid = bpf_skb_ancestor_cgroup_id(skb, level);
	if (!cgid)
		return FL_TC_ACT_UNSPEC; /* no socket, or not that deep */
	set = fl_rules_of(cfg, cgid, FL_HOOK_NET_TC, 0);
	if (!set)
		return FL_TC_ACT_UNSPEC;
	if (pkt->hook != FL_HOOK_NET_TC) {
		fl_parse_pkt(skb, fl_net_base(skb), true, pkt);
		pkt->hook = FL_HOOK_NET_TC;
	}
	return fl_tc_rules(skb, set, pkt, cgid, now);
}

SEC("tc")
int fl_tc_egress(struct __sk_buff *skb)
{
	const struct fl_config *cfg;
	struct fl_pkt pkt = {};
	__u64 levels, now;
	int verdict;

	if (skb->mark & FL_IFACE_DUP_MARK)
		return FL_TC_ACT_UNSPEC; /* an interface drill's clone: the drill's program clears
					    it */
	if (skb->mark & FL_DUP_MARK) {
		skb->mark &= ~FL_DUP_MARK; /* our clone: passes once, as it was */
		return FL_TC_ACT_UNSPEC;
	}
	cfg = fl_armed_config();
	if (!cfg)
		return FL_TC_ACT_UNSPEC;
	levels = fl_hook_levels(cfg, FL_HOOK_NET_TC, 0);
	if (!levels)
		return FL_TC_ACT_UNSPEC;
	now = bpf_ktime_get_ns();
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		if (!(levels & (1ull << level)))
			continue;
		verdict = fl_tc_level(skb, level, &pkt, now);
		if (verdict != FL_TC_ACT_UNSPEC)
			return verdict;
	}
	return FL_TC_ACT_UNSPEC;
}

/* Every packet of an interface target's device, in one direction. On egress the departure
 * time is set first, so a duplicate (cloned by the rules after it) leaves as late as the
 * original; then drops, corrupt, duplicate and DNS answers. */
static __always_inline int fl_iface(struct __sk_buff *skb, __u32 hook)
{
	const struct fl_config *cfg;
	struct fl_rule_set *set;
	struct fl_pkt pkt = {};
	__u64 id, now;

	if (hook == FL_HOOK_IFACE_EGRESS && (skb->mark & FL_IFACE_DUP_MARK)) {
		skb->mark &= ~FL_IFACE_DUP_MARK; /* our clone: passes once, as it was */
		return FL_TC_ACT_UNSPEC;
	}
	cfg = fl_armed_config();
	if (!cfg)
		return FL_TC_ACT_UNSPEC;
	id = FL_IFACE_TARGET_BIT | skb->ifindex;
	if (!fl_cgroup_may_have_rules(cfg, id))
		return FL_TC_ACT_UNSPEC;
	fl_parse_pkt(skb, fl_net_base(skb), hook == FL_HOOK_IFACE_EGRESS, &pkt);
	now = bpf_ktime_get_ns();
	if (hook == FL_HOOK_IFACE_EGRESS) {
		set = fl_rules_of(cfg, id, FL_HOOK_IFACE_SHAPE, 0);
		if (set) {
			pkt.hook = FL_HOOK_IFACE_SHAPE;
			fl_tc_rules(skb, set, &pkt, id, now);
		}
	}
	set = fl_rules_of(cfg, id, hook, 0);
	if (!set)
		return FL_TC_ACT_UNSPEC;
	pkt.hook = hook;
	return fl_tc_rules(skb, set, &pkt, id, now);
}

SEC("tc")
int fl_iface_egress(struct __sk_buff *skb)
{
	return fl_iface(skb, FL_HOOK_IFACE_EGRESS);
}

SEC("tc")
int fl_iface_ingress(struct __sk_buff *skb)
{
	return fl_iface(skb, FL_HOOK_IFACE_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
