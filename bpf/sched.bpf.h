/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Off-CPU stretches (SLEEP events, sleep.bpf.h) begin at a switch-out and end
 * at the switch-in; who woke whom (WAKEUP events). SLEEP.nr is 0xffff when the
 * thread was not inside a syscall. SLEEP.state is the raw prev_state (0x1
 * interruptible, 0x2 uninterruptible, plus flag bits).
 */
#ifndef IPCT_SCHED_BPF_H
#define IPCT_SCHED_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"
#include "irq.bpf.h"
#include "sleep.bpf.h"

static __always_inline int handle_sched_switch(bool preempt, struct task_struct *prev,
					       struct task_struct *next, unsigned int prev_state)
{
	struct irq_ctx *irq;
	__u32 zero = 0;
	struct tstate *st;
	__u64 now = 0;

	untraced_now_clear();
	irq = bpf_map_lookup_elem(&irq_depth, &zero);
	if (irq) {
		irq->depth = 0;
		irq->softirq = 0;
	}
	/* a dead task's last switch is no sleep */
	if (!(prev_state & TASK_DEAD) && (st = tstate_get(prev))) {
		now = bpf_ktime_get_ns();
		/* switched out again, never seen switched in: that stretch ended by now */
		if (st->out_ts)
			sleep_emit(st, prev->tgid, prev->pid, now, IPCT_F_IN_UNKNOWN);
		st->out_ts = now;
		st->state = preempt ? 0 : prev_state;
		/* a wake may race ahead of this tracepoint; keep it only if that recent */
		if (!st->state || now - st->wake_ts > EARLY_WAKE_NS)
			wake_clear(st);
	}
	st = tstate_get(next);
	if (!st)
		return 0;
	if (!now)
		now = bpf_ktime_get_ns();
	sleep_emit(st, next->tgid, next->pid, now, 0);
	return 0;
}

/*
 * Whether p is off its runqueue (or only on it as a delayed dequeue): a wake
 * of a task that set its state but never gave up the CPU ends no sleep.
 */
static __always_inline bool blocked(struct task_struct *p)
{
	if (!p->on_rq)
		return true;
	if (bpf_core_field_exists(p->se.sched_delayed))
		return p->se.sched_delayed;
	return false;
}

static __always_inline int handle_sched_waking(struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 cur_tgid = pid_tgid >> 32, cur_tid = (__u32)pid_tgid;
	struct tstate *st, *wst;
	struct ipct_wakeup *e;

	st = tstate_get(p);
	if (st) {
		if (st->wake_ts || !blocked(p))
			return 0;
		st->wake_ts = bpf_ktime_get_ns();
		if (cur_tid == 0 || in_irq_handler())
			return 0;
		st->waker_pid = cur_tgid;
		st->waker_tid = cur_tid;
		wst = tstate_cur();
		if (wst && wst->enter_ts) {
			st->waker_chan = wst->chan;
			st->waker_op = wst->op;
		}
		return 0;
	}
	/* kernel threads (rcu, ksoftirqd) and the recorder are no peers on a channel */
	if ((p->flags & PF_KTHREAD) || p->tgid == self_pid)
		return 0;
	wst = tstate_cur();
	if (!wst || !wst->enter_ts || !wst->chan || in_irq_handler())
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	hdr_fill(&e->h, IPCT_EV_WAKEUP, cur_tgid, cur_tid, bpf_ktime_get_ns());
	e->chan = wst->chan;
	e->wakee_pid = p->tgid;
	e->wakee_tid = p->pid;
	/* two direct loads, not a probe_read_str: comm is NUL-padded to its 16 bytes */
	__builtin_memcpy(e->wakee_comm, p->comm, sizeof(e->wakee_comm));
	e->op = wst->op;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	rb_submit(e);
	return 0;
}

#endif /* IPCT_SCHED_BPF_H */
