/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a syscall does, decided at its entry from its number and arguments.
 *
 * SYSCALL fields by op (beyond ipctrace.h):
 *   PIPE: chan = the pipe, fd = read end, arg = write end (from int[2]).
 *   SOCKETPAIR: chan = sv[0]'s socket, chan2 = sv[1]'s, fd = sv[0], arg = sv[1].
 *   ACCEPT: chan = listening socket, chan2 = the accepted socket (ret).
 *   OPEN, MQ_OPEN, MEMFD, SOCKET: chan = the channel of the returned fd.
 *   SPLICE: fd/chan = input fd, chan2 = output fd (sendfile: in_fd -> out_fd).
 *   DUP: chan = the old fd's channel. MKNOD: arg = mode. FCNTL, IOCTL: arg = cmd;
 *   FCNTL F_SETFL: NONBLOCK/ASYNC flags are those being set.
 *   POLL: fd/chan = pollfd[0], chan2 = pollfd[1] (when nfds > 1).
 *   MSG*, SHM*, SEM*: chan = (kind, id); *GET: arg = the IPC key.
 *   SEND/RECV by sendmmsg/recvmmsg: flag IPCT_F_MSGS, ret = messages, arg =
 *   the bytes they moved (first 64 messages).
 *   SEMOP: arg = nsops. FUTEX_*: arg = val. NANOSLEEP, SIGWAIT: arg = ns.
 *   KILL: chan = the target's signal channel. MMAP/MUNMAP: chan = the file.
 *   IO_URING_ENTER: chan = the file of the first request it submits; each
 *   io_uring read/write/recv/send completion is a zero-length SYSCALL of that
 *   op flagged ASYNC, nr = io_uring_enter, fd = -1, ret = the cqe's res.
 */
#ifndef IPCT_CLASSIFY_BPF_H
#define IPCT_CLASSIFY_BPF_H

#include "kernel_defs.bpf.h"
#include "syscall_nr.bpf.h"
#include "task_state.bpf.h"
#include "chan_resolve.bpf.h"
#include "chan_announce.bpf.h"
#include "user_args.bpf.h"

struct sysargs {
	__u64 a[6];
};

/* The steps of classify, one per family of syscalls; SC_NONE: not IPC, nothing to classify. */
enum sys_class {
	SC_NONE = 0,
	SC_RW,       /* read/write and their vector and positional forms */
	SC_MSG_IO,   /* recvfrom/sendto, recvmsg/sendmsg, recvmmsg/sendmmsg */
	SC_SPLICE,   /* splice, tee, sendfile, copy_file_range */
	SC_WAIT,     /* poll, select, epoll */
	SC_FD,       /* open, close, pipe, mknod, dup, fcntl, ioctl */
	SC_MQUEUE,   /* POSIX message queues */
	SC_SYSV,     /* SysV messages, shared memory, semaphores */
	SC_MEMORY,   /* mmap, munmap, memfd_create */
	SC_FUTEX,
	SC_SOCKET,   /* socket setup: socket, socketpair, bind, listen, accept, connect, shutdown */
	SC_SIGNAL,   /* kill and friends, sigwait */
	SC_ASYNC,    /* io_uring_enter, Linux AIO */
	SC_SLEEP,    /* nanosleep, clock_nanosleep */
	SC_PRCTL,
};

