/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Snapshots: what no tracepoint says, read by BPF iterators that the
 * recorder runs when tracing begins and when it ends.
 *   attach: a traced thread asleep now has been asleep since the start, in
 *     the call it is in (its channel resolved in its own fd table); the -p
 *     processes' shared mappings made before tracing (MAP events).
 *   stop: tracepoints are detached, the task states frozen: a thread still
 *     off CPU or inside a call is so until the stop (SLEEP and SYSCALL events
 *     flagged UNFINISHED, h.ts = snap_ts).
 */
#ifndef IPCT_SNAPSHOT_BPF_H
#define IPCT_SNAPSHOT_BPF_H

#include "kernel_defs.bpf.h"
#include "syscall_nr.bpf.h"
#include "config.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"
#include "chan_resolve.bpf.h"
#include "chan_announce.bpf.h"

/* The snapshot's time, set by the recorder: the recording's start, or its stop. */
__u64 snap_ts;

#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13
#define VM_PROT_BITS 0x7 /* VM_READ | VM_WRITE | VM_EXEC, the PROT_* bits */
#define TASK_RUNNING 0

/* What a thread asleep in a call waits on, beyond its fd: a futex word or a SysV object. */
struct pending {
	struct vmainfo vi;
	__u64 obj;
	__u32 obj_kind;
	int fd;
};

/*
 * The op of a call another thread is asleep in, from its number and
 * registers alone: classify would read the caller's user memory (poll sets,
 * timeouts), which here is the recorder's. Only calls a thread sleeps in.
 */
