/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* io_uring: the channel of a submitted request and its completions as SYSCALL events. */
#ifndef IPCT_IO_URING_BPF_H
#define IPCT_IO_URING_BPF_H

#include "kernel_defs.bpf.h"
#include "syscall_nr.bpf.h"
#include "task_state.bpf.h"
#include "emit.bpf.h"
#include "chan_resolve.bpf.h"

/* The first request an io_uring_enter submits names its channel (sqe->fd is in req->cqe.fd). */
static __always_inline int handle_io_uring_submit(struct io_kiocb *req)
{
	struct tstate *st = tstate_cur();
	struct fdres r = {};

	if (!st || !st->enter_ts || st->op != IPCT_OP_IO_URING_ENTER || st->chan)
		return 0;
	if (req->flags & REQ_F_FIXED_FILE)
		return 0;
	fd_resolve(st, req->cqe.fd, &r);
	st->chan = r.chan;
	return 0;
}

static __always_inline __u8 io_uring_op(__u8 opcode)
{
	switch (opcode) {
	case IORING_OP_READV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_READ:
	case IORING_OP_READ_MULTISHOT:
		return IPCT_OP_READ;
	case IORING_OP_WRITEV:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_WRITE:
		return IPCT_OP_WRITE;
	case IORING_OP_RECVMSG:
	case IORING_OP_RECV:
		return IPCT_OP_RECV;
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
		return IPCT_OP_SEND;
	default:
		return IPCT_OP_OTHER;
	}
}

/*
 * A data transfer done by io_uring for a traced task, as a zero-length
 * SYSCALL flagged ASYNC (nr = io_uring_enter): the transfer happened without
 * the caller waiting. Completions run in the submitter's context (task work)
 * or in its io-wq worker threads, so the current task is the traced one.
 */
static __always_inline int handle_io_uring_complete(void *reqp, struct io_uring_cqe *cqe)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now;
	struct ipct_syscall *e;
	struct io_kiocb *req;
	struct fdres r = {};
	struct tstate *st;
	__u64 f = 0;
	__u8 op;

	if (!reqp || !cqe)
		return 0;
	st = tstate_get(bpf_get_current_task_btf());
	if (!st)
		return 0;
	req = bpf_rdonly_cast(reqp, bpf_core_type_id_kernel(struct io_kiocb));
	op = io_uring_op(req->opcode);
	if (op == IPCT_OP_OTHER)
		return 0;
	bpf_probe_read_kernel(&f, sizeof(f), &req->file);
	file_resolve(st, f, &r);
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	now = bpf_ktime_get_ns();
	hdr_fill(&e->h, IPCT_EV_SYSCALL, pid_tgid >> 32, (__u32)pid_tgid, now);
	e->h.flags = IPCT_F_ASYNC;
	e->enter_ts = now;
	e->ret = cqe->res;
	e->chan = r.chan;
	e->chan2 = 0;
	e->arg = 0;
	e->fd = -1; /* req->cqe.fd is the cqe flags by now */
	e->nr = NR_io_uring_enter;
	e->op = op;
	e->_pad = 0;
	rb_submit(e);
	return 0;
}

#endif /* IPCT_IO_URING_BPF_H */