/* Indexed by syscall number; numbers past the table are SC_NONE. */
static const __u8 sys_classes[NR_futex_wait + 1] = {
	[NR_read] = SC_RW, [NR_pread64] = SC_RW, [NR_readv] = SC_RW, [NR_preadv] = SC_RW,
	[NR_preadv2] = SC_RW, [NR_write] = SC_RW, [NR_pwrite64] = SC_RW, [NR_writev] = SC_RW,
	[NR_pwritev] = SC_RW, [NR_pwritev2] = SC_RW,
	[NR_recvfrom] = SC_MSG_IO, [NR_sendto] = SC_MSG_IO, [NR_recvmsg] = SC_MSG_IO,
	[NR_sendmsg] = SC_MSG_IO, [NR_recvmmsg] = SC_MSG_IO, [NR_sendmmsg] = SC_MSG_IO,
	[NR_splice] = SC_SPLICE, [NR_copy_file_range] = SC_SPLICE, [NR_tee] = SC_SPLICE,
	[NR_sendfile] = SC_SPLICE,
	[NR_poll] = SC_WAIT, [NR_ppoll] = SC_WAIT, [NR_select] = SC_WAIT, [NR_pselect6] = SC_WAIT,
	[NR_epoll_wait] = SC_WAIT, [NR_epoll_pwait] = SC_WAIT, [NR_epoll_pwait2] = SC_WAIT,
	[NR_epoll_create] = SC_WAIT, [NR_epoll_create1] = SC_WAIT, [NR_epoll_ctl] = SC_WAIT,
	[NR_open] = SC_FD, [NR_creat] = SC_FD, [NR_openat] = SC_FD, [NR_openat2] = SC_FD,
	[NR_close] = SC_FD, [NR_pipe] = SC_FD, [NR_pipe2] = SC_FD, [NR_mknod] = SC_FD,
	[NR_mknodat] = SC_FD, [NR_dup] = SC_FD, [NR_dup2] = SC_FD, [NR_dup3] = SC_FD,
	[NR_fcntl] = SC_FD, [NR_ioctl] = SC_FD,
	[NR_mq_open] = SC_MQUEUE, [NR_mq_timedsend] = SC_MQUEUE, [NR_mq_timedreceive] = SC_MQUEUE,
	[NR_mq_notify] = SC_MQUEUE, [NR_mq_unlink] = SC_MQUEUE,
	[NR_msgget] = SC_SYSV, [NR_msgsnd] = SC_SYSV, [NR_msgrcv] = SC_SYSV, [NR_msgctl] = SC_SYSV,
	[NR_shmget] = SC_SYSV, [NR_shmat] = SC_SYSV, [NR_shmctl] = SC_SYSV, [NR_shmdt] = SC_SYSV,
	[NR_semget] = SC_SYSV, [NR_semop] = SC_SYSV, [NR_semtimedop] = SC_SYSV, [NR_semctl] = SC_SYSV,
	[NR_mmap] = SC_MEMORY, [NR_munmap] = SC_MEMORY, [NR_memfd_create] = SC_MEMORY,
	[NR_futex] = SC_FUTEX, [NR_futex_wait] = SC_FUTEX, [NR_futex_wake] = SC_FUTEX,
	[NR_futex_waitv] = SC_FUTEX,
	[NR_socket] = SC_SOCKET, [NR_socketpair] = SC_SOCKET, [NR_bind] = SC_SOCKET,
	[NR_listen] = SC_SOCKET, [NR_accept] = SC_SOCKET, [NR_accept4] = SC_SOCKET,
	[NR_connect] = SC_SOCKET, [NR_shutdown] = SC_SOCKET,
	[NR_kill] = SC_SIGNAL, [NR_tkill] = SC_SIGNAL, [NR_tgkill] = SC_SIGNAL,
	[NR_rt_sigqueueinfo] = SC_SIGNAL, [NR_rt_tgsigqueueinfo] = SC_SIGNAL,
	[NR_rt_sigtimedwait] = SC_SIGNAL, [NR_pause] = SC_SIGNAL, [NR_rt_sigsuspend] = SC_SIGNAL,
	[NR_io_uring_enter] = SC_ASYNC, [NR_io_submit] = SC_ASYNC, [NR_io_getevents] = SC_ASYNC,
	[NR_io_pgetevents] = SC_ASYNC,
	[NR_nanosleep] = SC_SLEEP, [NR_clock_nanosleep] = SC_SLEEP,
	[NR_prctl] = SC_PRCTL,
};

static __always_inline __u32 sys_class(__u64 nr)
{
	return nr < sizeof(sys_classes) ? sys_classes[nr] : SC_NONE;
}

/*
 * What the steps leave for classify_resolve: the fds whose channels the call
 * uses, a non-fd object (futex, SysV, signal) and where a datagram is sent.
 */
struct sysplan {
	struct vmainfo vi; /* a shared futex's mapping */
	__u64 dest;        /* sendto/sendmsg destination address (unconnected unix datagrams) */
	__u64 dest_len;
	__u64 obj;
	__u32 obj_kind;
	__u32 kind_hint;   /* how fd1 is used: IPCT_KIND_MMAP for a shared file mapping */
	int fd1;
	int fd2;
};

static __always_inline void classify_rw(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	st->op = (nr == NR_read || nr == NR_pread64 || nr == NR_readv || nr == NR_preadv ||
		  nr == NR_preadv2) ? IPCT_OP_READ : IPCT_OP_WRITE;
	p->fd1 = a[0];
	if (nr == NR_read || nr == NR_pread64 || nr == NR_write || nr == NR_pwrite64)
		st->arg = a[2];
	else
		st->arg = iov_bytes(a[1], a[2]);
}

