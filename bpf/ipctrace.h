/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Events shared by the kernel programs (ipctrace.bpf.c and the headers it
 * includes), the recorder, the trace file format and the model. Fixed-layout
 * structs only: __u64/__u32, fixed arrays, no pointers. Every event starts
 * with struct ipct_hdr.
 *
 * Kernel events: SYSCALL, SLEEP, WAKEUP, FORK, EXEC, EXIT, COMM, CHAN, MAP,
 * CMDLINE. Recorder-made events (never from the kernel): TASK (a thread that
 * existed before tracing started), LOST (events the kernel dropped), WINDOW
 * (when recording began and ended), CMDLINE (read from /proc).
 */
#ifndef IPCTRACE_H
#define IPCTRACE_H

#define IPCT_COMM_LEN 16
#define IPCT_NAME_LEN 96

enum ipct_ev_type {
	IPCT_EV_SYSCALL = 1, /* one syscall, emitted at its exit */
	IPCT_EV_SLEEP = 2,   /* one off-CPU stretch, emitted at switch-in */
	IPCT_EV_WAKEUP = 3,  /* a traced task woke an untraced one */
	IPCT_EV_FORK = 4,    /* new process or thread */
	IPCT_EV_EXEC = 5,
	IPCT_EV_EXIT = 6,    /* a thread exited */
	IPCT_EV_COMM = 7,    /* a thread's name changed (prctl, another thread, exec) */
	IPCT_EV_CHAN = 8,    /* first sight of a channel object, or its name */
	IPCT_EV_TASK = 9,    /* recorder: thread alive when tracing began */
	IPCT_EV_LOST = 10,   /* recorder: events dropped by the kernel */
	IPCT_EV_WINDOW = 11, /* recorder: recording began (IPCT_F_START) or ended (IPCT_F_STOP) */
	IPCT_EV_MAP = 12,    /* a process has a shared mapping, found by a scan, not by a call */
	IPCT_EV_CMDLINE = 13, /* a process's command line and executable */
	IPCT_EV_MAX
};

/* Channel kinds: the report's "kind" words, in DESIGN.md order. */
enum ipct_kind {
	IPCT_KIND_NONE = 0,
	IPCT_KIND_PIPE,
	IPCT_KIND_FIFO,
	IPCT_KIND_MQUEUE,
	IPCT_KIND_SYSV_MSG,
	IPCT_KIND_SHM,
	IPCT_KIND_SYSV_SHM,
	IPCT_KIND_MMAP,
	IPCT_KIND_SYSV_SEM,
	IPCT_KIND_FUTEX,
	IPCT_KIND_UNIX_STREAM,
	IPCT_KIND_UNIX_DGRAM,
	IPCT_KIND_UNIX_SEQPACKET,
	IPCT_KIND_TCP,
	IPCT_KIND_UDP,
	IPCT_KIND_FILE,
	IPCT_KIND_SIGNAL,
	IPCT_KIND_MAX
};

/*
 * What a syscall does, decided in the kernel from its number so that the
 * model never needs an architecture's syscall table.
 */
enum ipct_op {
	IPCT_OP_OTHER = 0,
	IPCT_OP_READ,       /* read, readv, pread64, preadv, preadv2 */
	IPCT_OP_WRITE,      /* write, writev, pwrite64, pwritev, pwritev2 */
	IPCT_OP_RECV,       /* recvfrom, recvmsg, recvmmsg */
	IPCT_OP_SEND,       /* sendto, sendmsg, sendmmsg */
	IPCT_OP_SPLICE,     /* splice, tee, sendfile, copy_file_range: chan -> chan2 */
	IPCT_OP_POLL,       /* poll, ppoll */
	IPCT_OP_SELECT,     /* select, pselect6 */
	IPCT_OP_EPOLL_WAIT, /* epoll_wait, epoll_pwait, epoll_pwait2 */
	IPCT_OP_OPEN,       /* open, openat, openat2, creat: ret is the fd */
	IPCT_OP_CLOSE,
	IPCT_OP_PIPE,       /* pipe, pipe2: chan is the pipe */
	IPCT_OP_MKNOD,      /* mknod, mknodat (FIFOs) */
	IPCT_OP_DUP,        /* dup, dup2, dup3, fcntl(F_DUPFD) */
	IPCT_OP_FCNTL,
	IPCT_OP_IOCTL,
	IPCT_OP_MQ_OPEN,
	IPCT_OP_MQ_SEND,
	IPCT_OP_MQ_RECV,
	IPCT_OP_MQ_NOTIFY,
	IPCT_OP_MQ_UNLINK,
	IPCT_OP_MSGGET,
	IPCT_OP_MSGSND,
	IPCT_OP_MSGRCV,
	IPCT_OP_MSGCTL,
	IPCT_OP_SHMGET,
	IPCT_OP_SHMAT,
	IPCT_OP_SHMDT,
	IPCT_OP_SEMGET,
	IPCT_OP_SEMOP,
	IPCT_OP_MMAP,
	IPCT_OP_MUNMAP,
	IPCT_OP_MEMFD,
	IPCT_OP_FUTEX_WAIT,
	IPCT_OP_FUTEX_WAKE,
	IPCT_OP_SOCKET,
	IPCT_OP_SOCKETPAIR,
	IPCT_OP_BIND,
	IPCT_OP_LISTEN,
	IPCT_OP_ACCEPT,
	IPCT_OP_CONNECT,
	IPCT_OP_SHUTDOWN,
	IPCT_OP_KILL,       /* kill, tkill, tgkill, rt_sigqueueinfo: arg = target pid */
	IPCT_OP_SIGWAIT,    /* rt_sigtimedwait, pause, rt_sigsuspend */
	IPCT_OP_IO_URING_ENTER,
	IPCT_OP_IO_SUBMIT,  /* io_submit, io_getevents */
	IPCT_OP_NANOSLEEP,  /* nanosleep, clock_nanosleep */
	IPCT_OP_PRCTL,
	IPCT_OP_EPOLL_CTL,  /* epoll_ctl: fd = epfd, chan = the target fd's channel, arg = EPOLL_CTL_*;
	                       epoll_create: arg = 0, ret = the new epfd */
	IPCT_OP_MAX
};

