/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Packet parsing and the network match, shared by the cgroup_skb programs (data starts at the
 * network header: base 0) and the tc programs (data starts at the MAC header: base = its
 * length). Offsets in struct fl_pkt are from skb->data, ready for bpf_skb_load/store_bytes. */
#ifndef FL_PACKET_BPF_H
#define FL_PACKET_BPF_H

#include "common.bpf.h"
#include "faultline/abi.h"

struct fl_pkt {
	__u8 family; /* FL_FAMILY_*; 0 = not IP */
	__u8 protocol;
	__u8 syn; /* a TCP SYN without ACK: a connection being opened */
	__u8 pad0;
	__u16 peer_port; /* host byte order; 0 when not TCP/UDP */
	__u16 pad1;
	__u32 peer[4];	   /* network byte order */
	__u32 l4_off;	   /* transport header (TCP/UDP with ports only; else 0) */
	__u32 payload_off; /* first byte after the transport header */
};

/* IPv6 extension headers skipped to find the transport header; more is not worth the cost. */
#define FL_IPV6_EXT_MAX 4

static __always_inline void fl_parse_ipv6(struct __sk_buff *skb, __u32 base, bool egress,
					  struct fl_pkt *p, __u32 *l4_off, bool *has_ports)
{
	struct ipv6hdr ip6;
	__u32 off = base + sizeof(ip6);
	__u8 next;

	if (bpf_skb_load_bytes(skb, base, &ip6, sizeof(ip6)))
		return;
	p->family = FL_FAMILY_IPV6;
	__builtin_memcpy(p->peer, egress ? &ip6.daddr : &ip6.saddr, sizeof(p->peer));
	next = ip6.nexthdr;
	for (int i = 0; i < FL_IPV6_EXT_MAX; i++) {
		__u8 ext[2];

		if (next != 0 && next != 43 && next != 44 && next != 60)
			break; /* hop-by-hop, routing, fragment, destination options */
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext)))
			return;
		if (next == 44) {
			__be16 frag_off;

			if (bpf_skb_load_bytes(skb, off + 2, &frag_off, sizeof(frag_off)))
				return;
			if (bpf_ntohs(frag_off) & 0xfff8)
				*has_ports = false; /* a later fragment: no transport header */
			off += 8;
		} else {
			off += (ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	p->protocol = next == FL_IPPROTO_ICMPV6 ? FL_IPPROTO_ICMP_ANY : next;
	*l4_off = off;
}

/* skb->protocol says IPv4 or IPv6; anything else parses as family 0 (matched by no filter). */
static __always_inline void fl_parse_pkt(struct __sk_buff *skb, __u32 base, bool egress,
					 struct fl_pkt *p)
{
	bool has_ports = true;
	__u32 l4_off = 0;
	struct {
		__u16 ports[2];
		__u32 seq, ack;
		__u8 doff, flags;
	} l4;

	if (skb->protocol == bpf_htons(FL_ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, base, &ip, sizeof(ip)))
			return;
		p->family = FL_FAMILY_IPV4;
		p->protocol = ip.protocol;
		p->peer[0] = egress ? ip.daddr : ip.saddr;
		l4_off = base + ip.ihl * 4;
		has_ports = !(bpf_ntohs(ip.frag_off) & 0x1fff);
	} else if (skb->protocol == bpf_htons(FL_ETH_P_IPV6)) {
		fl_parse_ipv6(skb, base, egress, p, &l4_off, &has_ports);
	}
	if (!p->family || !has_ports ||
	    (p->protocol != FL_IPPROTO_TCP && p->protocol != FL_IPPROTO_UDP))
		return;
	/* UDP headers are 8 bytes: only the ports are read; TCP's flags sit at byte 13. */
	if (bpf_skb_load_bytes(skb, l4_off, &l4,
			       p->protocol == FL_IPPROTO_TCP ? sizeof(l4) : sizeof(l4.ports)))
		return;
	p->peer_port = bpf_ntohs(egress ? l4.ports[1] : l4.ports[0]);
	p->l4_off = l4_off;
	if (p->protocol == FL_IPPROTO_TCP) {
		p->syn = (l4.flags & 0x12) == 0x02; /* SYN, not SYN-ACK */
		p->payload_off = l4_off + (l4.doff >> 4) * 4;
	} else {
		p->payload_off = l4_off + 8;
	}
}

/* A rule with no filter matches every packet; a peer filter only its own address family. */
static __always_inline bool fl_net_matches(const struct fl_net_match *m, const struct fl_pkt *p)
{
	if (m->family && m->family != p->family)
		return false;
	if (m->protocol && m->protocol != p->protocol)
		return false;
	if (m->syn_only && !p->syn)
		return false;
	if (m->prefix) {
		for (int i = 0; i < 4; i++)
			if ((p->peer[i] & m->mask[i]) != m->peer[i])
				return false;
	}
	if ((m->port_min || m->port_max) &&
	    (p->peer_port < m->port_min || p->peer_port > m->port_max))
		return false;
	return true;
}

#endif /* FL_PACKET_BPF_H */