static __always_inline void classify_msg_io(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	p->fd1 = a[0];
	switch (nr) {
	case NR_recvfrom:
	case NR_sendto:
		st->op = nr == NR_recvfrom ? IPCT_OP_RECV : IPCT_OP_SEND;
		st->arg = a[2];
		if (a[3] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		if (nr == NR_sendto) {
			p->dest = a[4];
			p->dest_len = a[5];
		}
		st->uptr = a[4];  /* where it sends or where the sender's address goes: a UDP flow */
		break;
	case NR_recvmsg:
	case NR_sendmsg: {
		struct user_msghdr mh;

		st->op = nr == NR_recvmsg ? IPCT_OP_RECV : IPCT_OP_SEND;
		if (a[1] && !bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1])) {
			st->arg = iov_bytes((__u64)mh.msg_iov, mh.msg_iovlen);
			if (nr == NR_sendmsg) {
				p->dest = (__u64)mh.msg_name;
				p->dest_len = mh.msg_namelen;
			}
			/* sendmsg: where it sends; recvmsg: the header whose msg_name is filled at exit */
			st->uptr = nr == NR_sendmsg ? (__u64)mh.msg_name : (mh.msg_name ? a[1] : 0);
		}
		if (a[2] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	}
	default: /* recvmmsg, sendmmsg: the bytes are counted at exit */
		st->op = nr == NR_recvmmsg ? IPCT_OP_RECV : IPCT_OP_SEND;
		st->uptr = a[1];
		if (a[3] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	}
}

static __always_inline void classify_splice(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	st->op = IPCT_OP_SPLICE;
	switch (nr) {
	case NR_splice:
	case NR_copy_file_range:
		p->fd1 = a[0];
		p->fd2 = a[2];
		st->arg = a[4];
		if (nr == NR_splice && (a[5] & SPLICE_F_NONBLOCK))
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_tee:
		p->fd1 = a[0];
		p->fd2 = a[1];
		st->arg = a[2];
		if (a[3] & SPLICE_F_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	default: /* sendfile(out_fd, in_fd, ...): data flows from in_fd */
		p->fd1 = a[1];
		p->fd2 = a[0];
		st->arg = a[3];
		break;
	}
}

static __always_inline void classify_wait(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_poll:
	case NR_ppoll: {
		struct pollfd pfd[2] = {};

		st->op = IPCT_OP_POLL;
		if (nr == NR_poll)
			st->arg = (int)a[2] < 0 ? -1 : (__s64)(int)a[2] * 1000000;
		else
			st->arg = user_timespec_ns(a[2]);
		if (a[1] >= 1 && a[0] && !bpf_probe_read_user(pfd, sizeof(pfd[0]) * (a[1] >= 2 ? 2 : 1), (void *)a[0])) {
			p->fd1 = pfd[0].fd;
			if (a[1] >= 2)
				p->fd2 = pfd[1].fd;
		}
		break;
	}
	case NR_select:
	case NR_pselect6:
		st->op = IPCT_OP_SELECT;
		st->arg = nr == NR_select ? user_timeval_ns(a[4]) : user_timespec_ns(a[4]);
		break;
	case NR_epoll_wait:
	case NR_epoll_pwait:
		st->op = IPCT_OP_EPOLL_WAIT;
		st->fd = a[0];
		st->arg = (int)a[3] < 0 ? -1 : (__s64)(int)a[3] * 1000000;
		break;
	case NR_epoll_pwait2:
		st->op = IPCT_OP_EPOLL_WAIT;
		st->fd = a[0];
		st->arg = user_timespec_ns(a[3]);
		break;
	case NR_epoll_ctl:
		st->op = IPCT_OP_EPOLL_CTL;
		st->arg = (int)a[1];
		p->fd1 = a[2];
		break;
	default: /* epoll_create, epoll_create1; arg 0: a new, empty epoll set (ret is its fd) */
		st->op = IPCT_OP_EPOLL_CTL;
		break;
	}
	if (st->op != IPCT_OP_EPOLL_CTL && st->arg == 0)
		st->flags |= IPCT_F_ZERO_TMO;
}

static __always_inline void classify_fd(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_open:
	case NR_creat:
		st->op = IPCT_OP_OPEN;
		st->uptr = a[0];
		if (nr == NR_open && (a[1] & O_NONBLOCK))
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_openat:
	case NR_openat2:
		st->op = IPCT_OP_OPEN;
		st->uptr = a[1];
		if (nr == NR_openat && (a[2] & O_NONBLOCK))
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_close:
		st->op = IPCT_OP_CLOSE;
		p->fd1 = a[0];
		break;
	case NR_pipe:
	case NR_pipe2:
		st->op = IPCT_OP_PIPE;
		st->uptr = a[0];
		if (nr == NR_pipe2 && (a[1] & O_NONBLOCK))
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_mknod:
		st->op = IPCT_OP_MKNOD;
		st->arg = a[1];
		break;
	case NR_mknodat:
		st->op = IPCT_OP_MKNOD;
		st->arg = a[2];
		break;
	case NR_fcntl:
		st->op = (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) ? IPCT_OP_DUP : IPCT_OP_FCNTL;
		p->fd1 = a[0];
		st->arg = a[1];
		break;
	case NR_ioctl:
		st->op = IPCT_OP_IOCTL;
		p->fd1 = a[0];
		st->arg = a[1];
		break;
	default: /* dup, dup2, dup3 */
		st->op = IPCT_OP_DUP;
		p->fd1 = a[0];
		break;
	}
}

