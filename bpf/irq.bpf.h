/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Whether the current CPU runs in interrupt context (a wakeup with no waker). */
#ifndef IPCT_IRQ_BPF_H
#define IPCT_IRQ_BPF_H

#include "kernel_defs.bpf.h"

/*
 * Per-CPU depth of interrupt context (irq, timer, irq_work and IPI handlers,
 * softirqs): its wakeups have no waker (preempt_count is out of reach:
 * __preempt_count is not in kallsyms here). Reset at every context switch,
 * which never happens inside a handler, so an exit missed while attaching
 * cannot leave it stuck.
 */
struct irq_ctx {
	__u32 depth;
	__u32 softirq; /* the running softirq was counted in depth */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_ctx);
} irq_depth SEC(".maps");

static __always_inline bool in_irq_handler(void)
{
	__u32 zero = 0;
	struct irq_ctx *c = bpf_map_lookup_elem(&irq_depth, &zero);

	return c && c->depth;
}

static __always_inline int irq_enter_leave(bool enter)
{
	__u32 zero = 0;
	struct irq_ctx *c = bpf_map_lookup_elem(&irq_depth, &zero);

	if (!c)
		return 0;
	if (enter)
		c->depth++;
	else if (c->depth)
		c->depth--;
	return 0;
}

/*
 * A network softirq on top of a task inside a syscall is that task's own
 * work (local_bh_enable: loopback delivery during its send wakes the
 * receiver); on top of user code, a kernel thread (ksoftirqd) or idle, it
 * is the tail of an interrupt. Every other softirq (block completions,
 * timers, tasklets, RCU) is an interrupt's or a timer's, whatever task it
 * runs on: it wakes on nobody's behalf.
 */
static __always_inline int softirq_enter_leave(bool enter, unsigned int vec)
{
	__u32 zero = 0;
	struct irq_ctx *c = bpf_map_lookup_elem(&irq_depth, &zero);
	struct task_struct *cur;
	struct pt_regs *regs;

	if (!c)
		return 0;
	if (!enter) {
		if (c->softirq && c->depth)
			c->depth--;
		c->softirq = 0;
		return 0;
	}
	cur = bpf_get_current_task_btf();
	if ((vec == NET_RX_SOFTIRQ || vec == NET_TX_SOFTIRQ) &&
	    cur->pid && !(cur->flags & PF_KTHREAD)) {
		regs = (struct pt_regs *)bpf_task_pt_regs(cur);
		if (regs && (long)regs->orig_ax >= 0)
			return 0;
	}
	c->softirq = 1;
	c->depth++;
	return 0;
}

#endif /* IPCT_IRQ_BPF_H */