/* ipct_hdr.flags */
#define IPCT_F_NONBLOCK  0x01 /* SYSCALL: fd had O_NONBLOCK or MSG_DONTWAIT */
#define IPCT_F_ZERO_TMO  0x02 /* SYSCALL: poll/select/epoll with timeout 0 */
#define IPCT_F_ASYNC     0x04 /* SYSCALL: fd had O_ASYNC (SIGIO); KILL: si_code SI_ASYNCIO (an AIO completion) */
#define IPCT_F_INSIGNAL  0x08 /* SYSCALL: made while a signal handler runs */
#define IPCT_F_GROUP_DEAD 0x10 /* EXIT: last thread of the process */
#define IPCT_F_THREAD    0x20 /* FORK/TASK: a thread, not a new process */
#define IPCT_F_UNFINISHED 0x20 /* SYSCALL, SLEEP: still going when recording stopped (h.ts = the stop) */
#define IPCT_F_SHARED_VM 0x40 /* FORK: a process that shares its parent's memory (vfork, posix_spawn) */
#define IPCT_F_OUT_UNKNOWN 0x40 /* SLEEP: switched out before tracing began */
#define IPCT_F_IN_UNKNOWN 0x80 /* SLEEP: no switch-in was reported (the kernel fired no sched_switch for
                                 it): h.ts is when the thread was next seen running, the latest it can
                                 have come back */
#define IPCT_F_MSGS      0x80 /* SYSCALL: sendmmsg/recvmmsg: ret counts messages, arg the bytes moved */
#define IPCT_F_DEST      0x01 /* CHAN: name is the unix address chan sent to (unconnected datagrams), not its own */
#define IPCT_F_PEER_NAME 0x02 /* CHAN: unix: name is the peer's address (this end is unnamed: a connected client) */
#define IPCT_F_FLOW      0x04 /* CHAN: a UDP flow: chan = (socket, remote address) of an unconnected socket,
                                 ino = the socket's inode, saddr/sport local, daddr/dport the remote */
#define IPCT_F_START     0x01 /* WINDOW: recording began at h.ts */
#define IPCT_F_STOP      0x02 /* WINDOW: recording ended at h.ts */

struct ipct_hdr {
	__u64 ts;   /* CLOCK_MONOTONIC ns */
	__u32 pid;  /* tgid */
	__u32 tid;
	__u8 type;  /* enum ipct_ev_type */
	__u8 flags; /* IPCT_F_* */
	__u16 cpu;
	__u32 _pad;
};

/*
 * ts is the exit time, enter_ts the entry time; enter_ts 0: the call began
 * before tracing did (a thread found blocked in it when attached with -p).
 * MMAP: arg = the mapping's prot (PROT_WRITE 0x2 = writable).
 */
struct ipct_syscall {
	struct ipct_hdr h;
	__u64 enter_ts;
	__s64 ret;
	__u64 chan;  /* channel id of fd (or of the object); 0 = none */
	__u64 chan2; /* second channel (splice/tee/sendfile out, pipe, ...) */
	__s64 arg;   /* op-specific: bytes asked, timeout ns (-1 none), target pid, ... */
	__s32 fd;
	__u16 nr;    /* syscall number, for display only */
	__u8 op;     /* enum ipct_op */
	__u8 _pad;
};

