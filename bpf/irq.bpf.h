/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Whether the current CPU runs a timer or irq handler (a wakeup with no waker). */
#ifndef IPCT_IRQ_BPF_H
#define IPCT_IRQ_BPF_H

#include "kernel_defs.bpf.h"

/*
 * Per-CPU depth of interrupt context (irq, timer, irq_work and IPI handlers,
 * softirqs): its wakeups have no waker (preempt_count is out of reach:
 * __preempt_count is not in kallsyms here). Slot 0 is the depth, slot 1
 * whether the running softirq was counted in it. Reset at every context
 * switch, which never happens inside a handler, so an exit missed while
 * attaching cannot leave it stuck.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
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

/*
 * A softirq on top of a task inside a syscall is that task's own work
 * (local_bh_enable: loopback delivery during its send wakes the receiver);
 * on top of user code, a kernel thread (ksoftirqd) or idle, it is the tail
 * of an interrupt (a disk completion) and wakes on nobody's behalf.
 */
static __always_inline int softirq_enter_leave(bool enter)
{
	__u32 one = 1, *counted = bpf_map_lookup_elem(&irq_depth, &one);
	struct task_struct *cur;
	struct pt_regs *regs;

	if (!counted)
		return 0;
	if (!enter) {
		if (*counted) {
			*counted = 0;
			irq_enter_leave(false);
		}
		return 0;
	}
	cur = bpf_get_current_task_btf();
	if (cur->pid && !(cur->flags & PF_KTHREAD)) {
		regs = (struct pt_regs *)bpf_task_pt_regs(cur);
		if (regs && (long)regs->orig_ax >= 0)
			return 0;
	}
	*counted = 1;
	return irq_enter_leave(true);
}

#endif /* IPCT_IRQ_BPF_H */
