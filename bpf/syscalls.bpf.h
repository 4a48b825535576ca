/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Syscall entry and exit of traced tasks: one SYSCALL event per call, at its exit. */
#ifndef IPCT_SYSCALLS_BPF_H
#define IPCT_SYSCALLS_BPF_H

#include "kernel_defs.bpf.h"
#include "syscall_nr.bpf.h"
#include "config.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"
#include "classify.bpf.h"
#include "finish.bpf.h"
#include "sleep.bpf.h"

static __always_inline void sys_begin(struct tstate *st, struct pt_regs *regs, long id)
{
	struct sysargs args;

	st->enter_ts = bpf_ktime_get_ns();
	st->nr = id;
	st->op = IPCT_OP_OTHER;
	st->flags = st->sig_depth ? IPCT_F_INSIGNAL : 0;
	st->chan = 0;
	st->chan2 = 0;
	st->arg = 0;
	st->uptr = 0;
	st->fd = -1;
	/* most calls of a server are no IPC: their number says so before any other work */
	if (sys_class(id) == SC_NONE)
		return;
	args.a[0] = regs->di;
	args.a[1] = regs->si;
	args.a[2] = regs->dx;
	args.a[3] = regs->r10;
	args.a[4] = regs->r8;
	args.a[5] = regs->r9;
	classify(st, id, &args);
}

static __always_inline int handle_sys_enter(struct pt_regs *regs, long id)
{
	struct tstate *st;

	st = tstate_syscall();
	if (!st)
		return 0;
	if (id == NR_rt_sigreturn && st->sig_depth)
		st->sig_depth--;
	sleep_end_unseen(st);
	wake_clear(st);
	st->synced = 1;
	st->before = 0;
	sys_begin(st, regs, id);
	return 0;
}
static __always_inline int handle_sys_exit(struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ipct_syscall *e;
	struct tstate *st;
	bool before = false;
	__u64 pid_tgid;
	__u32 tid;
	long nr;

	if (untraced_now_holds(untraced_now_get(), task))
		return 0;
	st = bpf_task_storage_get(&threads, task, NULL, 0);
	if (!st)
		return 0;
	if (!st->traced) {
		/* the recorder may have just added to `traced`: other tasks' cached answers are stale */
		if (st->self && regs->orig_ax == NR_bpf)
			__sync_fetch_and_add(&traced_gen, 1);
		return 0;
	}
	if (st->dead)
		return 0;
	sleep_end_unseen(st);
	pid_tgid = bpf_get_current_pid_tgid();
	tid = (__u32)pid_tgid;
	if (!st->enter_ts) {
		/* the first exit of a thread found inside a syscall: it began before tracing */
		if (st->synced)
			return 0;
		st->synced = 1;
		nr = regs->orig_ax;
		/* a new task's first exit is its return from fork, already a FORK event */
		if (nr < 0 || nr == NR_clone || nr == NR_clone3 || nr == NR_fork || nr == NR_vfork)
			return 0;
		sys_begin(st, regs, nr);
		before = true;
	}
	if (st->op != IPCT_OP_OTHER)
		finish(st, ret);
	if (trace_all_syscalls || st->op != IPCT_OP_OTHER) {
		e = rb_reserve(sizeof(*e));
		if (e) {
			hdr_fill(&e->h, IPCT_EV_SYSCALL, pid_tgid >> 32, tid, bpf_ktime_get_ns());
			e->h.flags = st->flags;
			e->enter_ts = before || st->before ? 0 : st->enter_ts;
			e->ret = ret;
			e->chan = st->chan;
			e->chan2 = st->chan2;
			e->arg = st->arg;
			e->fd = st->fd;
			e->nr = st->nr;
			e->op = st->op;
			e->_pad = 0;
			rb_submit(e);
		}
	}
	st->enter_ts = 0;
	st->before = 0;
	return 0;
}

#endif /* IPCT_SYSCALLS_BPF_H */