static __always_inline void classify_mqueue(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_mq_open:
		st->op = IPCT_OP_MQ_OPEN;
		st->uptr = a[0];
		if (a[1] & O_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_mq_timedsend:
	case NR_mq_timedreceive:
		st->op = nr == NR_mq_timedsend ? IPCT_OP_MQ_SEND : IPCT_OP_MQ_RECV;
		p->fd1 = a[0];
		st->arg = a[2];
		break;
	case NR_mq_notify:
		st->op = IPCT_OP_MQ_NOTIFY;
		p->fd1 = a[0];
		break;
	default: /* mq_unlink */
		st->op = IPCT_OP_MQ_UNLINK;
		break;
	}
}

static __always_inline void classify_sysv(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_msgget:
		st->op = IPCT_OP_MSGGET;
		st->arg = (int)a[0];
		break;
	case NR_msgsnd:
	case NR_msgrcv:
		st->op = nr == NR_msgsnd ? IPCT_OP_MSGSND : IPCT_OP_MSGRCV;
		p->obj = ipc_chan(IPCT_KIND_SYSV_MSG, (int)a[0]);
		p->obj_kind = IPCT_KIND_SYSV_MSG;
		st->arg = a[2];
		if ((nr == NR_msgsnd ? a[3] : a[4]) & IPC_NOWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_msgctl:
		st->op = IPCT_OP_MSGCTL;
		p->obj = ipc_chan(IPCT_KIND_SYSV_MSG, (int)a[0]);
		p->obj_kind = IPCT_KIND_SYSV_MSG;
		break;
	case NR_shmget:
		st->op = IPCT_OP_SHMGET;
		st->arg = (int)a[0];
		break;
	case NR_shmat:
	case NR_shmctl:
		st->op = nr == NR_shmctl ? IPCT_OP_OTHER : IPCT_OP_SHMAT;
		p->obj = ipc_chan(IPCT_KIND_SYSV_SHM, (int)a[0]);
		p->obj_kind = IPCT_KIND_SYSV_SHM;
		break;
	case NR_shmdt: {
		struct vmainfo vi = {};

		/* a SysV segment's file has the segment id as its inode number */
		st->op = IPCT_OP_SHMDT;
		vma_lookup(a[0], &vi);
		if (vi.inode) {
			p->obj = ipc_chan(IPCT_KIND_SYSV_SHM, vi.ino);
			p->obj_kind = IPCT_KIND_SYSV_SHM;
		}
		break;
	}
	case NR_semget:
		st->op = IPCT_OP_SEMGET;
		st->arg = (int)a[0];
		break;
	default: /* semop, semtimedop, semctl */
		st->op = nr == NR_semctl ? IPCT_OP_OTHER : IPCT_OP_SEMOP;
		p->obj = ipc_chan(IPCT_KIND_SYSV_SEM, (int)a[0]);
		p->obj_kind = IPCT_KIND_SYSV_SEM;
		if (nr != NR_semctl)
			st->arg = a[2];
		break;
	}
}

