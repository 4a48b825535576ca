/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Whether the current CPU runs a timer or irq handler (a wakeup with no waker). */
#ifndef IPCT_IRQ_BPF_H
#define IPCT_IRQ_BPF_H

#include "kernel_defs.bpf.h"

/*
 * Per-CPU depth of timer and irq handlers: their wakeups have no waker
 * (preempt_count is out of reach: __preempt_count is not in kallsyms here).
 * Reset at every context switch, which never happens inside a handler, so an
 * exit missed while attaching cannot leave it stuck.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} irq_depth SEC(".maps");

static __always_inline bool in_irq_handler(void)
{
	__u32 zero = 0, *d = bpf_map_lookup_elem(&irq_depth, &zero);

	return d && *d;
}

static __always_inline int irq_enter_leave(bool enter)
{
	__u32 zero = 0, *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (!d)
		return 0;
	if (enter)
		(*d)++;
	else if (*d)
		(*d)--;
	return 0;
}

#endif /* IPCT_IRQ_BPF_H */
