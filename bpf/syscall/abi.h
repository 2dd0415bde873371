/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The syscall family's part of the ABI: its hook, the security hooks its LSM programs judge at,
 * and the rule part its programs read (the argument filters). Included by bpf/syscall/ and by the
 * family's userspace (userspace/faults/syscall/), after faultline/abi.h. */
#ifndef FAULTLINE_SYSCALL_ABI_H
#define FAULTLINE_SYSCALL_ABI_H

#include "faultline/abi.h"

#define FL_SYS_PATH_MAX 124 /* bytes of a syscall path-argument prefix, NUL included */

enum fl_sys_hook {
	FL_HOOK_SYSCALL = 8, /* syscall errors; sub = the syscall's number on this architecture */
};

/* Where a syscall filter finds the peer address among the arguments. */
enum fl_sys_addr_kind {
	FL_SYS_ADDR_NONE = 0,
	FL_SYS_ADDR_SOCKADDR = 1, /* args[addr_arg] is a sockaddr, args[addr_len_arg] its length */
	FL_SYS_ADDR_MSGHDR = 2,	  /* args[addr_arg] is a msghdr whose msg_name is the sockaddr */
};

/* The security hook a syscall.lsm rule is judged at: each BPF-LSM program knows its own, so a
 * syscall passing other attached hooks on its way (exec maps files, read on a socket passes
 * socket_recvmsg too) is judged once, at its own hook. 0: at syscall entry (kprobe). */
enum fl_lsm_hook {
	FL_LSM_AT_ENTRY = 0,
	FL_LSM_FILE_OPEN,
	FL_LSM_FILE_PERMISSION,
	FL_LSM_MMAP_FILE,
	FL_LSM_FILE_MPROTECT,
	FL_LSM_FILE_IOCTL,
	FL_LSM_FILE_FCNTL,
	FL_LSM_FILE_LOCK,
	FL_LSM_INODE_UNLINK,
	FL_LSM_INODE_RMDIR,
	FL_LSM_INODE_MKDIR,
	FL_LSM_INODE_RENAME,
	FL_LSM_INODE_LINK,
	FL_LSM_INODE_SYMLINK,
	FL_LSM_INODE_GETATTR,
	FL_LSM_BPRM_CHECK_SECURITY,
	FL_LSM_TASK_KILL,
	FL_LSM_SOCKET_CREATE,
	FL_LSM_SOCKET_CONNECT,
	FL_LSM_SOCKET_BIND,
	FL_LSM_SOCKET_LISTEN,
	FL_LSM_SOCKET_ACCEPT,
	FL_LSM_SOCKET_SENDMSG,
	FL_LSM_SOCKET_RECVMSG,
	FL_LSM_SOCKET_SHUTDOWN,
};

/* Syscall argument filters, read from the caller's registers at entry; zero fields match
 * anything. Userspace knows each syscall's signature and sets the argument indexes. This is the
 * syscall family's part of a rule (fl_rule.family). */
struct fl_sys_match {
	__u8 flags_arg;	   /* 1 + index of the open-flags argument; 0 = no flags filter */
	__u8 accmodes;	   /* bit (1 << (flags & O_ACCMODE)) for each access mode that matches */
	__u8 addr_kind;	   /* enum fl_sys_addr_kind */
	__u8 addr_arg;	   /* index of the sockaddr or msghdr pointer */
	__u8 addr_len_arg; /* index of the sockaddr's length (FL_SYS_ADDR_SOCKADDR) */
	__u8 lsm_hook;	   /* enum fl_lsm_hook: where the rule is judged */
	__u8 path_arg;	   /* 1 + index of the path argument; 0 = no path filter */
	__u8 path_len;	   /* bytes of path[] compared (< FL_SYS_PATH_MAX) */
	__u32 flag_bits;   /* with flags_arg: a call carrying any of these open flags matches too */
	union {
		struct fl_peer_match peer; /* the address argument's family, prefix and port */
		/* The path argument's prefix, as the caller wrote it, on a component boundary. A
		 * syscall has a path or a peer, never both. */
		char path[FL_SYS_PATH_MAX];
	};
};

FL_ABI_ASSERT(sizeof(struct fl_sys_match) == 12 + FL_SYS_PATH_MAX, "fl_sys_match changed");
FL_ABI_ASSERT(sizeof(struct fl_sys_match) <= FL_RULE_FAMILY_SIZE, "fl_sys_match outgrew the rule");

#ifndef __cplusplus
static __always_inline const struct fl_sys_match *fl_sys_match_of(const struct fl_rule *rule)
{
	return (const struct fl_sys_match *)rule->family;
}
#endif

#endif /* FAULTLINE_SYSCALL_ABI_H */