static __always_inline void classify_memory(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_mmap:
		if ((a[3] & MAP_SHARED) && !(a[3] & MAP_ANONYMOUS) && (int)a[4] >= 0) {
			st->op = IPCT_OP_MMAP;
			p->fd1 = a[4];
			p->kind_hint = IPCT_KIND_MMAP;
		} else if (a[3] & MAP_SHARED) {
			st->op = IPCT_OP_MMAP;
		}
		st->arg = a[2];
		break;
	case NR_munmap: {
		struct vmainfo vi = {};

		st->op = IPCT_OP_MUNMAP;
		st->arg = a[1];
		vma_lookup(a[0], &vi);
		if (vi.inode)
			st->chan = vi.inode ^ chan_key;
		break;
	}
	default: /* memfd_create */
		st->op = IPCT_OP_MEMFD;
		break;
	}
}

static __always_inline void classify_futex(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_futex: {
		__u32 cmd = a[1] & FUTEX_CMD_MASK;

		/* WAIT, WAIT_BITSET, LOCK_PI, WAIT_REQUEUE_PI, LOCK_PI2 sleep; the rest wake */
		if (cmd == 0 || cmd == 9 || cmd == 6 || cmd == 11 || cmd == 13)
			st->op = IPCT_OP_FUTEX_WAIT;
		else if (cmd == 1 || cmd == 3 || cmd == 4 || cmd == 5 || cmd == 7 || cmd == 10 || cmd == 12)
			st->op = IPCT_OP_FUTEX_WAKE;
		else
			break;
		p->obj = futex_chan(a[0], a[1] & FUTEX_PRIVATE_FLAG, &p->vi);
		p->obj_kind = IPCT_KIND_FUTEX;
		p->vi.addr = a[0];
		st->arg = (__u32)a[2];
		break;
	}
	case NR_futex_wait:
	case NR_futex_wake:
		st->op = nr == NR_futex_wait ? IPCT_OP_FUTEX_WAIT : IPCT_OP_FUTEX_WAKE;
		p->obj = futex_chan(a[0], a[3] & FUTEX2_PRIVATE, &p->vi);
		p->obj_kind = IPCT_KIND_FUTEX;
		p->vi.addr = a[0];
		st->arg = nr == NR_futex_wait ? a[1] : a[2];
		break;
	default: /* futex_waitv: many words, none named */
		st->op = IPCT_OP_FUTEX_WAIT;
		break;
	}
}

static __always_inline void classify_socket(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_socket:
		st->op = IPCT_OP_SOCKET;
		break;
	case NR_socketpair:
		st->op = IPCT_OP_SOCKETPAIR;
		st->uptr = a[3];
		break;
	default:
		st->op = nr == NR_bind ? IPCT_OP_BIND :
			 nr == NR_listen ? IPCT_OP_LISTEN :
			 nr == NR_connect ? IPCT_OP_CONNECT :
			 nr == NR_shutdown ? IPCT_OP_SHUTDOWN : IPCT_OP_ACCEPT;
		p->fd1 = a[0];
		break;
	}
}

static __always_inline void classify_signal(struct tstate *st, __u64 nr, __u64 *a, struct sysplan *p)
{
	switch (nr) {
	case NR_rt_sigtimedwait:
		st->op = IPCT_OP_SIGWAIT;
		st->arg = user_timespec_ns(a[2]);
		break;
	case NR_pause:
	case NR_rt_sigsuspend:
		st->op = IPCT_OP_SIGWAIT;
		st->arg = -1;
		break;
	default: /* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo */
		st->op = IPCT_OP_KILL;
		st->arg = (int)a[0];
		if (st->arg > 0) {
			p->obj = ipc_chan(IPCT_KIND_SIGNAL, st->arg);
			p->obj_kind = IPCT_KIND_SIGNAL;
		}
		/* glibc's POSIX AIO reports a completion with si_code SI_ASYNCIO */
		if (nr == NR_rt_sigqueueinfo || nr == NR_rt_tgsigqueueinfo) {
			__u64 uinfo = nr == NR_rt_sigqueueinfo ? a[2] : a[3];
			int code = 0;

			if (uinfo && !bpf_probe_read_user(&code, sizeof(code), (void *)(uinfo + 8)) &&
			    code == SI_ASYNCIO)
				st->flags |= IPCT_F_ASYNC;
		}
		break;
	}
}