/*
 * Off-CPU stretch [out_ts, h.ts]. state = prev_state at switch-out (0 means
 * preempted: runnable all along). wake_ts = when it was woken (0 if
 * preempted); blocked = [out_ts, wake_ts], runnable = [wake_ts, h.ts].
 * chan/op: the syscall the thread was in when it went off-CPU.
 */
struct ipct_sleep {
	struct ipct_hdr h;
	__u64 out_ts;
	__u64 wake_ts;
	__u64 chan;
	__u64 waker_chan; /* channel of the waker's syscall at wake time */
	__u32 waker_pid;  /* 0 = woken from interrupt context or unknown */
	__u32 waker_tid;
	__u32 state;
	__u16 nr;         /* IPCT_NR_NONE: in no syscall (op is IPCT_OP_OTHER, chan 0) */
	__u8 op;
	__u8 waker_op;
};

#define IPCT_NR_NONE 0xffff

/* A traced task (h.pid/h.tid) woke an untraced one. */
struct ipct_wakeup {
	struct ipct_hdr h;
	__u64 chan;
	__u32 wakee_pid;
	__u32 wakee_tid;
	char wakee_comm[IPCT_COMM_LEN];
	__u8 op;
	__u8 _pad[7];
};

/* FORK: h = parent; TASK: h = the task itself, child_* = parent pid/tid. */
struct ipct_task {
	struct ipct_hdr h;
	__u32 child_pid;
	__u32 child_tid;
	char comm[IPCT_COMM_LEN];
};

/* EXEC, COMM, EXIT: h = the task. name = exec'd filename (EXEC only). */
struct ipct_proc {
	struct ipct_hdr h;
	__s32 exit_code;
	__u32 _pad;
	char comm[IPCT_COMM_LEN];
	char name[IPCT_NAME_LEN];
};

/*
 * First sight of a channel object, or a better name for it. chan ids are
 * kernel object addresses mixed with a per-recording key, so both ends of
 * a pipe or unix socket pair meet on one id and no kernel address leaks.
 */
struct ipct_chan {
	struct ipct_hdr h;
	__u64 chan;
	__u64 peer;      /* unix: the peer socket's chan id; 0 = none */
	__u64 ino;       /* futex in a shared mapping: the mapping's inode number */
	__u32 dev;       /* files: s_dev; futex in a shared mapping: its byte offset there */
	__u16 kind;      /* enum ipct_kind */
	__u16 family;    /* AF_* for sockets */
	union {
		struct {
			__u32 saddr[4];  /* tcp/udp: local address (v4 in saddr[0]) */
			__u32 daddr[4];  /* tcp/udp: remote address */
		};
		__u64 uaddr;     /* private futex (ino 0): its user address in process h.pid */
		struct {         /* unix stream/seqpacket connected: who is at the other end (SO_PEERCRED) */
			__u32 peer_pid;
			__u32 _peer_pad;
			__u64 peer_ino; /* the peer socket's inode, as ss shows it */
		};
	};
	__u16 sport;     /* host order */
	__u16 dport;     /* host order */
	__u32 _pad;
	char name[IPCT_NAME_LEN]; /* path, mq name, unix address, "" if none */
};

/* Recorder-made: count events dropped on cpu h.cpu in [first_ts, h.ts]. */
struct ipct_lost {
	struct ipct_hdr h;
	__u64 first_ts;
	__u64 count;
};

/* Value of the per-CPU `lost` map: events dropped because the ring was full. */
struct ipct_lost_cnt {
	__u64 count;
	__u64 first_ts;
	__u64 last_ts;
};

/* WINDOW (recorder-made): h.ts is when recording began or ended; h.pid, h.tid 0. */
struct ipct_window {
	struct ipct_hdr h;
};

/*
 * MAP: process h.pid has object chan mapped MAP_SHARED, seen by scanning its
 * mappings when tracing began, not by an mmap call.
 */
struct ipct_map {
	struct ipct_hdr h;
	__u64 chan;
	__u64 addr;  /* start of the mapping */
	__u64 len;
	__u32 prot;  /* PROT_READ 0x1 | PROT_WRITE 0x2 | PROT_EXEC 0x4 */
	__u32 _pad;
};

#define IPCT_ARGS_LEN 128

/*
 * CMDLINE: process h.pid's argv as /proc/PID/cmdline has it (NUL-separated,
 * len bytes, cut at IPCT_ARGS_LEN; after setproctitle, whatever the process
 * wrote there) and its executable ("" = unchanged). From the kernel at exec
 * and at a process's exit, from /proc when tracing began and ended.
 */
struct ipct_cmdline {
	struct ipct_hdr h;
	__u32 len;
	__u32 _pad;
	char exe[IPCT_NAME_LEN];
	char args[IPCT_ARGS_LEN];
};

/* Large enough for any event. */
#define IPCT_EVENT_MAX 256

#endif /* IPCTRACE_H */
