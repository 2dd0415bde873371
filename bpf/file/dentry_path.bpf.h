/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The absolute path of a directory entry, as the calling task sees it: what bpf_d_path prints,
 * for the hooks where the kernel does not allow bpf_d_path (the path_* LSM hooks and their
 * security_* functions: unlink, mkdir, rename, truncate). The walk is d_path's own: up the
 * d_parent chain to the mount's root, across to the mountpoint in the parent mount, until the
 * task's root directory or the namespace's root. Components are written from the end of a
 * scratch area backwards, then copied to the front of the caller's buffer.
 * Included by one program file only: the walk is a global function. */
#pragma once

#include "lib/common.bpf.h"
#include "file/abi.h"

#define FL_DPATH_DEPTH 64  /* components (and mount crossings) walked; deeper is not placed */
#define FL_DPATH_AREA 2048 /* bytes of path assembled; a longer one is not placed */
#define FL_DPATH_NAME 255  /* NAME_MAX */

struct fl_path {
	char buf[FL_PATH_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_path);
} fl_dpath_scratch SEC(".maps");

/* The walk's state between steps (on the caller's stack: bpf_loop hands it to each step). */
struct fl_dpath_walk {
	__u64 d;      /* the entry at this step */
	__u64 vm;     /* its mount (a struct vfsmount) */
	__u64 root_d; /* the task's root directory */
	__u64 root_vm;
	__u64 mount_off; /* offsetof(struct mount, mnt) */
	__u32 pos;	 /* the assembled path starts at area->buf[pos] */
	int state;	 /* 0 walking, 1 whole, -1 not placed */
};

/* One step up: the entry's name written before what is assembled, or a mount crossed. A bpf_loop
 * callback, so the verifier checks one step, not FL_DPATH_DEPTH of them. */
static long fl_dpath_step(__u32 i, void *arg)
{
	struct fl_dpath_walk *w = arg;
	struct dentry *dp = (struct dentry *)w->d;
	struct vfsmount *vmp = (struct vfsmount *)w->vm;
	const unsigned char *name;
	__u64 parent, mnt_root;
	__u32 len, pos = w->pos, zero = 0;
	struct fl_path *area = bpf_map_lookup_elem(&fl_dpath_scratch, &zero);

	w->state = -1;
	if (!area || pos > FL_DPATH_AREA)
		return 1;
	if (w->d == w->root_d && w->vm == w->root_vm) {
		w->state = 1;
		return 1;
	}
	mnt_root = (__u64)BPF_CORE_READ(vmp, mnt_root);
	parent = (__u64)BPF_CORE_READ(dp, d_parent);
	if (w->d == mnt_root) {
		/* The top of this mount: go on from its mountpoint in the parent mount. */
		struct mount *m = (struct mount *)(w->vm - w->mount_off);
		__u64 up = (__u64)BPF_CORE_READ(m, mnt_parent);

		if (up == (__u64)m) {
			w->state = 1; /* the namespace's root mount: the path is whole */
			return 1;
		}
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->vm = up + w->mount_off;
		w->state = 0;
		return 0;
	}
	if (w->d == parent || !parent)
		return 1; /* disconnected from its mount's root: d_path cannot place it either */
	len = BPF_CORE_READ(dp, d_name.len);
	name = BPF_CORE_READ(dp, d_name.name);
	if (len == 0 || len > FL_DPATH_NAME || len + 1 > pos)
		return 1;
	pos -= len;
	if (bpf_probe_read_kernel(&area->buf[pos & (FL_DPATH_AREA - 1)], len & FL_DPATH_NAME, name))
		return 1;
	pos -= 1;
	area->buf[pos & (FL_DPATH_AREA - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	w->state = 0;
	return 0;
}

/* Writes the path of `dentry_addr` (an entry of the mount `mnt_addr`, a struct vfsmount) into
 * out->buf, NUL-terminated; returns its length, or -1 when it cannot be placed (too deep, too
 * long, a disconnected entry, a read that failed): callers never fail a call they cannot place.
 * Addresses rather than pointers: a global function takes scalars. */
__noinline int fl_dentry_path(__u64 mnt_addr, __u64 dentry_addr, struct fl_path *out)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fl_dpath_walk w = {
		.d = dentry_addr,
		.vm = mnt_addr,
		.root_d = (__u64)BPF_CORE_READ(task, fs, root.dentry),
		.root_vm = (__u64)BPF_CORE_READ(task, fs, root.mnt),
		.mount_off = bpf_core_field_offset(struct mount, mnt),
		.pos = FL_DPATH_AREA,
	};
	__u32 zero = 0, n, pos;
	struct fl_path *area = bpf_map_lookup_elem(&fl_dpath_scratch, &zero);

	if (!out || !area || !dentry_addr || !mnt_addr)
		return -1;
	bpf_loop(FL_DPATH_DEPTH, fl_dpath_step, &w, 0);
	if (w.state != 1)
		return -1; /* not placed, or deeper than the walk */
	pos = w.pos;
	if (pos >= FL_DPATH_AREA) { /* the root itself */
		out->buf[0] = '/';
		out->buf[1] = 0;
		return 1;
	}
	n = FL_DPATH_AREA - pos;
	/* Bounds the verifier can see whatever the compiler made of the checks above. */
	barrier_var(n);
	barrier_var(pos);
	n &= FL_DPATH_AREA - 1;
	pos &= FL_DPATH_AREA - 1;
	if (bpf_probe_read_kernel(out->buf, n, &area->buf[pos]))
		return -1;
	out->buf[n] = 0;
	return (int)n;
}
