/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What a syscall's result adds: the fds it made, the IPC ids it returned. */
#ifndef IPCT_FINISH_BPF_H
#define IPCT_FINISH_BPF_H

#include "kernel_defs.bpf.h"
#include "syscall_nr.bpf.h"
#include "task_state.bpf.h"
#include "chan_resolve.bpf.h"
#include "chan_announce.bpf.h"
#include "user_args.bpf.h"
#include "udp_flow.bpf.h"

/* Work that needs the result: fds returned by open/pipe/accept, IPC ids from *get. */
__noinline int finish(struct tstate *st, __s64 ret)
{
	struct fdres r = {};
	int fds[2] = { -1, -1 };
	__u32 kind;

	if (!st)
		return 0;
	switch (st->op) {
	case IPCT_OP_SEND:
	case IPCT_OP_RECV:
		if ((st->nr == NR_sendmmsg || st->nr == NR_recvmmsg) && ret > 0) {
			st->arg = mmsg_bytes(st->uptr, ret);
			st->flags |= IPCT_F_MSGS;
		} else if (ret > 0 && st->uptr) {
			udp_flow(st);
		}
		break;
	case IPCT_OP_OPEN:
	case IPCT_OP_MQ_OPEN:
	case IPCT_OP_MEMFD:
	case IPCT_OP_SOCKET:
		if (ret < 0)
			break;
		st->fd = ret;
		r.upath = st->op == IPCT_OP_MEMFD ? 0 : st->uptr;
		r.kind_hint = st->op == IPCT_OP_MEMFD ? IPCT_KIND_SHM : 0;
		r.force = st->op != IPCT_OP_SOCKET;
		fd_resolve(st, ret, &r);
		st->chan = r.chan;
		break;
	case IPCT_OP_PIPE:
	case IPCT_OP_SOCKETPAIR:
		if (ret < 0 || bpf_probe_read_user(fds, sizeof(fds), (void *)st->uptr))
			break;
		st->fd = fds[0];
		st->arg = fds[1];
		r.force = st->op == IPCT_OP_SOCKETPAIR;
		fd_resolve(st, fds[0], &r);
		st->chan = r.chan;
		if (st->op == IPCT_OP_SOCKETPAIR) {
			fd_resolve(st, fds[1], &r);
			st->chan2 = r.chan;
		}
		break;
	case IPCT_OP_ACCEPT:
		if (ret < 0)
			break;
		r.force = 1;
		fd_resolve(st, ret, &r);
		st->chan2 = r.chan;
		break;
	case IPCT_OP_CONNECT:
	case IPCT_OP_BIND:
		if (ret == 0 || ret == -115 /* EINPROGRESS */) {
			r.force = 1;
			fd_resolve(st, st->fd, &r);
		}
		break;
	case IPCT_OP_MMAP: {
		struct vmainfo vi = {};

		/* shared anonymous memory: its shmem inode, found from the address returned */
		if (st->chan || (__u64)ret >= (__u64)-4095)
			break;
		vma_lookup(ret, &vi);
		if (!vi.inode)
			break;
		st->chan = vi.inode ^ chan_key;
		obj_announce(st->chan, IPCT_KIND_SHM, vi.ino, 0, 0);
		break;
	}
	case IPCT_OP_MSGGET:
	case IPCT_OP_SHMGET:
	case IPCT_OP_SEMGET:
		if (ret < 0)
			break;
		kind = st->op == IPCT_OP_MSGGET ? IPCT_KIND_SYSV_MSG :
		       st->op == IPCT_OP_SHMGET ? IPCT_KIND_SYSV_SHM : IPCT_KIND_SYSV_SEM;
		st->chan = ipc_chan(kind, ret);
		obj_announce(st->chan, kind, ret, 0, 0);
		break;
	default:
		break;
	}
	return 0;
}

#endif /* IPCT_FINISH_BPF_H */
