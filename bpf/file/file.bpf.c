// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File faults: fail opens, reads, writes and mmaps of files under a path prefix for tasks of the
 * target cgroup. Rules are keyed (FL_HOOK_FILE_OPEN, operation). Two backends of the same logic;
 * the loader keeps the one this kernel supports:
 *   - BPF-LSM: lsm/file_open, lsm/mmap_file, and fmod_ret on security_file_permission for reads
 *     and writes (bpf_d_path is not allowed in the file_permission LSM hook, but is in fmod_ret
 *     on security_file_permission);
 *   - fmod_ret alone where the bpf LSM is not active: security_file_open and
 *     security_file_permission (no mmap: bpf_d_path is not allowed on security_mmap_file).
 * Whether a file's path is under a rule's prefix is decided once per inode and rule and cached,
 * so a hot read loop pays a hash lookup, not a d_path walk, per call. */
#include "lib/common.bpf.h"
#include "lib/match.bpf.h"
#include "file/abi.h"
#include "file/dentry_path.bpf.h"

#define FL_MAY_WRITE 0x2 /* include/linux/fs.h */
#define FL_MAY_READ 0x4
#define FL_RULE_WORDS (FL_MAX_RULES / 64)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_path);
} fl_path_buf SEC(".maps");

/* Per inode: which rules' prefixes its path is under (`match`), for the rules already decided
 * (`known`), valid while the rule table's epoch is the one recorded. Keyed by the inode's
 * address; superblock, number and generation guard against the address (and, on ext4 or xfs,
 * the number) being reused by a new file after a delete. A file renamed across a prefix while the
 * same policy is live keeps its first decision. */
struct fl_path_verdict {
	__u64 epoch;
	__u64 ino;
	__u64 sb;
	__u32 generation;
	__u32 pad0;
	__u64 known[FL_RULE_WORDS];
	__u64 match[FL_RULE_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct fl_path_verdict);
} fl_path_cache SEC(".maps");

/* A zeroed value to start a cache entry from (too large for the stack next to the rest). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_path_verdict);
} fl_path_blank SEC(".maps");

/* Prefix match on a component boundary: the byte after the prefix must end the path or start
 * the next component, so /var/lib/app never matches /var/lib/application. A global function:
 * the byte loop is verified once, not once per rule slot. */
__noinline int fl_path_has_prefix(const struct fl_path *p, const struct fl_path_match *m)
{
	const char *path;
	__u32 len;
	char next;

	if (!p || !m)
		return 0;
	path = p->buf;
	len = m->prefix_len;
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

/* Does some rule of the set need the path, its prefix not decided for this inode yet? */
__noinline int fl_file_needs_path(struct fl_rule_set *set, struct fl_path_verdict *cache)
{
	if (!set || !cache)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		__u32 id = rule->rule_id & (FL_MAX_RULES - 1);

		if (i >= set->count)
			break;
		if (fl_file_rule_of(rule)->path.prefix_len &&
		    !(cache->known[id / 64] & (1ull << (id % 64))))
			return 1;
	}
	return 0;
}

/* Marks, for each rule of the set with a prefix, whether `path` is under it (a rename's two
 * ends are marked in turn, so a rule matches when either is under its prefix). */
__noinline int fl_file_mark(struct fl_rule_set *set, const struct fl_path *path,
			    struct fl_path_verdict *marks)
{
	if (!set || !path || !marks)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		__u32 id = rule->rule_id & (FL_MAX_RULES - 1);
		__u64 bit = 1ull << (id % 64);

		if (i >= set->count)
			break;
		if (!fl_file_rule_of(rule)->path.prefix_len)
			continue;
		marks->known[id / 64] |= bit;
		if (fl_path_has_prefix(path, &fl_file_rule_of(rule)->path))
			marks->match[id / 64] |= bit;
	}
	return 0;
}

__noinline int fl_file_rule_fire(const struct fl_rule *rule, __u32 hook, __u32 sub, __u64 cgid,
				 __u64 now)
{
	if (!rule)
		return 0;
	return fl_task_rule_fire(rule, hook, sub, cgid, now);
}

/* The rules one target cgroup holds for this operation: the positive errno to inject, -1 when a
 * dry-run rule would have (the call is decided: nothing further is counted), else 0.
 * `path` is resolved (buf[0] != 0) whenever fl_file_needs_path said so. A global function, so
 * the verifier checks it once rather than once per cgroup level. */
