/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps shared by every program. Declared __weak so each .bpf.c can include this file and the
 * static linker (bpftool gen object) merges them into one map each. */
#ifndef FL_MAPS_BPF_H
#define FL_MAPS_BPF_H

#include "faultline/abi.h"

/* Events per second per CPU before the ring buffer is spared; set by the loader. */
const volatile __u32 fl_event_rate_per_cpu __weak = 2000;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_config);
} fl_config SEC(".maps") __weak;

/* Both generations of the rule table (see struct fl_config). Not preallocated: a full table is
 * ~36 MB, a typical one a few sets. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * FL_MAX_RULE_KEYS);
	__type(key, struct fl_rule_key);
	__type(value, struct fl_rule_set);
} fl_rules SEC(".maps") __weak;

/* Both generations of the cgroup filter bitmap: words [gen * FL_CG_FILTER_WORDS, ...). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * FL_CG_FILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} fl_cg_filter SEC(".maps") __weak;

/* Both generations of the per-(hook, sub) level masks of the task-context hooks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * FL_MAX_HOOK_KEYS);
	__type(key, struct fl_hook_key);
	__type(value, struct fl_hook_levels);
} fl_hooks SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct fl_rule_stats);
} fl_stats SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct fl_trig_state);
} fl_trig_state SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fl_gstats SEC(".maps") __weak;

struct fl_rate_window {
	__u64 start_ns;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_rate_window);
} fl_evt_rate SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} fl_events SEC(".maps") __weak;

#endif /* FL_MAPS_BPF_H */
