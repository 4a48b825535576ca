/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SLEEP events: one off-CPU stretch [st->out_ts, h.ts] of a traced thread,
 * emitted when it is back on a CPU. That is its switch-in (sched.bpf.h), or,
 * where the kernel reported none, the next sign that it runs: a syscall entry
 * or exit, or its next switch-out. On this machine no sched_switch fires for a
 * switch away from the VM agent's threads (PID 1's), so a thread switched in
 * after one of them would otherwise seem to stay asleep, its wait uncounted.
 */
#ifndef IPCT_SLEEP_BPF_H
#define IPCT_SLEEP_BPF_H

#include "kernel_defs.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"

/* The SLEEP of the stretch that ends at now; st is ready for the next one. */
static __always_inline void sleep_emit(struct tstate *st, __u32 tgid, __u32 tid, __u64 now, __u8 flags)
{
	struct ipct_sleep *e = rb_reserve(sizeof(*e));

	if (e) {
		hdr_fill(&e->h, IPCT_EV_SLEEP, tgid, tid, now);
		e->h.flags = st->out_ts ? flags : flags | IPCT_F_OUT_UNKNOWN;
		e->out_ts = st->out_ts;
		e->wake_ts = st->wake_ts;
		if (e->wake_ts && e->wake_ts < st->out_ts)
			e->wake_ts = st->out_ts;
		e->state = st->out_ts ? st->state : 0;
		e->waker_pid = st->waker_pid;
		e->waker_tid = st->waker_tid;
		e->waker_chan = st->waker_chan;
		e->waker_op = st->waker_op;
		if (st->enter_ts) {
			e->chan = st->chan;
			e->op = st->op;
			e->nr = st->nr;
		} else {
			e->chan = 0;
			e->op = IPCT_OP_OTHER;
			e->nr = NR_NONE;
		}
		rb_submit(e);
	}
	st->out_ts = 0;
	wake_clear(st);
}

/* The current thread runs: a stretch still open lost its switch-in (IPCT_F_IN_UNKNOWN). */
static __always_inline void sleep_end_unseen(struct tstate *st)
{
	__u64 pid_tgid;

	if (!st->out_ts)
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	sleep_emit(st, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns(), IPCT_F_IN_UNKNOWN);
}

#endif /* IPCT_SLEEP_BPF_H */