__noinline int fl_file_rules(struct fl_rule_set *set, const struct fl_path *path,
			     struct fl_path_verdict *cache, __u32 op, __u64 cgid)
{
	__u64 now = bpf_ktime_get_ns(); /* here: a global function takes at most five arguments */

	if (!set || !path || !cache)
		return 0;
	for (__u32 i = 0; i < FL_RULES_PER_SET; i++) {
		const struct fl_rule *rule = &set->rules[i];
		__u32 id = rule->rule_id & (FL_MAX_RULES - 1);
		__u64 bit = 1ull << (id % 64);
		__s32 err;

		if (i >= set->count)
			break;
		if (fl_file_rule_of(rule)->path.prefix_len) {
			if (!(cache->known[id / 64] & bit)) {
				if (!path->buf[0])
					continue; /* d_path failed: never fail a call we cannot
						     place */
				if (fl_path_has_prefix(path, &fl_file_rule_of(rule)->path))
					cache->match[id / 64] |= bit;
				cache->known[id / 64] |= bit;
			}
			if (!(cache->match[id / 64] & bit))
				continue;
		}
		err = fl_file_rule_fire(rule, FL_HOOK_FILE_OPEN, op, cgid, now);
		if (err)
			return err;
	}
	return 0;
}

/* This inode's cache entry for the live epoch (a fresh one when missing or stale). */
static __always_inline struct fl_path_verdict *fl_path_cache_of(struct file *file, __u64 epoch)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u64 key = (__u64)inode;
	__u64 ino = BPF_CORE_READ(inode, i_ino);
	__u64 sb = (__u64)BPF_CORE_READ(inode, i_sb);
	__u32 generation = BPF_CORE_READ(inode, i_generation);
	struct fl_path_verdict *v = bpf_map_lookup_elem(&fl_path_cache, &key);
	__u32 zero = 0;

	if (v && v->epoch == epoch && v->ino == ino && v->sb == sb && v->generation == generation)
		return v;
	v = bpf_map_lookup_elem(&fl_path_blank, &zero);
	if (!v)
		return 0;
	v->epoch = epoch;
	v->ino = ino;
	v->sb = sb;
	v->generation = generation;
	if (bpf_map_update_elem(&fl_path_cache, &key, v, BPF_ANY))
		return 0;
	return bpf_map_lookup_elem(&fl_path_cache, &key);
}

/* The cgroup levels of the task's ancestry whose target holds rules for `op`, the walks below
 * share: what each one does at a level that holds a rule set. */
enum fl_file_walk {
	FL_WALK_ANY,	    /* 1 when some level holds rules */
	FL_WALK_NEEDS_PATH, /* 1 when some rule there needs the path, undecided for this inode */
	FL_WALK_JUDGE,	    /* the rules, deepest level first; the first injection decides */
	FL_WALK_MARK,	    /* mark which prefixes `path` is under (fl_file_mark) */
};

/* One walk over `levels`, deepest first. The task-context programs call it up to three times
 * (is any target ours; is the path needed; judge), since what only the program itself may do
 * (the inode's cache entry, bpf_d_path on the file) comes between. A global function: the
 * verifier checks the walk once, not its body once per level as an inlined loop would be. */
__noinline int fl_file_walk(__u64 levels, __u32 op, enum fl_file_walk what,
			    struct fl_path_verdict *cache, const struct fl_path *path)
{
	const struct fl_config *cfg = fl_armed_config();

	if (!cfg)
		return 0;
	for (int level = FL_MAX_CGROUP_LEVEL - 1; level >= 0; level--) {
		struct fl_rule_set *set;
		__u64 cgid;
		int value;

		if (!(levels & (1ull << level)))
			continue;
		cgid = bpf_get_current_ancestor_cgroup_id(level);
		if (!cgid)
			continue; /* the task is not that deep */
		set = fl_rules_of(cfg, cgid, FL_HOOK_FILE_OPEN, op);
		if (!set)
			continue;
		if (what == FL_WALK_ANY)
			return 1;
		if (what == FL_WALK_NEEDS_PATH) {
			if (fl_file_needs_path(set, cache))
				return 1;
			continue;
		}
		if (what == FL_WALK_MARK) {
			fl_file_mark(set, path, cache);
			continue;
		}
		value = fl_file_rules(set, path, cache, op, cgid);
		if (value)
			return value; /* an errno, or -1: a dry-run rule decided the call */
	}
	return 0;
}

/* The cgroup levels holding rules for `op`, when the task (its own credentials, not a stacked
 * filesystem's) is inside some target that has them; else 0: the no-rule path of every file
 * program ends here. */
