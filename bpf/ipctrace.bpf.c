// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ipctrace kernel side: BTF tracepoints (tp_btf, no tracefs needed) on
 * syscalls, the scheduler, fork/exec/exit, renames, signal delivery, io_uring
 * and interrupt handlers (to tell interrupt wakeups), filtered in the kernel by
 * the `traced` tgid map, events batched in the `rb` ring buffer.
 *
 * One file per concern, each a header of static __always_inline handlers
 * (and a few global subprograms, verified once): this file only attaches
 * them, one thin wrapper per hook.
 *   kernel_defs  kernel types, UAPI constants     syscall_nr  x86-64 numbers
 *   config       settings from the recorder       emit        the ring buffer
 *   task_state   per-thread state, the filter     irq         interrupt context depth
 *   chan_resolve fd/futex/SysV -> channel id      chan_announce CHAN events
 *   user_args    timeouts, iovecs from user memory
 *   classify     what a syscall does, at entry    finish      what it returned
 *   syscalls     sys_enter/sys_exit handlers      sched       switches, wakeups
 *   sleep        SLEEP events: at a switch-in, or where the kernel reported none
 *   proc         fork, exec, exit, renames, argv  io_uring    io_uring requests
 *   snapshot     iterators: thread states and shared mappings when tracing begins and ends
 */
#include "kernel_defs.bpf.h"
#include "syscalls.bpf.h"
#include "sched.bpf.h"
#include "proc.bpf.h"
#include "irq.bpf.h"
#include "io_uring.bpf.h"
#include "snapshot.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	return handle_sys_enter(regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(regs, ret);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return handle_sched_switch(preempt, prev, next, prev_state);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_waking, struct task_struct *p)
{
	return handle_sched_waking(p);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(p, bprm);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p, bool group_dead)
{
	return handle_exit(p, group_dead);
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	return handle_signal_deliver(ka);
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(hrtimer_expire_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/hrtimer_expire_exit")
int BPF_PROG(hrtimer_expire_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/timer_expire_entry")
int BPF_PROG(timer_expire_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/timer_expire_exit")
int BPF_PROG(timer_expire_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_handler_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_handler_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	return softirq_enter_leave(true, vec);
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	return softirq_enter_leave(false, vec);
}

SEC("tp_btf/irq_work_entry")
int BPF_PROG(irq_work_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/irq_work_exit")
int BPF_PROG(irq_work_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/call_function_entry")
int BPF_PROG(call_function_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/call_function_exit")
int BPF_PROG(call_function_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/call_function_single_entry")
int BPF_PROG(call_function_single_entry)
{
	return irq_enter_leave(true);
}

SEC("tp_btf/call_function_single_exit")
int BPF_PROG(call_function_single_exit)
{
	return irq_enter_leave(false);
}

SEC("tp_btf/task_rename")
int BPF_PROG(task_rename, struct task_struct *task, const char *comm)
{
	return handle_task_rename(task, comm);
}

SEC("iter/task")
int snap_attach(struct bpf_iter__task *ctx)
{
	return handle_snap_attach(ctx->task);
}

SEC("iter/task")
int snap_stop(struct bpf_iter__task *ctx)
{
	return handle_snap_stop(ctx->task);
}

SEC("iter/task_vma")
int snap_maps(struct bpf_iter__task_vma *ctx)
{
	return handle_snap_map(ctx->task, ctx->vma);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_submit_req, struct io_kiocb *req)
{
	return handle_io_uring_submit(req);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	return handle_io_uring_complete(req, cqe);
}
