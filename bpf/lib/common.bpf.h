/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FL_COMMON_BPF_H
#define FL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define FL_ETH_P_IP 0x0800
#define FL_ETH_P_IPV6 0x86DD
#define FL_IPPROTO_ICMP 1
#define FL_IPPROTO_ICMPV6 58
#define FL_IPPROTO_TCP 6
#define FL_IPPROTO_UDP 17

#endif /* FL_COMMON_BPF_H */