static __always_inline __u64 fl_file_levels(const struct fl_config *cfg, __u32 op)
{
	__u64 levels = fl_hook_levels(cfg, FL_HOOK_FILE_OPEN, op);

	if (!levels || fl_creds_overridden())
		return 0;
	return fl_file_walk(levels, op, FL_WALK_ANY, 0, 0) ? levels : 0;
}

/* Every target on the task's ancestry with rules for this operation is evaluated, deepest
 * first, each once; the first injection decides the call (a call fails with one errno). The
 * inode's cache entry is looked up, and the path resolved, only for a task inside some target. */
static __always_inline int fl_file_verdict(struct file *file, __u32 op)
{
	const struct fl_config *cfg = fl_armed_config();
	struct fl_path_verdict *cache;
	struct fl_path *path;
	__u64 levels;
	__u32 zero = 0;
	int err;

	if (!cfg || !file)
		return 0;
	levels = fl_file_levels(cfg, op);
	if (!levels)
		return 0;
	path = bpf_map_lookup_elem(&fl_path_buf, &zero);
	cache = fl_path_cache_of(file, cfg->epoch);
	if (!path || !cache)
		return 0;
	path->buf[0] = 0;
	if (fl_file_walk(levels, op, FL_WALK_NEEDS_PATH, cache, 0) &&
	    bpf_d_path((struct path *)&file->f_path, path->buf, sizeof(path->buf)) < 0)
		path->buf[0] = 0;
	err = fl_file_walk(levels, op, FL_WALK_JUDGE, cache, path);
	return err > 0 ? fl_errno_return(err) : 0;
}

/* Per CPU: the prefix marks of the directory-entry operation being judged (no cache: each
 * call is judged on its own). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_path_verdict);
} fl_entry_marks SEC(".maps");

/* Verdict for a directory-entry operation on (mnt, dentry), and for a rename also on its
 * destination (mnt2, dentry2; 0 otherwise): the paths are resolved by fl_dentry_path only for a
 * task inside some target whose rules have prefixes, then judged like an open. */
static __always_inline int fl_entry_verdict(__u64 mnt, __u64 dentry, __u64 mnt2, __u64 dentry2,
					    __u32 op)
{
	const struct fl_config *cfg = fl_armed_config();
	struct fl_path_verdict *marks;
	struct fl_path *path;
	__u64 levels;
	__u32 zero = 0;
	int err;

	if (!cfg)
		return 0;
	levels = fl_file_levels(cfg, op);
	if (!levels)
		return 0;
	path = bpf_map_lookup_elem(&fl_path_buf, &zero);
	marks = bpf_map_lookup_elem(&fl_entry_marks, &zero);
	if (!path || !marks)
		return 0;
	for (int w = 0; w < FL_RULE_WORDS; w++) {
		marks->known[w] = 0;
		marks->match[w] = 0;
	}
	path->buf[0] = 0;
	if (fl_file_walk(levels, op, FL_WALK_NEEDS_PATH, marks, 0)) {
		if (fl_dentry_path(mnt, dentry, path) > 0)
			fl_file_walk(levels, op, FL_WALK_MARK, marks, path);
		if (dentry2 && fl_dentry_path(mnt2, dentry2, path) > 0)
			fl_file_walk(levels, op, FL_WALK_MARK, marks, path);
	}
	/* Every rule with a prefix is marked now, unless no path could be placed: an empty path
	 * leaves those rules out (never fail a call we cannot place). */
	path->buf[0] = 0;
	err = fl_file_walk(levels, op, FL_WALK_JUDGE, marks, path);
	return err > 0 ? fl_errno_return(err) : 0;
}

static __always_inline int fl_rw_op(int mask)
{
	if (mask & FL_MAY_WRITE)
		return FL_FILE_OP_WRITE;
	if (mask & FL_MAY_READ)
		return FL_FILE_OP_READ;
	return -1;
}

SEC("lsm/file_open")
int BPF_PROG(fl_lsm_file_open, struct file *file, int ret)
{
	if (ret)
		return ret; /* an earlier LSM already denied: keep its verdict */
	return fl_file_verdict(file, FL_FILE_OP_OPEN);
}

SEC("lsm/mmap_file")
int BPF_PROG(fl_lsm_file_mmap, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret || !file) /* anonymous mappings have no file */
		return ret;
	return fl_file_verdict(file, FL_FILE_OP_MMAP);
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(fl_fmod_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return fl_file_verdict(file, FL_FILE_OP_OPEN);
}

