// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Identifier words for the model's enums (DESIGN.md vocabulary): JSON values and
 * option words, the same in every language (output/lang*.c has what people read). */
#include "model.h"

static const char *const kind_names[IPCT_KIND_MAX] = {
	[IPCT_KIND_NONE] = "none",
	[IPCT_KIND_PIPE] = "pipe",
	[IPCT_KIND_FIFO] = "fifo",
	[IPCT_KIND_MQUEUE] = "mqueue",
	[IPCT_KIND_SYSV_MSG] = "sysv-msg",
	[IPCT_KIND_SHM] = "shm",
	[IPCT_KIND_SYSV_SHM] = "sysv-shm",
	[IPCT_KIND_MMAP] = "mmap",
	[IPCT_KIND_SYSV_SEM] = "sysv-sem",
	[IPCT_KIND_FUTEX] = "futex",
	[IPCT_KIND_UNIX_STREAM] = "unix-stream",
	[IPCT_KIND_UNIX_DGRAM] = "unix-dgram",
	[IPCT_KIND_UNIX_SEQPACKET] = "unix-seqpacket",
	[IPCT_KIND_TCP] = "tcp",
	[IPCT_KIND_UDP] = "udp",
	[IPCT_KIND_FILE] = "file",
	[IPCT_KIND_SIGNAL] = "signal",
};

static const char *const op_names[IPCT_OP_MAX] = {
	[IPCT_OP_OTHER] = "other",
	[IPCT_OP_READ] = "read",
	[IPCT_OP_WRITE] = "write",
	[IPCT_OP_RECV] = "recv",
	[IPCT_OP_SEND] = "send",
	[IPCT_OP_SPLICE] = "splice",
	[IPCT_OP_POLL] = "poll",
	[IPCT_OP_SELECT] = "select",
	[IPCT_OP_EPOLL_WAIT] = "epoll_wait",
	[IPCT_OP_OPEN] = "open",
	[IPCT_OP_CLOSE] = "close",
	[IPCT_OP_PIPE] = "pipe",
	[IPCT_OP_MKNOD] = "mknod",
	[IPCT_OP_DUP] = "dup",
	[IPCT_OP_FCNTL] = "fcntl",
	[IPCT_OP_IOCTL] = "ioctl",
	[IPCT_OP_MQ_OPEN] = "mq_open",
	[IPCT_OP_MQ_SEND] = "mq_send",
	[IPCT_OP_MQ_RECV] = "mq_receive",
	[IPCT_OP_MQ_NOTIFY] = "mq_notify",
	[IPCT_OP_MQ_UNLINK] = "mq_unlink",
	[IPCT_OP_MSGGET] = "msgget",
	[IPCT_OP_MSGSND] = "msgsnd",
	[IPCT_OP_MSGRCV] = "msgrcv",
	[IPCT_OP_MSGCTL] = "msgctl",
	[IPCT_OP_SHMGET] = "shmget",
	[IPCT_OP_SHMAT] = "shmat",
	[IPCT_OP_SHMDT] = "shmdt",
	[IPCT_OP_SEMGET] = "semget",
	[IPCT_OP_SEMOP] = "semop",
	[IPCT_OP_MMAP] = "mmap",
	[IPCT_OP_MUNMAP] = "munmap",
	[IPCT_OP_MEMFD] = "memfd_create",
	[IPCT_OP_FUTEX_WAIT] = "futex_wait",
	[IPCT_OP_FUTEX_WAKE] = "futex_wake",
	[IPCT_OP_SOCKET] = "socket",
	[IPCT_OP_SOCKETPAIR] = "socketpair",
	[IPCT_OP_BIND] = "bind",
	[IPCT_OP_LISTEN] = "listen",
	[IPCT_OP_ACCEPT] = "accept",
	[IPCT_OP_CONNECT] = "connect",
	[IPCT_OP_SHUTDOWN] = "shutdown",
	[IPCT_OP_KILL] = "kill",
	[IPCT_OP_SIGWAIT] = "sigwait",
	[IPCT_OP_IO_URING_ENTER] = "io_uring_enter",
	[IPCT_OP_IO_SUBMIT] = "io_submit",
	[IPCT_OP_NANOSLEEP] = "nanosleep",
	[IPCT_OP_PRCTL] = "prctl",
	[IPCT_OP_EPOLL_CTL] = "epoll_ctl",
};

const char *kind_name(enum ipct_kind k)
{
	if ((unsigned)k >= IPCT_KIND_MAX || !kind_names[k])
		return "none";
	return kind_names[k];
}

static const char *const medium_names[MEDIUM_COUNT] = {
	[MEDIUM_NONE] = "-",
	[MEDIUM_FILE] = "file",
	[MEDIUM_MEMORY] = "memory",
	[MEDIUM_FILE_MEMORY] = "file+memory",
	[MEDIUM_SOCKET] = "socket",
	[MEDIUM_KERNEL] = "kernel",
};

static const char *const unit_names[UNIT_COUNT] = {
	[UNIT_NONE] = "-",
	[UNIT_STREAM] = "stream",
	[UNIT_MESSAGE] = "message",
	[UNIT_DATAGRAM] = "datagram",
	[UNIT_STRUCT] = "struct",
	[UNIT_PAGE] = "page",
	[UNIT_BYTES] = "bytes",
	[UNIT_WORD] = "word",
	[UNIT_SIGNAL] = "signal",
};

const char *medium_name(enum ipc_medium md)
{
	return (unsigned)md < MEDIUM_COUNT ? medium_names[md] : "-";
}

const char *unit_name(enum ipc_unit u)
{
	return (unsigned)u < UNIT_COUNT ? unit_names[u] : "-";
}

const char *scope_name(enum ipc_scope sc)
{
	if (sc == SCOPE_BETWEEN_MACHINES)
		return "between machines";
	return sc == SCOPE_REMOTE ? "remote" : "same system";
}

const char *direction_name(enum model_direction d)
{
	switch (d) {
	case DIR_SIMPLEX: return "simplex";
	case DIR_HALF_DUPLEX: return "half-duplex";
	case DIR_FULL_DUPLEX: return "full-duplex";
	case DIR_NONE:
	default: return "none";
	}
}

const char *mode_name(enum model_mode mo)
{
	switch (mo) {
	case MODE_SYNC_BLOCKING: return "sync-blocking";
	case MODE_SYNC_NONBLOCKING: return "sync-nonblocking";
	case MODE_ASYNC_BLOCKING: return "async-blocking";
	case MODE_ASYNC_NONBLOCKING: return "async-nonblocking";
	default: return NULL;
	}
}

const char *op_name(enum ipct_op op)
{
	if ((unsigned)op >= IPCT_OP_MAX || !op_names[op])
		return "other";
	return op_names[op];
}

const char *span_state_name(enum span_state s)
{
	switch (s) {
	case SPAN_USER: return "user";
	case SPAN_SYSCALL: return "syscall";
	case SPAN_BLOCKED: return "blocked";
	case SPAN_RUNNABLE: return "runnable";
	case SPAN_POLLING: return "polling";
	default: return "unknown";
	}
}
