/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Packet parsing and the network match, shared by the cgroup_skb programs (data starts at the
 * network header: base 0) and the tc programs (data starts at the MAC header: base = its
 * length). Offsets in struct fl_pkt are from skb->data, ready for bpf_skb_load/store_bytes. */
#ifndef FL_PACKET_BPF_H
#define FL_PACKET_BPF_H

#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "network/abi.h"

struct fl_pkt {
	__u8 family; /* FL_FAMILY_*; 0 = not IP */
	__u8 protocol;
	__u8 syn;    /* a TCP SYN without ACK: a connection being opened */
	__u8 l3_off; /* the network header: 0 (cgroup_skb, L3 devices) or the MAC header's length */
	__u16 peer_port; /* host byte order; 0 when not TCP/UDP */
	__u8 hook;	 /* the hook the packet is seen at (for events), set by the caller */
	__u8 pad1;
	__u32 peer[4];	   /* network byte order */
	__u32 l4_off;	   /* transport header (TCP/UDP with ports only; else 0) */
	__u32 payload_off; /* first byte after the transport header */
};

/* A DNS query's first question name in wire form (3www7example3com0), read only when some rule
 * asks (fl_dns_read). Rules carry their name in wire form too (the daemon converts it), so the
 * match compares bytes, ignoring case: no dotted copy, no per-byte label state. */
struct fl_dns {
	__u8 state; /* 0 = not read yet, 1 = a query with a name that fits, 2 = neither */
	__u8 len;   /* wire bytes, the terminating zero included */
	__u8 pad[6];
	__u64 labels; /* bit i: a label's length byte sits at wire[i] */
	__u8 wire[FL_DNS_NAME_MAX];
};

/* Reads the first question's name of a query to port 53 and finds its labels: one step per
 * label, each a single path for the verifier (no bpf_loop: the 6.1 verifier simulates its
 * callback once and prunes what a second call would reach). Names whose wire form exceeds
 * FL_DNS_NAME_MAX bytes match no DNS rule. */
static __always_inline void fl_dns_read(struct __sk_buff *skb, const struct fl_pkt *p,
					struct fl_dns *d)
{
	__u64 avail; /* 64-bit: a 32-bit spill loses its lower bound on 6.1 (size 0 at the load) */
	__u32 off = 0;
	__u8 hdr[4]; /* flags (2 bytes), QDCOUNT */

	d->state = 2;
	if (p->protocol != FL_IPPROTO_UDP || p->peer_port != 53 || !p->l4_off)
		return;
	if (bpf_skb_load_bytes(skb, p->payload_off + 2, hdr, sizeof(hdr)))
		return;
	if ((hdr[0] & 0xf8) || !(hdr[2] | hdr[3]))
		return; /* a standard query (QR 0, opcode 0) with a question, or not ours
			   (NOTIFY...) */
	/* The question may be shorter than the buffer: load what the packet holds. */
	if (skb->len < p->payload_off + 12 + 2)
		return;
	avail = skb->len - (p->payload_off + 12);
	if (avail > FL_DNS_NAME_MAX)
		avail = FL_DNS_NAME_MAX;
	__builtin_memset(d->wire, 0, sizeof(d->wire));
	d->labels = 0;
	if (avail < 2 || bpf_skb_load_bytes(skb, p->payload_off + 12, d->wire, avail))
		return;
	for (int k = 0; k < FL_DNS_NAME_MAX / 2; k++) {
		__u8 c;

		if (off >= avail)
			return; /* the packet ends inside the name: the zeros after it are ours */
		c = d->wire[off & (FL_DNS_NAME_MAX - 1)];
		if (c == 0) {
			d->len = off + 1;
			d->state = off ? 1 : 2; /* the root name matches nothing */
			return;
		}
		if (c > 63)
			return; /* compression or garbage in a question: not ours */
		d->labels |= 1ull << off;
		off += c + 1;
		if (off >= FL_DNS_NAME_MAX)
			return; /* too long */
	}
}

/* Exact: the whole wire name. Suffix ("*.db.internal", stored as 2db8internal0): the name ends
 * with it at a label boundary, after at least one label of its own. Length bytes (<= 63) are
 * never letters, so lowercasing every byte leaves them alone. */
static __always_inline bool fl_dns_matches(const struct fl_net_match *m, const struct fl_dns *d)
{
	__u32 start;

	if (d->state != 1 || d->len < m->dns_len)
		return false;
	start = d->len - m->dns_len;
	if (m->dns_flags & FL_DNS_SUFFIX) {
		if (!start || !((d->labels >> (start & (FL_DNS_NAME_MAX - 1))) & 1))
			return false;
	} else if (start) {
		return false;
	}
	for (__u32 j = 0; j < FL_DNS_NAME_MAX; j++) {
		__u8 c;

		if (j >= m->dns_len)
			break;
		c = d->wire[(start + j) & (FL_DNS_NAME_MAX - 1)];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (__u8)m->dns_name[j])
			return false;
	}
	return true;
}

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

	p->l3_off = base;
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

/* A rule with no filter matches every packet; a peer filter only its own address family. The
 * DNS name (m->dns_len) is checked by the caller with FL_DEFINE_DNS_CHECK's function. */
static __always_inline bool fl_net_matches(const struct fl_net_match *m, const struct fl_pkt *p)
{
	if (m->protocol && m->protocol != p->protocol)
		return false;
	if (m->syn_only && !p->syn)
		return false;
	return fl_peer_matches(&m->peer, p->family, p->peer, p->peer_port);
}

/* The DNS check as a global function, verified once on its own: inlined into a rule loop, its
 * byte loops multiply the paths past the 6.1 verifier's limit. One per program file (global
 * names must be unique in the linked object). Reads the name on first use (d->state 0). */
#define FL_DEFINE_DNS_CHECK(name)                                                                  \
	__noinline int name(struct __sk_buff *skb, const struct fl_net_match *m,                   \
			    const struct fl_pkt *p, struct fl_dns *d)                              \
	{                                                                                          \
		if (!skb || !m || !p || !d)                                                        \
			return 0;                                                                  \
		if (!d->state)                                                                     \
			fl_dns_read(skb, p, d);                                                    \
		return fl_dns_matches(m, d);                                                       \
	}

#endif /* FL_PACKET_BPF_H */