static __always_inline void pending_op(struct task_struct *task, struct tstate *st, long nr,
				       const __u64 *a, struct pending *p)
{
	__u32 cmd;

	switch (nr) {
	case NR_read: case NR_readv: case NR_pread64: case NR_preadv: case NR_preadv2:
		st->op = IPCT_OP_READ;
		p->fd = a[0];
		break;
	case NR_write: case NR_writev: case NR_pwrite64: case NR_pwritev: case NR_pwritev2:
		st->op = IPCT_OP_WRITE;
		p->fd = a[0];
		break;
	case NR_recvfrom: case NR_recvmsg: case NR_recvmmsg:
		st->op = IPCT_OP_RECV;
		p->fd = a[0];
		break;
	case NR_sendto: case NR_sendmsg: case NR_sendmmsg:
		st->op = IPCT_OP_SEND;
		p->fd = a[0];
		break;
	case NR_splice: case NR_tee: case NR_copy_file_range:
		st->op = IPCT_OP_SPLICE;
		p->fd = a[0];
		break;
	case NR_sendfile:
		st->op = IPCT_OP_SPLICE;
		p->fd = a[1];
		break;
	case NR_poll: case NR_ppoll:
		st->op = IPCT_OP_POLL;
		st->arg = -1;
		break;
	case NR_select: case NR_pselect6:
		st->op = IPCT_OP_SELECT;
		st->arg = -1;
		break;
	case NR_epoll_wait: case NR_epoll_pwait: case NR_epoll_pwait2:
		st->op = IPCT_OP_EPOLL_WAIT;
		st->fd = a[0];
		st->arg = -1;
		break;
	case NR_open: case NR_creat: case NR_openat: case NR_openat2:
		/* a FIFO's open sleeps until its other end is opened */
		st->op = IPCT_OP_OPEN;
		break;
	case NR_accept: case NR_accept4:
		st->op = IPCT_OP_ACCEPT;
		p->fd = a[0];
		break;
	case NR_connect:
		st->op = IPCT_OP_CONNECT;
		p->fd = a[0];
		break;
	case NR_mq_timedreceive: case NR_mq_timedsend:
		st->op = nr == NR_mq_timedsend ? IPCT_OP_MQ_SEND : IPCT_OP_MQ_RECV;
		p->fd = a[0];
		break;
	case NR_msgrcv: case NR_msgsnd:
		st->op = nr == NR_msgsnd ? IPCT_OP_MSGSND : IPCT_OP_MSGRCV;
		p->obj_kind = IPCT_KIND_SYSV_MSG;
		p->obj = ipc_chan(IPCT_KIND_SYSV_MSG, (int)a[0]);
		break;
	case NR_semop: case NR_semtimedop:
		st->op = IPCT_OP_SEMOP;
		p->obj_kind = IPCT_KIND_SYSV_SEM;
		p->obj = ipc_chan(IPCT_KIND_SYSV_SEM, (int)a[0]);
		break;
	case NR_futex:
	case NR_futex_wait: {
		__u64 mm = 0;
		bool private;

		cmd = a[1] & FUTEX_CMD_MASK;
		if (nr == NR_futex && cmd != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI &&
		    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
			break;
		st->op = IPCT_OP_FUTEX_WAIT;
		private = nr == NR_futex ? (a[1] & FUTEX_PRIVATE_FLAG) : (a[3] & FUTEX2_PRIVATE);
		p->vi.addr = a[0];
		if (!private)
			bpf_find_vma(task, a[0], vma_cb, &p->vi, 0);
		bpf_probe_read_kernel(&mm, sizeof(mm), &task->mm);
		p->obj_kind = IPCT_KIND_FUTEX;
		p->obj = futex_key(&p->vi, a[0], mm);
		break;
	}
	case NR_futex_waitv:
		st->op = IPCT_OP_FUTEX_WAIT;
		break;
	case NR_rt_sigtimedwait: case NR_pause: case NR_rt_sigsuspend:
		st->op = IPCT_OP_SIGWAIT;
		st->arg = -1;
		break;
	case NR_nanosleep: case NR_clock_nanosleep:
		st->op = IPCT_OP_NANOSLEEP;
		st->arg = -1;
		break;
	case NR_io_uring_enter:
		st->op = IPCT_OP_IO_URING_ENTER;
		st->fd = a[0];
		break;
	case NR_io_getevents: case NR_io_pgetevents:
		st->op = IPCT_OP_IO_SUBMIT;
		break;
	default:
		break;
	}
}

/* The call task is asleep in (if any), as sys_enter would have recorded it at the start. */
static __always_inline void pending_call(struct task_struct *task, struct tstate *st)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct pending p = { .fd = -1 };
	struct fdres r = {};
	struct file *f;
	__u64 a[6];
	long nr;

	if (!regs)
		return;
	nr = regs->orig_ax;
	if (nr < 0)
		return;
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
	st->enter_ts = snap_ts;
	st->before = 1;
	st->synced = 1;
	st->nr = nr;
	st->op = IPCT_OP_OTHER;
	st->flags = 0;
	st->chan = 0;
	st->chan2 = 0;
	st->arg = 0;
	st->uptr = 0;
	st->fd = -1;
	pending_op(task, st, nr, a, &p);
	if (p.fd >= 0) {
		st->fd = p.fd;
		f = task_fd_file(task, p.fd);
		if (f) {
			file_resolve(st, (__u64)f, &r);
			st->chan = r.chan;
			st->flags |= r.flags;
		}
	}
	if (p.obj) {
		st->chan = p.obj;
		obj_announce(p.obj, p.obj_kind, p.obj_kind == IPCT_KIND_FUTEX ? p.vi.ino : (__u32)(p.obj ^ chan_key),
			     p.obj_kind == IPCT_KIND_FUTEX && p.vi.ino ? (__u32)p.vi.off : 0,
			     p.obj_kind == IPCT_KIND_FUTEX && !p.vi.ino ? p.vi.addr : 0);
	}
}

/*
 * A traced thread at the start: asleep (not running, not seen by any
 * tracepoint since it was traced) means asleep since the start.
 */
