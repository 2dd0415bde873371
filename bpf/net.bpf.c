// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Network faults scoped to a cgroup: cgroup_skb programs attached to each target cgroup, so
 * the kernel itself keeps the blast radius inside the target's subtree. */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"

/* The cgroup each attachment was made at, written by userspace right after attaching. With
 * BPF_F_ALLOW_MULTI the kernel runs the program once per attachment on the socket's ancestry
 * (at /a and at /a/b for a socket in /a/b), and cgroup storage is per attachment: each run reads
 * the rules of its own cgroup only, so a rule applies once per packet however targets nest.
 * 0 (not written yet) finds no rules. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} fl_attach_cgrp SEC(".maps");

struct fl_pkt {
	__u8 protocol;
	__u32 peer_addr; /* network byte order */
	__u16 peer_port; /* host byte order; 0 when not TCP/UDP */
	bool is_ipv4;
};

/* cgroup_skb data starts at the network header. */
static __always_inline void fl_parse_pkt(struct __sk_buff *skb, bool egress, struct fl_pkt *p)
{
	struct iphdr ip;
	__u16 ports[2];

	p->is_ipv4 = false;
	if (skb->protocol != bpf_htons(FL_ETH_P_IP))
		return;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
		return;
	p->is_ipv4 = true;
	p->protocol = ip.protocol;
	p->peer_addr = egress ? ip.daddr : ip.saddr;
	p->peer_port = 0;
	if (ip.protocol != FL_IPPROTO_TCP && ip.protocol != FL_IPPROTO_UDP)
		return;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, ports, sizeof(ports)))
		return;
	p->peer_port = bpf_ntohs(egress ? ports[1] : ports[0]);
}

/* A rule with no filter matches every packet, IPv6 included; a filtered rule only IPv4. */
static __always_inline bool fl_net_matches(const struct fl_net_match *m, const struct fl_pkt *p)
{
	bool filtered = m->protocol || m->peer_mask || m->port_min || m->port_max;

	if (!filtered)
		return true;
	if (!p->is_ipv4)
		return false;
	if (m->protocol && m->protocol != p->protocol)
		return false;
	if (m->peer_mask && (p->peer_addr & m->peer_mask) != m->peer_addr)
		return false;
	if ((m->port_min || m->port_max) &&
	    (p->peer_port < m->port_min || p->peer_port > m->port_max))
		return false;
	return true;
}

static __always_inline int fl_skb_verdict(struct __sk_buff *skb, __u32 hook)
{
	const struct fl_config *cfg = fl_armed_config();
	struct fl_rule_set *set;
	struct fl_pkt pkt = {};
	__u64 *attached, cgid, now;
	bool egress = hook == FL_HOOK_NET_EGRESS;

	if (!cfg)
		return 1;
	attached = bpf_get_local_storage(&fl_attach_cgrp, 0);
	cgid = *attached;
	set = fl_rules_of(cfg, cgid, hook, 0);
	if (!set)
		return 1;
	fl_parse_pkt(skb, egress, &pkt);
	now = bpf_ktime_get_ns();
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];

		if (i >= set->count)
			break;
		if (!fl_net_matches(&rule->net, &pkt))
			continue;
		fl_count_matched(rule);
		if (!fl_trigger_fires(rule, now))
			continue;
		if (fl_account_injection(rule, hook, 0, cgid, 0, now, false) &&
		    rule->effect.action == FL_ACT_DROP)
			return 0;
	}
	return 1;
}

SEC("cgroup_skb/egress")
int fl_skb_egress(struct __sk_buff *skb)
{
	return fl_skb_verdict(skb, FL_HOOK_NET_EGRESS);
}

SEC("cgroup_skb/ingress")
int fl_skb_ingress(struct __sk_buff *skb)
{
	return fl_skb_verdict(skb, FL_HOOK_NET_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
