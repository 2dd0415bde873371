// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File faults: fail opens under a path prefix for tasks of the target cgroup. Two backends of
 * the same logic; the loader keeps the one this kernel supports (BPF-LSM preferred, fmod_ret on
 * security_file_open where the bpf LSM is not active). */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"

struct fl_path {
	char buf[FL_PATH_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_path);
} fl_path_buf SEC(".maps");

/* Prefix match on a component boundary: the byte after the prefix must end the path or start
 * the next component, so /var/lib/app never matches /var/lib/application. */
static __always_inline bool fl_path_has_prefix(const char *path, const struct fl_file_match *m)
{
	__u32 len = m->prefix_len;
	char next;

	if (len >= FL_PATH_PREFIX_MAX)
		return false;
	for (__u32 i = 0; i < FL_PATH_PREFIX_MAX; i++) {
		if (i >= len)
			break;
		if (path[i] != m->prefix[i])
			return false;
	}
	if (len == 0 || m->prefix[(len - 1) & (FL_PATH_PREFIX_MAX - 1)] == '/')
		return true; /* "/" or a prefix written with its trailing slash */
	next = path[len & (FL_PATH_PREFIX_MAX - 1)];
	return next == '\0' || next == '/';
}

/* The rules one target cgroup holds for file opens: the positive errno to inject, else 0.
 * A global function, so the verifier checks it once rather than once per cgroup level and rule
 * (the inlined form exceeded the verifier's 1M-instruction budget). */
__noinline int fl_file_open_rules(struct fl_rule_set *set, const struct fl_path *path, __u64 cgid,
				  __u64 now)
{
	if (!set || !path)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		__s32 err;

		if (i >= set->count)
			break;
		if (rule->file.prefix_len && !fl_path_has_prefix(path->buf, &rule->file))
			continue;
		fl_count_matched(rule);
		if (!fl_trigger_fires(rule, now))
			continue;
		err = fl_pick_errno(&rule->effect);
		if (fl_account_injection(rule, FL_HOOK_FILE_OPEN, 0, cgid, err, now, true) &&
		    rule->effect.action == FL_ACT_ERRNO)
			return err;
	}
	return 0;
}

/* Every target on the task's ancestry with rules is evaluated, deepest first, each once; the
 * first injection decides the call (a call fails with one errno). */
static __always_inline int fl_file_open_verdict(struct file *file)
{
	const struct fl_config *cfg = fl_armed_config();
	bool have_path = false;
	struct fl_path *path;
	__u64 levels, now;
	__u32 zero = 0;

	if (!cfg)
		return 0;
	levels = fl_hook_levels(cfg, FL_HOOK_FILE_OPEN, 0);
	if (!levels)
		return 0;
	path = bpf_map_lookup_elem(&fl_path_buf, &zero);
	if (!path)
		return 0;
	now = bpf_ktime_get_ns();
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		struct fl_rule_set *set;
		__u64 cgid;
		int err;

		if (!(levels & (1ull << level)))
			continue;
		cgid = bpf_get_current_ancestor_cgroup_id(level);
		if (!cgid)
			continue; /* the task is not that deep */
		set = fl_rules_of(cfg, cgid, FL_HOOK_FILE_OPEN, 0);
		if (!set)
			continue;
		/* Resolved once, and only for a task that is inside some target. */
		if (!have_path) {
			if (bpf_d_path((struct path *)&file->f_path, path->buf, sizeof(path->buf)) <
			    0)
				return 0;
			have_path = true;
		}
		err = fl_file_open_rules(set, path, cgid, now);
		if (err)
			return fl_errno_return(err);
	}
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(fl_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret; /* an earlier LSM already denied: keep its verdict */
	return fl_file_open_verdict(file);
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(fl_fmod_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return fl_file_open_verdict(file);
}

char LICENSE[] SEC("license") = "GPL";
