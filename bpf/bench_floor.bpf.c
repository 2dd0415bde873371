// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Empty programs on the attach points of faultline's syscall backends: what any injector built
 * on the same mechanism pays per call before it decides anything (bench/sys, fl_bench_floor).
 * Not part of faultline: built only for the benchmark. */
#include "lib/common.bpf.h"

/* syscall.lsm's hook for read, write, pread64, pwrite64...; keeps an earlier program's verdict. */
SEC("lsm/file_permission")
int BPF_PROG(fl_floor_lsm, struct file *file, int mask, int ret)
{
	(void)file;
	(void)mask;
	return ret;
}

/* syscall.kprobe's attach point, the syscall's wrapper (attached by name at run time). */
SEC("kprobe")
int fl_floor_kprobe(struct pt_regs *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
