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

/*
 * Syscall classification at entry. Sets op/arg/flags and the fds to
 * resolve; resolution happens once below so the verifier sees few call sites.
 */
__noinline int classify(struct tstate *st, __u64 nr, struct sysargs *args)
{
	struct fdres r1 = {}, r2 = {};
	struct vmainfo vi = {};
	int fd1 = -1, fd2 = -1;
	__u64 dest = 0, dest_len = 0;
	__u32 kind_hint = 0;
	__u32 obj_kind = 0;
	__u64 obj = 0;
	__u64 *a;

	if (!st || !args)
		return 0;
	a = args->a;
	switch (nr) {
	case NR_read:
	case NR_pread64:
	case NR_write:
	case NR_pwrite64:
		st->op = (nr == NR_read || nr == NR_pread64) ? IPCT_OP_READ : IPCT_OP_WRITE;
		fd1 = a[0];
		st->arg = a[2];
		break;
	case NR_readv:
	case NR_preadv:
	case NR_preadv2:
	case NR_writev:
	case NR_pwritev:
	case NR_pwritev2:
		st->op = (nr == NR_readv || nr == NR_preadv || nr == NR_preadv2) ? IPCT_OP_READ : IPCT_OP_WRITE;
		fd1 = a[0];
		st->arg = iov_bytes(a[1], a[2]);
		break;
	case NR_recvfrom:
	case NR_sendto:
		st->op = nr == NR_recvfrom ? IPCT_OP_RECV : IPCT_OP_SEND;
		fd1 = a[0];
		st->arg = a[2];
		if (a[3] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		if (nr == NR_sendto) {
			dest = a[4];
			dest_len = a[5];
		}
		break;
	case NR_recvmsg:
	case NR_sendmsg: {
		struct user_msghdr mh;

		st->op = nr == NR_recvmsg ? IPCT_OP_RECV : IPCT_OP_SEND;
		fd1 = a[0];
		if (a[1] && !bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1])) {
			st->arg = iov_bytes((__u64)mh.msg_iov, mh.msg_iovlen);
			if (nr == NR_sendmsg) {
				dest = (__u64)mh.msg_name;
				dest_len = mh.msg_namelen;
			}
		}
		if (a[2] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	}
	case NR_recvmmsg:
	case NR_sendmmsg:
		st->op = nr == NR_recvmmsg ? IPCT_OP_RECV : IPCT_OP_SEND;
		fd1 = a[0];
		st->uptr = a[1];
		if (a[3] & MSG_DONTWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_splice:
	case NR_copy_file_range:
		st->op = IPCT_OP_SPLICE;
		fd1 = a[0];
		fd2 = a[2];
		st->arg = a[4];
		if (nr == NR_splice && (a[5] & SPLICE_F_NONBLOCK))
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_tee:
		st->op = IPCT_OP_SPLICE;
		fd1 = a[0];
		fd2 = a[1];
		st->arg = a[2];
		if (a[3] & SPLICE_F_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_sendfile:
		st->op = IPCT_OP_SPLICE;
		fd1 = a[1];
		fd2 = a[0];
		st->arg = a[3];
		break;
	case NR_poll:
	case NR_ppoll: {
		struct pollfd pfd[2] = {};

		st->op = IPCT_OP_POLL;
		if (nr == NR_poll)
			st->arg = (int)a[2] < 0 ? -1 : (__s64)(int)a[2] * 1000000;
		else
			st->arg = user_timespec_ns(a[2]);
		if (a[1] >= 1 && a[0] && !bpf_probe_read_user(pfd, sizeof(pfd[0]) * (a[1] >= 2 ? 2 : 1), (void *)a[0])) {
			fd1 = pfd[0].fd;
			if (a[1] >= 2)
				fd2 = pfd[1].fd;
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
	case NR_epoll_create:
	case NR_epoll_create1:
		/* arg 0: a new, empty epoll set (ret is its fd) */
		st->op = IPCT_OP_EPOLL_CTL;
		break;
	case NR_epoll_ctl:
		st->op = IPCT_OP_EPOLL_CTL;
		st->arg = (int)a[1];
		fd1 = a[2];
		break;
	case NR_epoll_pwait2:
		st->op = IPCT_OP_EPOLL_WAIT;
		st->fd = a[0];
		st->arg = user_timespec_ns(a[3]);
		break;
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
		fd1 = a[0];
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
	case NR_dup:
	case NR_dup2:
	case NR_dup3:
		st->op = IPCT_OP_DUP;
		fd1 = a[0];
		break;
	case NR_fcntl:
		st->op = (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) ? IPCT_OP_DUP : IPCT_OP_FCNTL;
		fd1 = a[0];
		st->arg = a[1];
		break;
	case NR_ioctl:
		st->op = IPCT_OP_IOCTL;
		fd1 = a[0];
		st->arg = a[1];
		break;
	case NR_mq_open:
		st->op = IPCT_OP_MQ_OPEN;
		st->uptr = a[0];
		if (a[1] & O_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_mq_timedsend:
	case NR_mq_timedreceive:
		st->op = nr == NR_mq_timedsend ? IPCT_OP_MQ_SEND : IPCT_OP_MQ_RECV;
		fd1 = a[0];
		st->arg = a[2];
		break;
	case NR_mq_notify:
		st->op = IPCT_OP_MQ_NOTIFY;
		fd1 = a[0];
		break;
	case NR_mq_unlink:
		st->op = IPCT_OP_MQ_UNLINK;
		break;
	case NR_msgget:
		st->op = IPCT_OP_MSGGET;
		st->arg = (int)a[0];
		break;
	case NR_msgsnd:
	case NR_msgrcv:
		st->op = nr == NR_msgsnd ? IPCT_OP_MSGSND : IPCT_OP_MSGRCV;
		obj = ipc_chan(IPCT_KIND_SYSV_MSG, (int)a[0]);
		obj_kind = IPCT_KIND_SYSV_MSG;
		st->arg = a[2];
		if ((nr == NR_msgsnd ? a[3] : a[4]) & IPC_NOWAIT)
			st->flags |= IPCT_F_NONBLOCK;
		break;
	case NR_msgctl:
		st->op = IPCT_OP_MSGCTL;
		obj = ipc_chan(IPCT_KIND_SYSV_MSG, (int)a[0]);
		obj_kind = IPCT_KIND_SYSV_MSG;
		break;
	case NR_shmget:
		st->op = IPCT_OP_SHMGET;
		st->arg = (int)a[0];
		break;
	case NR_shmat:
	case NR_shmctl:
		st->op = IPCT_OP_SHMAT;
		if (nr == NR_shmctl)
			st->op = IPCT_OP_OTHER;
		obj = ipc_chan(IPCT_KIND_SYSV_SHM, (int)a[0]);
		obj_kind = IPCT_KIND_SYSV_SHM;
		break;
	case NR_shmdt: {
		struct vmainfo vi = {};

		/* a SysV segment's file has the segment id as its inode number */
		st->op = IPCT_OP_SHMDT;
		vma_lookup(a[0], &vi);
		if (vi.inode) {
			obj = ipc_chan(IPCT_KIND_SYSV_SHM, vi.ino);
			obj_kind = IPCT_KIND_SYSV_SHM;
		}
		break;
	}
	case NR_semget:
		st->op = IPCT_OP_SEMGET;
		st->arg = (int)a[0];
		break;
	case NR_semop:
	case NR_semtimedop:
	case NR_semctl:
		st->op = nr == NR_semctl ? IPCT_OP_OTHER : IPCT_OP_SEMOP;
		obj = ipc_chan(IPCT_KIND_SYSV_SEM, (int)a[0]);
		obj_kind = IPCT_KIND_SYSV_SEM;
		if (nr != NR_semctl)
			st->arg = a[2];
		break;
	case NR_mmap:
		if ((a[3] & MAP_SHARED) && !(a[3] & MAP_ANONYMOUS) && (int)a[4] >= 0) {
			st->op = IPCT_OP_MMAP;
			fd1 = a[4];
			kind_hint = IPCT_KIND_MMAP;
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
	case NR_memfd_create:
		st->op = IPCT_OP_MEMFD;
		break;
	case NR_futex: {
		__u32 cmd = a[1] & FUTEX_CMD_MASK;

		/* WAIT, WAIT_BITSET, LOCK_PI, WAIT_REQUEUE_PI, LOCK_PI2 sleep; the rest wake */
		if (cmd == 0 || cmd == 9 || cmd == 6 || cmd == 11 || cmd == 13)
			st->op = IPCT_OP_FUTEX_WAIT;
		else if (cmd == 1 || cmd == 3 || cmd == 4 || cmd == 5 || cmd == 7 || cmd == 10 || cmd == 12)
			st->op = IPCT_OP_FUTEX_WAKE;
		else
			break;
		obj = futex_chan(a[0], a[1] & FUTEX_PRIVATE_FLAG, &vi);
		obj_kind = IPCT_KIND_FUTEX;
		st->arg = (__u32)a[2];
		break;
	}
	case NR_futex_wait:
	case NR_futex_wake:
		st->op = nr == NR_futex_wait ? IPCT_OP_FUTEX_WAIT : IPCT_OP_FUTEX_WAKE;
		obj = futex_chan(a[0], a[3] & FUTEX2_PRIVATE, &vi);
		obj_kind = IPCT_KIND_FUTEX;
		st->arg = nr == NR_futex_wait ? a[1] : a[2];
		break;
	case NR_futex_waitv:
		st->op = IPCT_OP_FUTEX_WAIT;
		break;
	case NR_socket:
		st->op = IPCT_OP_SOCKET;
		break;
	case NR_socketpair:
		st->op = IPCT_OP_SOCKETPAIR;
		st->uptr = a[3];
		break;
	case NR_bind:
	case NR_listen:
	case NR_accept:
	case NR_accept4:
	case NR_connect:
	case NR_shutdown:
		st->op = nr == NR_bind ? IPCT_OP_BIND :
			 nr == NR_listen ? IPCT_OP_LISTEN :
			 nr == NR_connect ? IPCT_OP_CONNECT :
			 nr == NR_shutdown ? IPCT_OP_SHUTDOWN : IPCT_OP_ACCEPT;
		fd1 = a[0];
		break;
	case NR_kill:
	case NR_tkill:
	case NR_tgkill:
	case NR_rt_sigqueueinfo:
	case NR_rt_tgsigqueueinfo:
		st->op = IPCT_OP_KILL;
		st->arg = (int)a[0];
		if (st->arg > 0) {
			obj = ipc_chan(IPCT_KIND_SIGNAL, st->arg);
			obj_kind = IPCT_KIND_SIGNAL;
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
	case NR_rt_sigtimedwait:
		st->op = IPCT_OP_SIGWAIT;
		st->arg = user_timespec_ns(a[2]);
		break;
	case NR_pause:
	case NR_rt_sigsuspend:
		st->op = IPCT_OP_SIGWAIT;
		st->arg = -1;
		break;
	case NR_io_uring_enter:
		st->op = IPCT_OP_IO_URING_ENTER;
		st->fd = a[0];
		break;
	case NR_io_submit:
	case NR_io_getevents:
	case NR_io_pgetevents:
		st->op = IPCT_OP_IO_SUBMIT;
		break;
	case NR_nanosleep:
		st->op = IPCT_OP_NANOSLEEP;
		st->arg = user_timespec_ns(a[0]);
		break;
	case NR_clock_nanosleep:
		st->op = IPCT_OP_NANOSLEEP;
		st->arg = user_timespec_ns(a[2]);
		break;
	case NR_prctl:
		st->op = IPCT_OP_PRCTL;
		st->arg = a[0];
		break;
	default:
		break;
	}

	if (st->op == IPCT_OP_POLL || st->op == IPCT_OP_SELECT || st->op == IPCT_OP_EPOLL_WAIT)
		if (st->arg == 0)
			st->flags |= IPCT_F_ZERO_TMO;
	if (fd1 >= 0) {
		st->fd = fd1;
		r1.kind_hint = kind_hint;
		r1.force = kind_hint != 0;
		fd_resolve(st, fd1, &r1);
		st->chan = r1.chan;
		if (st->op != IPCT_OP_POLL && st->op != IPCT_OP_EPOLL_CTL &&
		    !(st->op == IPCT_OP_FCNTL && st->arg == F_SETFL))
			st->flags |= r1.flags;
		if (st->op == IPCT_OP_EPOLL_CTL)
			st->fd = a[0];
		if (dest && r1.chan)
			unix_dest_announce(r1.chan, dest, dest_len);
	}
	/* F_SETFL: the flags being set (O_NONBLOCK, O_ASYNC for SIGIO), not the old ones */
	if (st->op == IPCT_OP_FCNTL && st->arg == F_SETFL) {
		if (a[2] & O_NONBLOCK)
			st->flags |= IPCT_F_NONBLOCK;
		if (a[2] & O_ASYNC)
			st->flags |= IPCT_F_ASYNC;
	}
	if (fd2 >= 0) {
		fd_resolve(st, fd2, &r2);
		st->chan2 = r2.chan;
	}
	if (obj) {
		st->chan = obj;
		obj_announce(obj, obj_kind, obj_kind == IPCT_KIND_FUTEX ? vi.ino : (__u32)(obj ^ chan_key),
			     obj_kind == IPCT_KIND_FUTEX && vi.ino ? (__u32)vi.off : 0);
	}
	return 0;
}

#endif /* IPCT_CLASSIFY_BPF_H */
