// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File faults: fail opens under a path prefix for tasks of the target cgroup. Two backends of
 * the same logic; the loader keeps the one this kernel supports (BPF-LSM preferred, fmod_ret on
 * security_file_open where the bpf LSM is not active). */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FL_PATH_BUF]);
} fl_path_buf SEC(".maps");

static __always_inline bool fl_path_has_prefix(const char *path, const struct fl_file_match *m)
{
	for (__u32 i = 0; i < FL_PATH_PREFIX_MAX; i++) {
		if (i >= m->prefix_len)
			return true;
		if (path[i] != m->prefix[i])
			return false;
	}
	return true;
}

/* LSM programs must provably return 0 or -errno in [-4095, -1] (enforced since 6.9), and the
 * verifier loses the range of a negated register: re-bound after the negation, behind a
 * barrier so the compiler cannot drop the checks it knows to be redundant. Userspace only ever
 * configures valid errnos. */
static __always_inline int fl_errno_return(__s32 err)
{
	int ret;

	if (err < 1 || err > 4095)
		err = 5; /* EIO */
	ret = -err;
	barrier_var(ret);
	if (ret < -4095)
		ret = -4095;
	if (ret > -1)
		ret = -1;
	return ret;
}

static __always_inline int fl_file_open_verdict(struct file *file)
{
	const struct fl_config *cfg = fl_hook_config(FL_HOOK_FILE_OPEN);
	struct fl_rule_set *set;
	__u64 cgid = 0, now;
	__u32 zero = 0;
	char *path;
	bool have_path = false;

	if (!cfg)
		return 0;
	FL_FIND_RULE_SET(set, cgid, FL_HOOK_FILE_OPEN, cfg, bpf_get_current_ancestor_cgroup_id);
	if (!set)
		return 0;
	path = bpf_map_lookup_elem(&fl_path_buf, &zero);
	if (!path)
		return 0;
	now = bpf_ktime_get_ns();
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];

		if (i >= set->count)
			break;
		if (rule->file.prefix_len) {
			/* Resolve the path once, and only for a task that has a rule with a prefix.
			 */
			if (!have_path) {
				if (bpf_d_path((struct path *)&file->f_path, path, FL_PATH_BUF) < 0)
					return 0;
				have_path = true;
			}
			if (!fl_path_has_prefix(path, &rule->file))
				continue;
		}
		fl_count_matched(rule);
		if (!fl_trigger_fires(rule, now))
			continue;
		if (fl_account_injection(rule, FL_HOOK_FILE_OPEN, cgid, now, true) &&
		    rule->action == FL_ACT_ERRNO)
			return fl_errno_return(rule->err);
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
