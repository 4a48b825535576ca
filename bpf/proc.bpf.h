/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Process life: fork (which also extends the traced set), exec, exit, signal handlers. */
#ifndef IPCT_PROC_BPF_H
#define IPCT_PROC_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"

static __always_inline int handle_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct ipct_task *e;
	struct tstate *st;
	__u8 one = 1;
	long err = 0;

	if (!is_traced(ptgid))
		return 0;
	if (ctgid != ptgid && ctgid != self_pid)
		err = bpf_map_update_elem(&traced, &ctgid, &one, BPF_NOEXIST);
	/* the child has not run yet: its state, made now, spares it the `traced` lookup */
	if (ctgid != self_pid && (!err || err == -EEXIST)) {
		st = bpf_task_storage_get(&threads, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (st)
			st->traced = 1;
	}
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	hdr_fill(&e->h, IPCT_EV_FORK, ptgid, parent->pid, bpf_ktime_get_ns());
	if (ctgid == ptgid) {
		e->h.flags = IPCT_F_THREAD;
	} else {
		__u64 pmm = 0, cmm = 0;

		/* a vfork child borrows the address space: it holds no memory of its own */
		bpf_probe_read_kernel(&pmm, sizeof(pmm), &parent->mm);
		bpf_probe_read_kernel(&cmm, sizeof(cmm), &child->mm);
		if (pmm == cmm)
			e->h.flags = IPCT_F_SHARED_VM;
	}
	e->child_pid = ctgid;
	e->child_tid = child->pid;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	rb_submit(e);
	return 0;
}

/*
 * Process task's argv as its memory has it now (task is the current task):
 * just exec'd, or at its exit, after any setproctitle (a server's role).
 */
static __always_inline void emit_cmdline(struct task_struct *task)
{
	struct mm_struct *mm = task->mm;
	struct ipct_cmdline *e;
	__u64 start, end, len;

	if (!mm)
		return;
	start = mm->arg_start;
	end = mm->arg_end;
	if (end <= start)
		return;
	len = end - start;
	if (len > IPCT_ARGS_LEN)
		len = IPCT_ARGS_LEN;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return;
	/* zeroed: the trace keeps what follows a string's NUL */
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, IPCT_EV_CMDLINE, task->tgid, task->pid, bpf_ktime_get_ns());
	barrier_var(len);
	if (len > IPCT_ARGS_LEN || bpf_probe_read_user(e->args, len, (void *)start))
		len = 0;
	e->len = len;
	rb_submit(e);
}

static __always_inline int handle_exec(struct task_struct *p, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;

	if (!is_traced(tgid))
		return 0;
	emit_comm(tgid, p->pid, IPCT_EV_EXEC, 0, 0, BPF_CORE_READ(bprm, filename));
	emit_cmdline(p);
	return 0;
}

/* A thread's new name, whoever gave it: prctl, another thread writing /proc/.../comm, exec. */
static __always_inline int handle_task_rename(struct task_struct *task, const char *comm)
{
	struct ipct_proc *e;

	if (!tstate_get(task))
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, IPCT_EV_COMM, task->tgid, task->pid, bpf_ktime_get_ns());
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), comm);
	rb_submit(e);
	return 0;
}

static __always_inline int handle_exit(struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, tid = p->pid;
	struct tstate *st;

	st = tstate_get(p);
	if (!st)
		return 0;
	if (group_dead)
		emit_cmdline(p);
	emit_comm(tgid, tid, IPCT_EV_EXIT, p->exit_code, group_dead ? IPCT_F_GROUP_DEAD : 0, NULL);
	/* kept, marked dead, until the task is freed: no events after its EXIT */
	st->dead = 1;
	if (group_dead)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

/* Syscalls made while a signal handler runs: handler entered here, left at rt_sigreturn. */
static __always_inline int handle_signal_deliver(struct k_sigaction *ka)
{
	unsigned long handler;
	struct tstate *st;

	st = tstate_get(bpf_get_current_task_btf());
	if (!st)
		return 0;
	handler = (unsigned long)BPF_CORE_READ(ka, sa.sa_handler);
	if (handler <= 1) /* SIG_DFL, SIG_IGN */
		return 0;
	if (st->sig_depth < 16)
		st->sig_depth++;
	return 0;
}

#endif /* IPCT_PROC_BPF_H */
