// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Tiny programs whose load + attach tells what this kernel allows. None of them changes
 * anything: the helpers that would are behind a flag that is never set. */
#include "lib/common.bpf.h"

/* Never set: the helpers must verify, not run. A writable global (.bss), not a const: a frozen
 * const is known to the verifier, which then prunes the helper call as dead code and the probe
 * passes on a kernel that refuses the helper (Debian 6.12 loaded it and then refused
 * bpf_override_return in the real program). */
volatile __u32 fl_probe_act = 0;

SEC("lsm/file_open")
int BPF_PROG(fl_probe_lsm, struct file *file, int ret)
{
	(void)file;
	return ret;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(fl_probe_fmod_ret, struct file *file, int ret)
{
	(void)file;
	return ret;
}

SEC("kprobe/__x64_sys_getppid")
int fl_probe_kprobe_override(struct pt_regs *ctx)
{
	if (fl_probe_act)
		bpf_override_return(ctx, -1);
	return 0;
}

/* The process-fault program's own attach point: the raw sys_enter tracepoint. */
SEC("raw_tp/sys_enter")
int BPF_PROG(fl_probe_tp_signal, struct pt_regs *regs, long id)
{
	(void)regs;
	(void)id;
	if (fl_probe_act)
		bpf_send_signal(9);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
