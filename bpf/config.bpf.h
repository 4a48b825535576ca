/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Settings the recorder writes through the skeleton's rodata before load. */
#ifndef IPCT_CONFIG_BPF_H
#define IPCT_CONFIG_BPF_H

#include "kernel_defs.bpf.h"

const volatile __u64 chan_key = 0;
const volatile __u32 self_pid = 0;
const volatile __u64 wake_bytes = 256 * 1024;
const volatile bool trace_all_syscalls = true;

#endif /* IPCT_CONFIG_BPF_H */
