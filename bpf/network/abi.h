/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The network family's part of the ABI: its hooks, actions, and the rule part its programs read
 * (the packet filter and the effect's parameters). Included by bpf/network/ and by the family's
 * userspace (userspace/faults/network/), after faultline/abi.h. */
#ifndef FAULTLINE_NETWORK_ABI_H
#define FAULTLINE_NETWORK_ABI_H

#include "faultline/abi.h"

#define FL_DNS_NAME_MAX 64 /* bytes of a DNS query name matched (wire form) */

enum fl_net_hook {
	FL_HOOK_NET_EGRESS = 0,
	FL_HOOK_NET_INGRESS = 1,
	FL_HOOK_NET_SHAPE = 3, /* egress departure times (delay, jitter, rate): its own program */
	FL_HOOK_NET_TC = 4,    /* tc egress on the target's devices: corrupt, duplicate */
	FL_HOOK_IFACE_EGRESS = 5,  /* interface targets: tc egress of the named device */
	FL_HOOK_IFACE_INGRESS = 6, /* interface targets: tc ingress of the named device */
	FL_HOOK_IFACE_SHAPE = 7,   /* interface targets: departure times, read by the egress program
				    * after its own rules; a hook of its own so fq goes only where
				    * something is delayed */
};

enum fl_net_action {
	FL_ACT_DROP = 1,       /* drop the packet */
	FL_ACT_SHAPE = 3,      /* delay (EDT departure time) and/or pace the packet */
	FL_ACT_CORRUPT = 4,    /* flip one bit of the payload (checksum kept valid) */
	FL_ACT_DUPLICATE = 5,  /* send the packet twice */
	FL_ACT_DNS_ANSWER = 6, /* answer a DNS query in place of the server (dns_rcode) */
};

/* Delayed packets are released from their socket's accounting by a netem band (bulk TCP under
 * delay): the shape program sets skb->priority to FL_SHAPE_RELEASE_PRIORITY, which the root prio
 * qdisc faultline installs (handle FL_SHAPE_QDISC_MAJOR:) reads as "band FL_SHAPE_RELEASE_BAND",
 * with no filter. netem there orphans the skb at enqueue (TCP Small Queues stops charging the
 * wait) and its child fq holds it until skb->tstamp. Every other priority goes to band 1, a plain
 * fq (undelayed traffic, rate-only pacing). Minor 4, not 7: on a device without this tree,
 * priority & 15 == 4 is the "normal" band of pfifo_fast and fq, and 6.1's fq sends 7
 * (TC_PRIO_CONTROL) to an unpaced flow that ignores tstamp. */
#define FL_SHAPE_QDISC_MAJOR 0xfa19u
#define FL_SHAPE_RELEASE_BAND 4u
#define FL_SHAPE_RELEASE_PRIORITY ((FL_SHAPE_QDISC_MAJOR << 16) | FL_SHAPE_RELEASE_BAND)

#define FL_IPPROTO_ICMP_ANY 1 /* packets carry ICMP (1) or ICMPv6 (58); both compare as 1 */

/* fl_net_effect.corrupt_flags */
#define FL_CORRUPT_BAD_CSUM                                                                        \
	1u /* leave the transport checksum wrong: the receiver's stack drops it */

/* The packet filter; zero fields match anything. */
struct fl_net_match {
	struct fl_peer_match peer; /* dst on egress, src on ingress */
	__u8 protocol; /* IPPROTO_*; 0 = any; FL_IPPROTO_ICMP_ANY matches ICMP and ICMPv6 */
	__u8 syn_only; /* 1: only TCP SYNs that open a connection (SYN set, ACK clear) */
	/* DNS: only queries (UDP to port 53) for this name; dns_len 0 = not a DNS rule. Lowercase,
	 * in wire form with its terminating zero ("db.internal" is 2db8internal0). FL_DNS_SUFFIX:
	 * the query name ends with it at a label boundary ("*.db.internal"), else equal. */
	__u8 dns_len;
	__u8 dns_flags;
	char dns_name[FL_DNS_NAME_MAX];
};

#define FL_DNS_SUFFIX 1u

/* How a drop decides, beyond the trigger: Bernoulli (the trigger's probability alone) or
 * Gilbert-Elliott, a two-state Markov chain held per target (bursty loss, as netem's "loss
 * gemodel"). Thresholds compare against bpf_get_prandom_u32(). */
enum fl_loss_kind {
	FL_LOSS_BERNOULLI = 0,
	FL_LOSS_GILBERT_ELLIOTT = 1,
};

struct fl_loss_model {
	__u32 kind;	 /* enum fl_loss_kind */
	__u32 p;	 /* good -> bad transition, per packet */
	__u32 r;	 /* bad -> good transition, per packet */
	__u32 loss_bad;	 /* loss in the bad state */
	__u32 loss_good; /* loss in the good state */
	__u32 pad0;
};

/* The effect's network parameters. */
struct fl_net_effect {
	__u64 delay_ns;	 /* added latency (FL_ACT_SHAPE) */
	__u64 jitter_ns; /* +- around delay_ns, uniform */
	__u64 rate_bps;	 /* pacing rate, bytes per second; 0 = no pacing */
	struct fl_loss_model loss;
	__u16 dns_rcode;     /* FL_ACT_DNS_ANSWER: the answer's RCODE (2 SERVFAIL, 3 NXDOMAIN) */
	__u16 corrupt_flags; /* FL_ACT_CORRUPT: FL_CORRUPT_* */
	__u32 pad0;
};

/* The network family's part of a rule (fl_rule.family). */
struct fl_net_rule {
	struct fl_net_match match;
	__u32 pad0;
	struct fl_net_effect effect;
};

FL_ABI_ASSERT(sizeof(struct fl_net_match) == 44 + FL_DNS_NAME_MAX, "fl_net_match changed");
FL_ABI_ASSERT(sizeof(struct fl_net_effect) == 56, "fl_net_effect changed");
FL_ABI_ASSERT(sizeof(struct fl_net_rule) <= FL_RULE_FAMILY_SIZE, "fl_net_rule outgrew the rule");

/* Per-target state of a rule, kept in the cgroup storage of the target's attachment (one per
 * target cgroup and direction): a burst model or a pacing clock belongs to the target, not to
 * the fault. A slot whose rule_id does not match belongs to an earlier policy: reset. */
struct fl_net_slot {
	__u32 rule_id_plus1; /* 0 = unused */
	__u32 ge_bad;	     /* Gilbert-Elliott: 1 while in the bad state */
	__u64 next_ns;	     /* pacing: the earliest departure of the next packet */
};

struct fl_attach_state {
	__u64 cgroup_id; /* the cgroup this attachment serves; written by userspace at attach */
	__u64 pad0;
	struct fl_net_slot slots[2 * FL_RULES_PER_SET]; /* drop rules, then shape rules */
};

FL_ABI_ASSERT(sizeof(struct fl_attach_state) == 16 + 16 * 2 * FL_RULES_PER_SET,
	      "fl_attach_state changed");

#ifndef __cplusplus
/* The network part of a rule, where the programs read it. */
static __always_inline const struct fl_net_rule *fl_net_rule_of(const struct fl_rule *rule)
{
	return (const struct fl_net_rule *)rule->family;
}
#endif

#endif /* FAULTLINE_NETWORK_ABI_H */
