/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-thread state in task storage, and the filter: which tasks are traced.
 * Untraced tasks cost a task-storage probe and a compare per hit (their
 * cached "untraced" holds until traced_gen moves), and their syscalls, once
 * per switch-in, only that (untraced_now); traced ones find their state in
 * task storage.
 */
#ifndef IPCT_TASK_STATE_BPF_H
#define IPCT_TASK_STATE_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/*
 * Bumped whenever `traced` may have gained a tgid, so a task's cached
 * "untraced" answer is stale: by the recorder's bpf() syscalls (seen at their
 * exit, after the update) or by user space writing it. Starts at 1: a fresh
 * task storage (gen 0) is never taken as checked.
 */
volatile __u32 traced_gen = 1;

/* Per-thread state: the pending syscall and the current off-CPU stretch. */
struct tstate {
	__u64 enter_ts; /* 0: not inside a syscall */
	__u64 chan;
	__u64 chan2;
	__s64 arg;
	__u64 uptr; /* user pointer read at exit: path, int[2], a datagram peer's sockaddr (recvmsg: its msghdr) */
	__u64 out_ts; /* 0: on CPU (or never seen switched out) */
	__u64 wake_ts;
	__u64 waker_chan;
	__s32 fd;
	__u32 state;
	__u32 waker_pid;
	__u32 waker_tid;
	__u16 nr;
	__u8 op;
	__u8 flags;
	__u8 waker_op;
	__u8 sig_depth; /* signal handlers entered and not yet returned from */
	__u8 seen_next;
	__u8 dead; /* exited: what it does on its way out is not traced */
	__u8 synced; /* a syscall entry or exit was seen: a later exit without entry is no leftover */
	__u8 before; /* the pending call began before tracing (found by the attach snapshot) */
	/* the last channels this thread saw announced, to skip the `chans` lookup */
	__u64 seen_chan[2];
	__u64 seen_sig[2];
	/* the filter's cached answer: untraced ones keep only these fields */
	__u32 gen; /* traced_gen when found untraced */
	__u8 traced;
	__u8 self; /* a thread of the recorder */
};

/* Task storage, not a tid hash: a traced task finds its state without a hash lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tstate);
} threads SEC(".maps");

static __always_inline bool is_traced(__u32 tgid)
{
	if (tgid == 0 || tgid == self_pid)
		return false;
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

/*
 * The filter's slow path: look the tgid up in `traced` and cache the answer
 * in the task's storage (made for every task but the idle ones). gen is read
 * before the lookup, so an insert the lookup missed has bumped it since.
 */
static __always_inline struct tstate *tstate_check(struct task_struct *task, struct tstate *st, __u32 gen)
{
	__u32 tgid = task->tgid;
	bool tr;

	if (tgid == 0)
		return NULL;
	tr = is_traced(tgid);
	if (!st)
		st = bpf_task_storage_get(&threads, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return NULL;
	if (tr) {
		st->traced = 1;
		return st->dead ? NULL : st;
	}
	st->self = tgid == self_pid;
	st->gen = gen;
	return NULL;
}

/*
 * State of a traced task, made at its first sight; NULL for an untraced one.
 * An untraced task costs a storage probe and a compare while traced_gen holds.
 */
static __always_inline struct tstate *tstate_get(struct task_struct *task)
{
	struct tstate *st = bpf_task_storage_get(&threads, task, NULL, 0);
	__u32 gen;

	if (st && st->traced)
		return st->dead ? NULL : st;
	gen = traced_gen;
	if (st && (st->self || st->gen == gen))
		return NULL;
	return tstate_check(task, st, gen);
}

/*
 * Per CPU: the running task, when the filter found it untraced. Its next
 * syscall entries and exits compare two words here instead of probing its
 * task storage, whose cache line costs an untraced call most of its 150 ns.
 * Cleared at every switch, so it only ever names the task running now; the
 * pid guards a switch the kernel did not report (see sleep.bpf.h) into a
 * task reusing a freed one's address, and gen the recorder adding a tgid.
 */
struct untraced_now {
	__u64 task;
	__u32 pid;
	__u32 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct untraced_now);
} untraced_now SEC(".maps");

static __always_inline struct untraced_now *untraced_now_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&untraced_now, &zero);
}

/* Whether the running task was found untraced since it was switched in (and no tgid was added since). */
static __always_inline bool untraced_now_holds(struct untraced_now *u, struct task_struct *task)
{
	return u && u->task == (__u64)task && u->pid == task->pid && u->gen == traced_gen;
}

static __always_inline void untraced_now_clear(void)
{
	struct untraced_now *u = untraced_now_get();

	if (u)
		u->task = 0;
}

/*
 * tstate_get for the task making a syscall: an untraced one found so since
 * its switch-in returns at once. The recorder's own threads are never
 * remembered: their bpf() exits must still be seen (traced_gen).
 */
static __always_inline struct tstate *tstate_syscall(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct untraced_now *u = untraced_now_get();
	struct tstate *st;
	__u32 gen;

	if (untraced_now_holds(u, task))
		return NULL;
	gen = traced_gen;
	st = tstate_get(task);
	if (st || !u || task->tgid == self_pid)
		return st;
	u->task = (__u64)task;
	u->pid = task->pid;
	u->gen = gen;
	return NULL;
}

/* State of the current task if it is traced and already known. */
static __always_inline struct tstate *tstate_cur(void)
{
	struct tstate *st = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), NULL, 0);

	return st && st->traced && !st->dead ? st : NULL;
}

static __always_inline void wake_clear(struct tstate *st)
{
	st->wake_ts = 0;
	st->waker_pid = 0;
	st->waker_tid = 0;
	st->waker_chan = 0;
	st->waker_op = 0;
}

#endif /* IPCT_TASK_STATE_BPF_H */
