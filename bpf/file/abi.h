/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The file family's part of the ABI: its hook, the operations that key its rules, and the rule
 * part its programs read (the path filter). Included by bpf/file/ and by the family's userspace
 * (userspace/faults/file/), after faultline/abi.h. */
#ifndef FAULTLINE_FILE_ABI_H
#define FAULTLINE_FILE_ABI_H

#include "faultline/abi.h"

#define FL_PATH_BUF 4096 /* bytes of d_path output examined: PATH_MAX */

enum fl_file_hook {
	FL_HOOK_FILE_OPEN = 2, /* every file operation; sub = enum fl_file_op */
};

/* fl_rule_key.sub of FL_HOOK_FILE_OPEN: the file operation a rule fails (open is 0, as before
 * the other operations existed). */
enum fl_file_op {
	FL_FILE_OP_OPEN = 0,
	FL_FILE_OP_READ = 1,  /* read, pread64, readv, sendfile...: every read access check */
	FL_FILE_OP_WRITE = 2, /* write, pwrite64, writev...: every write access check */
	FL_FILE_OP_MMAP = 3,  /* mmap of a file */
	/* Directory-entry operations, judged by the resolved path of the entry they change (the
	 * path_* LSM hooks; no per-inode cache: they are not hot loops). */
	FL_FILE_OP_TRUNCATE = 4, /* truncate, ftruncate, open with O_TRUNC */
	FL_FILE_OP_UNLINK = 5,	 /* unlink, unlinkat (not rmdir) */
	FL_FILE_OP_RENAME = 6,	 /* rename, renameat, renameat2: the source or the destination */
	FL_FILE_OP_MKDIR = 7,	 /* mkdir, mkdirat */
};

/* The file family's part of a rule (fl_rule.family): the resolved path's prefix. */
struct fl_file_rule {
	struct fl_path_match path;
};

FL_ABI_ASSERT(sizeof(struct fl_file_rule) == 136, "fl_file_rule changed");
FL_ABI_ASSERT(sizeof(struct fl_file_rule) <= FL_RULE_FAMILY_SIZE, "fl_file_rule outgrew the rule");

#ifndef __cplusplus
static __always_inline const struct fl_file_rule *fl_file_rule_of(const struct fl_rule *rule)
{
	return (const struct fl_file_rule *)rule->family;
}
#endif

#endif /* FAULTLINE_FILE_ABI_H */
