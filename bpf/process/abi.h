/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The process family's part of the ABI: its hook and action. A signal rule has no filter of its
 * own: the signal is the one value of the effect's set. Included by bpf/process/ and by the
 * family's userspace (userspace/faults/process/), after faultline/abi.h. */
#ifndef FAULTLINE_PROCESS_ABI_H
#define FAULTLINE_PROCESS_ABI_H

#include "faultline/abi.h"

enum fl_process_hook {
	FL_HOOK_PROCESS = 9, /* process faults on syscall entry (signals); sub = syscall number */
};

enum fl_process_action {
	FL_ACT_SIGNAL = 7, /* send the effect's value, a signal, to the calling process */
};

#endif /* FAULTLINE_PROCESS_ABI_H */