static __always_inline void classify_async(struct tstate *st, __u64 nr, __u64 *a)
{
	if (nr == NR_io_uring_enter) {
		st->op = IPCT_OP_IO_URING_ENTER;
		st->fd = a[0];
	} else { /* io_submit, io_getevents, io_pgetevents */
		st->op = IPCT_OP_IO_SUBMIT;
	}
}

static __always_inline void classify_sleep(struct tstate *st, __u64 nr, __u64 *a)
{
	st->op = IPCT_OP_NANOSLEEP;
	st->arg = user_timespec_ns(nr == NR_nanosleep ? a[0] : a[2]);
}

/*
 * The common tail: resolve the fds the step named (flags from the fd's file,
 * except where the call sets or ignores them) and announce its object.
 */
static __always_inline void classify_resolve(struct tstate *st, __u64 *a, struct sysplan *p)
{
	struct fdres r1 = {}, r2 = {};

	if (p->fd1 >= 0) {
		st->fd = p->fd1;
		r1.kind_hint = p->kind_hint;
		r1.force = p->kind_hint != 0;
		fd_resolve(st, p->fd1, &r1);
		st->chan = r1.chan;
		if (st->op != IPCT_OP_POLL && st->op != IPCT_OP_EPOLL_CTL &&
		    !(st->op == IPCT_OP_FCNTL && st->arg == F_SETFL))
			st->flags |= r1.flags;
		if (st->op == IPCT_OP_EPOLL_CTL)
			st->fd = a[0];
		if (p->dest && r1.chan)
			unix_dest_announce(r1.chan, p->dest, p->dest_len);
	}
	/* F_SETFL: the flags being set (O_NONBLOCK, O_ASYNC for SIGIO), not the old ones */
	if (st->op == IPCT_OP_FCNTL && st->arg == F_SETFL) {
		if (a[2] & O_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		if (a[2] & O_ASYNC)
			st->flags |= IPCT_F_ASYNC;
	}
	if (p->fd2 >= 0) {
		fd_resolve(st, p->fd2, &r2);
		st->chan2 = r2.chan;
	}
	if (p->obj) {
		st->chan = p->obj;
		obj_announce(p->obj, p->obj_kind,
			     p->obj_kind == IPCT_KIND_FUTEX ? p->vi.ino : (__u32)(p->obj ^ chan_key),
			     p->obj_kind == IPCT_KIND_FUTEX && p->vi.ino ? (__u32)p->vi.off : 0,
			     p->obj_kind == IPCT_KIND_FUTEX && !p->vi.ino ? p->vi.addr : 0);
	}
}

/*
 * Syscall classification at entry: a step per family sets op/arg/flags and
 * names the fds to resolve; resolution happens once, in classify_resolve, so
 * the verifier sees few call sites.
 */
__noinline int classify(struct tstate *st, __u64 nr, struct sysargs *args)
{
	struct sysplan p = { .fd1 = -1, .fd2 = -1 };
	__u64 *a;

	if (!st || !args)
		return 0;
	a = args->a;
	switch (sys_class(nr)) {
	case SC_RW:
		classify_rw(st, nr, a, &p);
		break;
	case SC_MSG_IO:
		classify_msg_io(st, nr, a, &p);
		break;
	case SC_SPLICE:
		classify_splice(st, nr, a, &p);
		break;
	case SC_WAIT:
		classify_wait(st, nr, a, &p);
		break;
	case SC_FD:
		classify_fd(st, nr, a, &p);
		break;
	case SC_MQUEUE:
		classify_mqueue(st, nr, a, &p);
		break;
	case SC_SYSV:
		classify_sysv(st, nr, a, &p);
		break;
	case SC_MEMORY:
		classify_memory(st, nr, a, &p);
		break;
	case SC_FUTEX:
		classify_futex(st, nr, a, &p);
		break;
	case SC_SOCKET:
		classify_socket(st, nr, a, &p);
		break;
	case SC_SIGNAL:
		classify_signal(st, nr, a, &p);
		break;
	case SC_ASYNC:
		classify_async(st, nr, a);
		break;
	case SC_SLEEP:
		classify_sleep(st, nr, a);
		break;
	case SC_PRCTL:
		st->op = IPCT_OP_PRCTL;
		st->arg = a[0];
		break;
	default:
		return 0;
	}
	classify_resolve(st, a, &p);
	return 0;
}

#endif /* IPCT_CLASSIFY_BPF_H */