SEC("fmod_ret/security_file_permission")
int BPF_PROG(fl_fmod_file_rw, struct file *file, int mask, int ret)
{
	int op = fl_rw_op(mask);

	if (ret || op < 0)
		return ret;
	return fl_file_verdict(file, (__u32)op);
}

/* Directory-entry operations. A pointer read from the context is a typed kernel pointer to the
 * verifier, and fl_dentry_path (a global function) takes addresses: they are read as numbers. */
static __always_inline __u64 fl_ctx_addr(unsigned long long *ctx, int i)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &ctx[i]);
	return v;
}

static __always_inline int fl_entry_of_path(const struct path *p, __u32 op)
{
	return fl_entry_verdict((__u64)BPF_CORE_READ(p, mnt), (__u64)BPF_CORE_READ(p, dentry), 0, 0,
				op);
}

/* unlink and mkdir: (const struct path *dir, struct dentry *dentry[, umode_t mode]). The entry's
 * parent is dir's dentry, so the walk starts at the entry itself, in dir's mount. */
static __always_inline int fl_entry_in_dir(unsigned long long *ctx, int nargs, __u32 op)
{
	const struct path *dir = (const struct path *)ctx[0];
	int ret = (int)ctx[nargs];

	if (ret)
		return ret; /* an earlier program already denied: keep its verdict */
	return fl_entry_verdict((__u64)BPF_CORE_READ(dir, mnt), fl_ctx_addr(ctx, 1), 0, 0, op);
}

/* rename: (old_dir, old_dentry, new_dir, new_dentry, flags) since 5.19. The return slot is at a
 * fixed offset (the verifier allows no other ctx access); a kernel reporting another argument
 * count is counted, never silently skipped, and one without the flags refuses the program, which
 * is optional: the rest of the backend loads without it. */
static __always_inline int fl_entry_rename(unsigned long long *ctx)
{
	const struct path *from = (const struct path *)ctx[0];
	const struct path *to = (const struct path *)ctx[2];
	int ret;

	if (bpf_get_func_arg_cnt(ctx) != 5) {
		fl_gstat_inc(FL_STAT_HOOK_MISMATCH);
		return 0;
	}
	ret = (int)ctx[5];
	if (ret)
		return ret;
	return fl_entry_verdict((__u64)BPF_CORE_READ(from, mnt), fl_ctx_addr(ctx, 1),
				(__u64)BPF_CORE_READ(to, mnt), fl_ctx_addr(ctx, 3),
				FL_FILE_OP_RENAME);
}

/* The directory-entry programs, once per backend: `lsm/HOOK` (file.lsm) and
 * `fmod_ret/security_HOOK` (file.fmod_ret) run the same verdict. Since 6.2, ftruncate and open
 * with O_TRUNC pass file_truncate instead of path_truncate; each program is optional, loaded
 * where the kernel has its hook. */
#define FL_ENTRY_PROGRAMS(kind, section)                                                           \
	SEC(section "path_truncate")                                                               \
	int BPF_PROG(fl_##kind##_path_truncate, const struct path *path, int ret)                  \
	{                                                                                          \
		return ret ? ret : fl_entry_of_path(path, FL_FILE_OP_TRUNCATE);                    \
	}                                                                                          \
	SEC(section "file_truncate")                                                               \
	int BPF_PROG(fl_##kind##_file_truncate, struct file *file, int ret)                        \
	{                                                                                          \
		return ret ? ret : fl_entry_of_path(&file->f_path, FL_FILE_OP_TRUNCATE);           \
	}                                                                                          \
	SEC(section "path_unlink")                                                                 \
	int fl_##kind##_path_unlink(unsigned long long *ctx)                                       \
	{                                                                                          \
		return fl_entry_in_dir(ctx, 2, FL_FILE_OP_UNLINK);                                 \
	}                                                                                          \
	SEC(section "path_mkdir")                                                                  \
	int fl_##kind##_path_mkdir(unsigned long long *ctx)                                        \
	{                                                                                          \
		return fl_entry_in_dir(ctx, 3, FL_FILE_OP_MKDIR);                                  \
	}                                                                                          \
	SEC(section "path_rename")                                                                 \
	int fl_##kind##_path_rename(unsigned long long *ctx)                                       \
	{                                                                                          \
		return fl_entry_rename(ctx);                                                       \
	}

FL_ENTRY_PROGRAMS(lsm, "lsm/")
FL_ENTRY_PROGRAMS(fmod, "fmod_ret/security_")

char LICENSE[] SEC("license") = "GPL";