static __always_inline int handle_snap_attach(struct task_struct *task)
{
	struct tstate *st;
	unsigned int state;

	if (!task || (task->flags & PF_KTHREAD) || task->exit_state || !is_traced(task->tgid))
		return 0;
	st = bpf_task_storage_get(&threads, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	st->traced = 1;
	state = task->__state;
	/* what a tracepoint saw since the insert is fresher than this snapshot */
	if (st->synced || st->out_ts || st->wake_ts || st->dead || state == TASK_RUNNING)
		return 0;
	st->out_ts = snap_ts;
	st->state = state;
	pending_call(task, st);
	return 0;
}

/* A traced thread at the stop: off CPU since out_ts, inside a call since enter_ts. */
static __always_inline int handle_snap_stop(struct task_struct *task)
{
	struct ipct_syscall *e;
	struct tstate *st;
	__u32 tgid, tid;

	if (!task)
		return 0;
	st = bpf_task_storage_get(&threads, task, NULL, 0);
	if (!st || !st->traced || st->dead)
		return 0;
	tgid = task->tgid;
	tid = task->pid;
	/* off CPU since out_ts; unless it is on one now, back without a switch-in seen */
	if (st->out_ts)
		sleep_emit(st, tgid, tid, snap_ts, task->on_cpu ? IPCT_F_IN_UNKNOWN : IPCT_F_UNFINISHED);
	if (st->enter_ts && (e = rb_reserve(sizeof(*e)))) {
		hdr_fill(&e->h, IPCT_EV_SYSCALL, tgid, tid, snap_ts);
		e->h.flags = st->flags | IPCT_F_UNFINISHED;
		e->enter_ts = st->before ? 0 : st->enter_ts;
		e->ret = 0;
		e->chan = st->chan;
		e->chan2 = st->chan2;
		e->arg = st->arg;
		e->fd = st->fd;
		e->nr = st->nr;
		e->op = st->op;
		e->_pad = 0;
		rb_submit(e);
	}
	return 0;
}

/*
 * A shared mapping of a traced process found by the scan at attach: its
 * object announced as a channel (as an mmap would) and a MAP event saying
 * the process has it. SysV segments and shared anonymous memory are named
 * by the kernel's shmem file ("SYSV<key>", "dev/zero").
 */
static __always_inline int handle_snap_map(struct task_struct *task, struct vm_area_struct *vma)
{
	struct ipct_map *e;
	struct inode *inode;
	struct file *f;
	__u64 chan, ino, iaddr = 0, faddr = 0;
	char nm[10] = {};
	bool tmpfs;

	if (!task || !vma || !is_traced(task->tgid))
		return 0;
	f = vma->vm_file;
	if (!f || !(vma->vm_flags & VM_SHARED))
		return 0;
	inode = f->f_inode;
	if ((inode->i_mode & S_IFMT) != S_IFREG)
		return 0;
	/* addresses as numbers: the inode's is the channel id of a file or shmem object */
	bpf_probe_read_kernel(&iaddr, sizeof(iaddr), &f->f_inode);
	bpf_probe_read_kernel(&faddr, sizeof(faddr), &vma->vm_file);
	ino = inode->i_ino;
	tmpfs = inode->i_sb->s_magic == TMPFS_MAGIC;
	bpf_probe_read_kernel_str(nm, sizeof(nm), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	if (tmpfs && nm[0] == 'S' && nm[1] == 'Y' && nm[2] == 'S' && nm[3] == 'V') {
		chan = ipc_chan(IPCT_KIND_SYSV_SHM, ino);
		obj_announce(chan, IPCT_KIND_SYSV_SHM, (__u32)ino, 0, 0);
	} else if (tmpfs && nm[0] == 'd' && nm[1] == 'e' && nm[2] == 'v' && nm[3] == '/' && nm[4] == 'z' &&
		   nm[5] == 'e' && nm[6] == 'r' && nm[7] == 'o' && !nm[8]) {
		chan = iaddr ^ chan_key;
		obj_announce(chan, IPCT_KIND_SHM, ino, 0, 0);
	} else {
		/* a file, POSIX shm or memfd: announced as an mmap of it announces it */
		struct fdres r = { .kind_hint = IPCT_KIND_MMAP, .force = 1 };

		file_resolve(NULL, faddr, &r);
		chan = r.chan;
		if (!chan)
			return 0;
	}
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	hdr_fill(&e->h, IPCT_EV_MAP, task->tgid, task->pid, snap_ts);
	e->chan = chan;
	e->addr = vma->vm_start;
	e->len = vma->vm_end - vma->vm_start;
	e->prot = vma->vm_flags & VM_PROT_BITS;
	e->_pad = 0;
	rb_submit(e);
	return 0;
}

#endif /* IPCT_SNAPSHOT_BPF_H */
