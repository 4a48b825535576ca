// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ipctrace kernel side: BTF tracepoints (tp_btf, no tracefs needed) on
 * syscalls, the scheduler, fork/exec/exit, signal delivery, io_uring and
 * timer/irq handlers (to tell interrupt wakeups), filtered in the kernel by
 * the `traced` tgid map, events batched in the `rb` ring buffer.
 *
 * Channel ids: kernel object address (pipe/FIFO/file/mqueue/shm inode,
 * struct sock), (kind, id) for SysV objects and signals (id = target pid),
 * (inode, offset) or (mm, address) for futexes; all XOR-ed with chan_key.
 * A CHAN event announces an id the first time it is seen; a later CHAN event
 * for the same id supersedes the earlier one (better name, peer now
 * connected, mmap kind), and one with another ino is a new object that got a
 * freed one's address. CHAN.dev is the kernel's dev_t (major << 20 | minor).
 * A futex in shared memory: CHAN.ino = the inode number of the file or
 * shared mapping it lives in (that channel's CHAN.ino); 0 for private ones.
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
 * SLEEP.nr is 0xffff when the thread was not inside a syscall. SLEEP.state is
 * the raw prev_state (0x1 interruptible, 0x2 uninterruptible, plus flag bits).
 * Untraced tasks cost a task-storage probe and a compare per hit (their
 * cached "untraced" holds until traced_gen moves); traced ones find their
 * state in task storage.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ipctrace.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#if defined(__TARGET_ARCH_x86)
enum x86_64_nr {
	NR_read = 0,
	NR_write = 1,
	NR_open = 2,
	NR_close = 3,
	NR_poll = 7,
	NR_mmap = 9,
	NR_munmap = 11,
	NR_rt_sigreturn = 15,
	NR_ioctl = 16,
	NR_pread64 = 17,
	NR_pwrite64 = 18,
	NR_readv = 19,
	NR_writev = 20,
	NR_pipe = 22,
	NR_select = 23,
	NR_shmget = 29,
	NR_shmat = 30,
	NR_shmctl = 31,
	NR_dup = 32,
	NR_dup2 = 33,
	NR_pause = 34,
	NR_nanosleep = 35,
	NR_sendfile = 40,
	NR_socket = 41,
	NR_connect = 42,
	NR_accept = 43,
	NR_sendto = 44,
	NR_recvfrom = 45,
	NR_sendmsg = 46,
	NR_recvmsg = 47,
	NR_shutdown = 48,
	NR_bind = 49,
	NR_listen = 50,
	NR_socketpair = 53,
	NR_kill = 62,
	NR_semget = 64,
	NR_semop = 65,
	NR_semctl = 66,
	NR_shmdt = 67,
	NR_clone = 56,
	NR_fork = 57,
	NR_vfork = 58,
	NR_msgget = 68,
	NR_msgsnd = 69,
	NR_msgrcv = 70,
	NR_msgctl = 71,
	NR_fcntl = 72,
	NR_creat = 85,
	NR_rt_sigtimedwait = 128,
	NR_rt_sigqueueinfo = 129,
	NR_rt_sigsuspend = 130,
	NR_mknod = 133,
	NR_prctl = 157,
	NR_tkill = 200,
	NR_futex = 202,
	NR_io_getevents = 208,
	NR_io_submit = 209,
	NR_semtimedop = 220,
	NR_epoll_create = 213,
	NR_clock_nanosleep = 230,
	NR_epoll_wait = 232,
	NR_epoll_ctl = 233,
	NR_tgkill = 234,
	NR_mq_open = 240,
	NR_mq_unlink = 241,
	NR_mq_timedsend = 242,
	NR_mq_timedreceive = 243,
	NR_mq_notify = 244,
	NR_openat = 257,
	NR_mknodat = 259,
	NR_pselect6 = 270,
	NR_ppoll = 271,
	NR_splice = 275,
	NR_tee = 276,
	NR_epoll_pwait = 281,
	NR_accept4 = 288,
	NR_dup3 = 292,
	NR_epoll_create1 = 291,
	NR_pipe2 = 293,
	NR_preadv = 295,
	NR_pwritev = 296,
	NR_rt_tgsigqueueinfo = 297,
	NR_recvmmsg = 299,
	NR_sendmmsg = 307,
	NR_memfd_create = 319,
	NR_copy_file_range = 326,
	NR_preadv2 = 327,
	NR_pwritev2 = 328,
	NR_io_pgetevents = 333,
	NR_io_uring_enter = 426,
	NR_bpf = 321,
	NR_clone3 = 435,
	NR_openat2 = 437,
	NR_epoll_pwait2 = 441,
	NR_futex_waitv = 449,
	NR_futex_wake = 454,
	NR_futex_wait = 455,
};
#else
#error "ipctrace.bpf.c: syscall numbers are only written for x86-64"
#endif

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFIFO 0010000

#define O_NONBLOCK 04000
#define O_ASYNC 020000
#define MSG_DONTWAIT 0x40
#define IPC_NOWAIT 04000
#define SPLICE_F_NONBLOCK 0x02
#define MAP_SHARED 0x01
#define MAP_ANONYMOUS 0x20
#define VM_SHARED 0x08
#define F_DUPFD 0
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define PR_SET_NAME 15
#define SI_ASYNCIO (-4)
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_PRIVATE 128
#define TASK_DEAD 0x80
#define EEXIST 17
#define PF_KTHREAD 0x00200000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_UDPLITE 136
#define IPPROTO_MPTCP 262

#define PIPEFS_MAGIC 0x50495045
#define MQUEUE_MAGIC 0x19800202
#define TMPFS_MAGIC 0x01021994

#define NR_NONE 0xffff
#define MMSG_MAX 64
#define EARLY_WAKE_NS 50000
#define NS_PER_SEC 1000000000LL
#define GOLDEN 0x9e3779b97f4a7c15ULL /* multiplicative hash constant */

const volatile __u64 chan_key = 0;
const volatile __u32 self_pid = 0;
const volatile __u64 wake_bytes = 256 * 1024;
const volatile bool trace_all_syscalls = true;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipct_lost_cnt);
} lost SEC(".maps");

/*
 * Bumped whenever `traced` may have gained a tgid, so a task's cached
 * "untraced" answer is stale: by the recorder's bpf() syscalls (seen at their
 * exit, after the update) or by user space writing it. Starts at 1: a fresh
 * task storage (gen 0) is never taken as checked.
 */
volatile __u32 traced_gen = 1;

/* Per-CPU submits since the ring's fill level was last queried. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} submits SEC(".maps");

/*
 * Per-CPU depth of timer and irq handlers: their wakeups have no waker
 * (preempt_count is out of reach: __preempt_count is not in kallsyms here).
 * Reset at every context switch, which never happens inside a handler, so an
 * exit missed while attaching cannot leave it stuck.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} irq_depth SEC(".maps");

/* Per-thread state: the pending syscall and the current off-CPU stretch. */
struct tstate {
	__u64 enter_ts; /* 0: not inside a syscall */
	__u64 chan;
	__u64 chan2;
	__s64 arg;
	__u64 uptr; /* user pointer read at exit: path, int[2] */
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

/* Channels already announced -> signature (inode number, unix peer, inet ports) at that time. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} chans SEC(".maps");

struct sysargs {
	__u64 a[6];
};

/*
 * Resolving an fd. In: upath (user path for the name, 0: from the kernel),
 * kind_hint (IPCT_KIND_MMAP / _SHM), force (announce even if seen). Out:
 * channel id (0 = not a channel) and fd flags.
 */
struct fdres {
	__u64 upath;
	__u64 chan;
	__u32 kind_hint;
	__u8 force;
	__u8 flags;
	__u8 _pad[2];
};

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

static __always_inline void lost_inc(void)
{
	struct ipct_lost_cnt *c;
	__u32 zero = 0;
	__u64 now;

	c = bpf_map_lookup_elem(&lost, &zero);
	if (!c)
		return;
	now = bpf_ktime_get_ns();
	if (!c->first_ts)
		c->first_ts = now;
	c->last_ts = now;
	c->count++;
}

static __always_inline void *rb_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&rb, size, 0);

	if (!e)
		lost_inc();
	return e;
}

/*
 * A wakeup per event costs more than the tracing: wake the reader only when
 * data piles up, checked every QUERY_EVERY submits per CPU (the query costs
 * as much as the submit); the reader's own timer covers the rest.
 */
#define QUERY_EVERY 32

static __always_inline void rb_submit(void *e)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&submits, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (n && ++*n >= QUERY_EVERY) {
		*n = 0;
		if (bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > wake_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void hdr_fill(struct ipct_hdr *h, __u8 type, __u32 pid, __u32 tid, __u64 ts)
{
	h->ts = ts;
	h->pid = pid;
	h->tid = tid;
	h->type = type;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->_pad = 0;
}

static __always_inline bool in_irq_handler(void)
{
	__u32 zero = 0, *d = bpf_map_lookup_elem(&irq_depth, &zero);

	return d && *d;
}

static __always_inline int irq_enter_leave(bool enter)
{
	__u32 zero = 0, *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (!d)
		return 0;
	if (enter)
		(*d)++;
	else if (*d)
		(*d)--;
	return 0;
}

static __always_inline __u64 ipc_chan(__u32 kind, __s64 id)
{
	return (((__u64)kind << 48) | (__u32)id) ^ chan_key;
}

/* Announce a non-fd object (futex, SysV IPC) the first time it is seen. */
__noinline int obj_announce(__u64 chan, __u32 kind, __u64 ino, __u32 off)
{
	struct ipct_chan *e;
	__u64 pid_tgid, sig = 0;

	if (!chan || bpf_map_lookup_elem(&chans, &chan))
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	bpf_map_update_elem(&chans, &chan, &sig, BPF_ANY);
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->chan = chan;
	e->ino = ino;
	e->dev = off;
	e->kind = kind;
	rb_submit(e);
	return 0;
}

/* "parent/name" of a dentry ("/name" under a root), each part cut at 47 bytes. */
static __always_inline void dentry_name(char *name, struct dentry *d)
{
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	const unsigned char *pn, *dn;
	long n = 0;

	dn = BPF_CORE_READ(d, d_name.name);
	if (parent && parent != d) {
		pn = BPF_CORE_READ(parent, d_name.name);
		n = bpf_probe_read_kernel_str(name, IPCT_NAME_LEN / 2, pn);
		if (n == 2 && name[0] == '/')
			n = 1;
		else if (n > 1 && n <= IPCT_NAME_LEN / 2)
			name[n - 1] = '/';
		else
			n = 0;
	}
	if (n >= 0 && n <= IPCT_NAME_LEN / 2)
		bpf_probe_read_kernel_str(name + n, IPCT_NAME_LEN / 2, dn);
}

/* Bound path of a unix socket; abstract names are rendered "@name". */
static __always_inline bool unix_name(char *name, struct sock *sk)
{
	struct unix_address *addr;
	long len;
	char c0 = 0;

	if (!sk)
		return false;
	addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!addr)
		return false;
	len = BPF_CORE_READ(addr, len) - (long)sizeof(__kernel_sa_family_t);
	if (len <= 0)
		return false;
	bpf_probe_read_kernel(&c0, 1, &addr->name[0].sun_path[0]);
	if (c0) {
		bpf_probe_read_kernel_str(name, IPCT_NAME_LEN, &addr->name[0].sun_path[0]);
		return true;
	}
	name[0] = '@';
	len -= 1;
	if (len > IPCT_NAME_LEN - 2)
		len = IPCT_NAME_LEN - 2;
	if (len > 0)
		bpf_probe_read_kernel(name + 1, len, &addr->name[0].sun_path[1]);
	return true;
}

static __always_inline __u32 sock_kind(__u16 family, __u16 type, __u16 proto)
{
	if (family == AF_UNIX) {
		if (type == SOCK_STREAM)
			return IPCT_KIND_UNIX_STREAM;
		if (type == SOCK_DGRAM)
			return IPCT_KIND_UNIX_DGRAM;
		if (type == SOCK_SEQPACKET)
			return IPCT_KIND_UNIX_SEQPACKET;
		return IPCT_KIND_NONE;
	}
	if (type == SOCK_STREAM && (proto == IPPROTO_TCP || proto == IPPROTO_MPTCP))
		return IPCT_KIND_TCP;
	if (type == SOCK_DGRAM && (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE))
		return IPCT_KIND_UDP;
	return IPCT_KIND_NONE;
}

/*
 * Emit a CHAN event for file f. upath: user-space path to use as the name
 * (0: name from the dentry or the socket). kind_hint: IPCT_KIND_MMAP turns a
 * plain file into an mmap channel; for a channel already announced (seen)
 * only that change of kind is worth an event.
 */
__noinline int file_announce(__u64 filep, __u64 chan, __u64 upath, __u32 kind_hint, int seen)
{
	struct file *f = (struct file *)filep;
	struct inode *inode;
	struct super_block *sb;
	struct ipct_chan *e;
	__u64 pid_tgid, magic;
	__u32 mode;

	if (!f || !chan)
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return -1;
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->chan = chan;

	inode = BPF_CORE_READ(f, f_inode);
	sb = BPF_CORE_READ(inode, i_sb);
	mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	magic = BPF_CORE_READ(sb, s_magic);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->dev = BPF_CORE_READ(sb, s_dev);

	if (mode == S_IFSOCK) {
		struct socket *sock = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);
		struct sock_common *c = &sk->__sk_common;
		__u16 family = BPF_CORE_READ(c, skc_family);

		e->family = family;
		e->kind = sock_kind(family, BPF_CORE_READ(sk, sk_type), BPF_CORE_READ(sk, sk_protocol));
		if (family == AF_UNIX) {
			struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

			e->peer = peer ? (__u64)peer ^ chan_key : 0;
			if (!unix_name(e->name, sk))
				unix_name(e->name, peer);
		} else if (family == AF_INET) {
			e->saddr[0] = BPF_CORE_READ(c, skc_rcv_saddr);
			e->daddr[0] = BPF_CORE_READ(c, skc_daddr);
		} else if (family == AF_INET6) {
			BPF_CORE_READ_INTO(&e->saddr, c, skc_v6_rcv_saddr.in6_u.u6_addr32);
			BPF_CORE_READ_INTO(&e->daddr, c, skc_v6_daddr.in6_u.u6_addr32);
		}
		if (family == AF_INET || family == AF_INET6) {
			e->sport = BPF_CORE_READ(c, skc_num);
			e->dport = __builtin_bswap16(BPF_CORE_READ(c, skc_dport));
		}
	} else if (mode == S_IFIFO) {
		e->kind = magic == PIPEFS_MAGIC ? IPCT_KIND_PIPE : IPCT_KIND_FIFO;
	} else if (mode == S_IFREG) {
		e->kind = magic == MQUEUE_MAGIC ? IPCT_KIND_MQUEUE : IPCT_KIND_FILE;
	}

	if (e->kind == IPCT_KIND_PIPE || mode == S_IFSOCK) {
		/* pipes are named "pipe:[ino]" by user space, sockets above */
	} else if (upath && e->kind == IPCT_KIND_MQUEUE) {
		e->name[0] = '/';
		bpf_probe_read_user_str(e->name + 1, IPCT_NAME_LEN - 1, (const void *)upath);
	} else if (upath) {
		bpf_probe_read_user_str(e->name, IPCT_NAME_LEN, (const void *)upath);
	} else {
		dentry_name(e->name, BPF_CORE_READ(f, f_path.dentry));
	}
	/* shm: a tmpfs file that is a memfd or lives on a mount at ".../shm" (/dev/shm); other tmpfs files are files */
	if (e->kind == IPCT_KIND_FILE && magic == TMPFS_MAGIC) {
		struct vfsmount *vmnt = BPF_CORE_READ(f, f_path.mnt);
		struct mount *mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);
		char mp[8] = {};

		/* a mount stacked on another one has that one's root "/" as mountpoint: look below */
		for (int i = 0; i < 3; i++) {
			bpf_probe_read_kernel_str(mp, sizeof(mp), BPF_CORE_READ(mnt, mnt_mountpoint, d_name.name));
			if (mp[0] != '/')
				break;
			mnt = BPF_CORE_READ(mnt, mnt_parent);
		}
		if ((mp[0] == 's' && mp[1] == 'h' && mp[2] == 'm' && !mp[3]) || kind_hint == IPCT_KIND_SHM ||
		    (e->name[0] == 'm' && e->name[1] == 'e' && e->name[2] == 'm' && e->name[3] == 'f' &&
		     e->name[4] == 'd' && e->name[5] == ':'))
			e->kind = IPCT_KIND_SHM;
	}
	if (e->kind == IPCT_KIND_FILE && kind_hint == IPCT_KIND_MMAP) {
		e->kind = IPCT_KIND_MMAP;
		/* no name: the one announced before (often a full path) stays */
		if (seen)
			e->name[0] = 0;
	} else if (seen && kind_hint == IPCT_KIND_MMAP) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	rb_submit(e);
	return 0;
}

/*
 * struct file -> channel. Announces the channel the first time it is seen
 * or when its signature (inode number, unix peer, inet ports) changed;
 * r->force: always.
 */
__noinline int file_resolve(struct tstate *st, __u64 filep, struct fdres *r)
{
	struct file *f = (struct file *)filep, *fc;
	__u64 chan = 0, sig = 0, *old;
	__u32 mode, fflags;

	if (!r)
		return 0;
	r->chan = 0;
	r->flags = 0;
	if (!f)
		return 0;
	/* direct (fault-safe) loads from here, cheaper than a probe_read each; ids need probe reads (no pointer math) */
	fc = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	fflags = fc->f_flags;
	if (fflags & O_NONBLOCK)
		r->flags |= IPCT_F_NONBLOCK;
	if (fflags & O_ASYNC)
		r->flags |= IPCT_F_ASYNC;
	mode = fc->f_inode->i_mode & S_IFMT;
	/* the inode number tells a new object at a recycled address from the old one */
	sig = fc->f_inode->i_ino * GOLDEN;
	if (mode == S_IFIFO || mode == S_IFREG) {
		/* a void cast loads the address as a plain number, fault-safe and inline */
		chan = *(__u64 *)((char *)bpf_rdonly_cast(f, 0) + bpf_core_field_offset(struct file, f_inode));
	} else if (mode == S_IFSOCK) {
		struct unix_sock *sk;
		__u16 family;

		chan = *(__u64 *)((char *)bpf_rdonly_cast(fc->private_data, 0) + bpf_core_field_offset(struct socket, sk));
		sk = bpf_rdonly_cast((void *)chan, bpf_core_type_id_kernel(struct unix_sock));
		family = sk->sk.__sk_common.skc_family;
		if (family == AF_UNIX) {
			sig ^= *(__u64 *)((char *)bpf_rdonly_cast((void *)chan, 0) +
					  bpf_core_field_offset(struct unix_sock, peer));
		} else if (family == AF_INET || family == AF_INET6) {
			sig ^= sk->sk.__sk_common.skc_portpair;
		} else {
			return 0;
		}
	}
	if (!chan)
		return 0;
	chan ^= chan_key;
	r->chan = chan;
	if (!r->force && st && ((st->seen_chan[0] == chan && st->seen_sig[0] == sig) ||
			     (st->seen_chan[1] == chan && st->seen_sig[1] == sig)))
		return 0;
	old = bpf_map_lookup_elem(&chans, &chan);
	/* an announcement lost to a full ring is retried at the next sight */
	if (r->force || !old || *old != sig) {
		if (file_announce((__u64)f, chan, r->upath, r->kind_hint, old && *old == sig))
			return 0;
		bpf_map_update_elem(&chans, &chan, &sig, BPF_ANY);
	}
	if (st) {
		st->seen_chan[st->seen_next & 1] = chan;
		st->seen_sig[st->seen_next & 1] = sig;
		st->seen_next++;
	}
	return 0;
}

/* fd of the calling task -> channel, as file_resolve. */
__noinline int fd_resolve(struct tstate *st, int fd, struct fdres *r)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt;
	struct file *f = NULL;

	if (!r)
		return 0;
	r->chan = 0;
	r->flags = 0;
	if (fd < 0)
		return 0;
	fdt = task->files->fdt;
	if (!fdt || (__u32)fd >= fdt->max_fds)
		return 0;
	f = (struct file *)((__u64 *)bpf_rdonly_cast(fdt->fd, 0))[fd];
	if (!f)
		return 0;
	return file_resolve(st, (__u64)f, r);
}

/* timespec in user memory -> ns; -1 when the pointer is NULL (no timeout). */
static __always_inline __s64 user_timespec_ns(__u64 uptr)
{
	struct __kernel_timespec ts;

	if (!uptr)
		return -1;
	if (bpf_probe_read_user(&ts, sizeof(ts), (void *)uptr))
		return -1;
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static __always_inline __s64 user_timeval_ns(__u64 uptr)
{
	struct __kernel_old_timeval tv;

	if (!uptr)
		return -1;
	if (bpf_probe_read_user(&tv, sizeof(tv), (void *)uptr))
		return -1;
	return tv.tv_sec * NS_PER_SEC + tv.tv_usec * 1000;
}

/* Bytes asked by an iovec array (its first 4 entries). */
static __always_inline __s64 iov_bytes(__u64 uiov, __u64 cnt)
{
	struct iovec iov[4] = {};
	__s64 sum = 0;

	if (!uiov || !cnt)
		return 0;
	if (cnt > 4)
		cnt = 4;
	if (bpf_probe_read_user(iov, cnt * sizeof(iov[0]), (void *)uiov))
		return 0;
	for (int i = 0; i < 4; i++)
		sum += iov[i].iov_len;
	return sum;
}

/* What bpf_find_vma tells about an address: the backing inode and offset in it. */
struct vmainfo {
	__u64 addr;
	__u64 inode; /* 0: not a shared mapping of a file (or of shared anonymous memory) */
	__u64 off;   /* byte offset of addr in the inode */
	__u64 ino;
};

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma, struct vmainfo *vi)
{
	struct file *f = vma->vm_file;

	if (!f || !(vma->vm_flags & VM_SHARED))
		return 0;
	bpf_probe_read_kernel(&vi->inode, sizeof(vi->inode), &f->f_inode);
	vi->ino = f->f_inode->i_ino;
	vi->off = (vma->vm_pgoff << 12) + (vi->addr - vma->vm_start);
	return 0;
}

/* The object behind a user address of the calling task (0 if none or mmap lock busy). */
__noinline int vma_lookup(__u64 addr, struct vmainfo *out)
{
	struct vmainfo vi = { .addr = addr };

	if (!out)
		return 0;
	bpf_find_vma(bpf_get_current_task_btf(), addr, vma_cb, &vi, 0);
	out->addr = addr;
	out->inode = vi.inode;
	out->off = vi.off;
	out->ino = vi.ino;
	return 0;
}

/*
 * Futex key as the kernel makes it: private futexes and private memory are
 * (mm, address); shared ones on a file or shared mapping are (inode, offset)
 * so that two processes waiting on one word meet on one channel.
 */
static __always_inline __u64 futex_chan(__u64 uaddr, bool private, struct vmainfo *vi)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 mm = 0;

	if (!private) {
		vma_lookup(uaddr, vi);
		if (vi->inode)
			return (vi->inode ^ ((vi->off + 1) * GOLDEN)) ^ chan_key;
	}
	bpf_probe_read_kernel(&mm, sizeof(mm), &task->mm);
	return (uaddr ^ (mm * GOLDEN)) ^ chan_key;
}

/*
 * An unconnected unix datagram sent to an address: say where chan sends (once
 * per socket and address), so the model meets the receiver bound there.
 */
__noinline int unix_dest_announce(__u64 chan, __u64 uaddr, __u32 len)
{
	struct ipct_chan *e;
	__u64 pid_tgid, h = 0, key, one = 1;
	__u16 family = 0;

	if (!chan || !uaddr || len <= sizeof(family) || len > sizeof(struct sockaddr_un))
		return 0;
	if (bpf_probe_read_user(&family, sizeof(family), (void *)uaddr) || family != AF_UNIX)
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	len -= sizeof(family);
	if (len > IPCT_NAME_LEN - 1)
		len = IPCT_NAME_LEN - 1;
	/* abstract names ("\0name") are rendered "@name", as unix_name() does */
	if (bpf_probe_read_user(e->name, 1, (void *)(uaddr + sizeof(family))) || e->name[0])
		bpf_probe_read_user_str(e->name, IPCT_NAME_LEN, (void *)(uaddr + sizeof(family)));
	else if (len > 1) {
		__u64 n = len - 1;

		barrier_var(n);
		if (n >= 1 && n <= IPCT_NAME_LEN - 2)
			bpf_probe_read_user(e->name + 1, n, (void *)(uaddr + sizeof(family) + 1));
	}
	if (!e->name[0])
		e->name[0] = '@';
	for (int i = 0; i < IPCT_NAME_LEN / 8; i++)
		h = (h ^ ((__u64 *)e->name)[i]) * GOLDEN;
	key = chan ^ h ^ 0xd1b54a32d192ed03ULL;
	if (bpf_map_lookup_elem(&chans, &key)) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	bpf_map_update_elem(&chans, &key, &one, BPF_ANY);
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->h.flags = IPCT_F_DEST;
	e->chan = chan;
	e->kind = IPCT_KIND_UNIX_DGRAM;
	e->family = AF_UNIX;
	rb_submit(e);
	return 0;
}

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

static __always_inline void sys_begin(struct tstate *st, struct pt_regs *regs, long id)
{
	struct sysargs args;

	st->enter_ts = bpf_ktime_get_ns();
	st->nr = id;
	st->op = IPCT_OP_OTHER;
	st->flags = st->sig_depth ? IPCT_F_INSIGNAL : 0;
	st->chan = 0;
	st->chan2 = 0;
	st->arg = 0;
	st->uptr = 0;
	st->fd = -1;
	args.a[0] = regs->di;
	args.a[1] = regs->si;
	args.a[2] = regs->dx;
	args.a[3] = regs->r10;
	args.a[4] = regs->r8;
	args.a[5] = regs->r9;
	classify(st, id, &args);
}

static __always_inline int handle_sys_enter(struct pt_regs *regs, long id)
{
	struct tstate *st;

	st = tstate_get(bpf_get_current_task_btf());
	if (!st)
		return 0;
	if (id == NR_rt_sigreturn && st->sig_depth)
		st->sig_depth--;
	wake_clear(st);
	st->synced = 1;
	sys_begin(st, regs, id);
	return 0;
}

static __always_inline void emit_comm(__u32 pid, __u32 tid, __u8 type, __s32 code, __u8 flags, const char *kname)
{
	struct ipct_proc *e = rb_reserve(sizeof(*e));

	if (!e)
		return;
	hdr_fill(&e->h, type, pid, tid, bpf_ktime_get_ns());
	e->h.flags = flags;
	e->exit_code = code;
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->name[0] = 0;
	if (kname)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), kname);
	rb_submit(e);
}

/* Bytes moved by the first n messages of an mmsghdr array (msg_len, set by the kernel). */
static __always_inline __s64 mmsg_bytes(__u64 umsgs, __s64 n)
{
	struct mmsghdr *m = (struct mmsghdr *)umsgs;
	__s64 sum = 0;
	__u32 len;

	for (int i = 0; i < MMSG_MAX; i++) {
		if (i >= n)
			break;
		if (bpf_probe_read_user(&len, sizeof(len), &m[i].msg_len))
			break;
		sum += len;
	}
	return sum;
}

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
		obj_announce(st->chan, IPCT_KIND_SHM, vi.ino, 0);
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
		obj_announce(st->chan, kind, ret, 0);
		break;
	default:
		break;
	}
	return 0;
}

static __always_inline int handle_sys_exit(struct pt_regs *regs, long ret)
{
	struct ipct_syscall *e;
	struct tstate *st;
	bool before = false;
	__u64 pid_tgid;
	__u32 tid;
	long nr;

	st = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), NULL, 0);
	if (!st)
		return 0;
	if (!st->traced) {
		/* the recorder may have just added to `traced`: other tasks' cached answers are stale */
		if (st->self && regs->orig_ax == NR_bpf)
			__sync_fetch_and_add(&traced_gen, 1);
		return 0;
	}
	if (st->dead)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tid = (__u32)pid_tgid;
	if (!st->enter_ts) {
		/* the first exit of a thread found inside a syscall: it began before tracing */
		if (st->synced)
			return 0;
		st->synced = 1;
		nr = regs->orig_ax;
		/* a new task's first exit is its return from fork, already a FORK event */
		if (nr < 0 || nr == NR_clone || nr == NR_clone3 || nr == NR_fork || nr == NR_vfork)
			return 0;
		sys_begin(st, regs, nr);
		before = true;
	}
	if (st->op != IPCT_OP_OTHER)
		finish(st, ret);
	if (st->op == IPCT_OP_PRCTL && st->arg == PR_SET_NAME && ret == 0)
		emit_comm(pid_tgid >> 32, tid, IPCT_EV_COMM, 0, 0, NULL);
	if (trace_all_syscalls || st->op != IPCT_OP_OTHER) {
		e = rb_reserve(sizeof(*e));
		if (e) {
			hdr_fill(&e->h, IPCT_EV_SYSCALL, pid_tgid >> 32, tid, bpf_ktime_get_ns());
			e->h.flags = st->flags;
			e->enter_ts = before ? 0 : st->enter_ts;
			e->ret = ret;
			e->chan = st->chan;
			e->chan2 = st->chan2;
			e->arg = st->arg;
			e->fd = st->fd;
			e->nr = st->nr;
			e->op = st->op;
			e->_pad = 0;
			rb_submit(e);
		}
	}
	st->enter_ts = 0;
	return 0;
}

static __always_inline int handle_sched_switch(bool preempt, struct task_struct *prev,
					       struct task_struct *next, unsigned int prev_state)
{
	__u32 zero = 0, *depth;
	struct ipct_sleep *e;
	struct tstate *st;
	__u64 now = 0;

	depth = bpf_map_lookup_elem(&irq_depth, &zero);
	if (depth)
		*depth = 0;
	/* a dead task's last switch is no sleep */
	if (!(prev_state & TASK_DEAD) && (st = tstate_get(prev))) {
		now = bpf_ktime_get_ns();
		st->out_ts = now;
		st->state = preempt ? 0 : prev_state;
		/* a wake may race ahead of this tracepoint; keep it only if that recent */
		if (!st->state || now - st->wake_ts > EARLY_WAKE_NS)
			wake_clear(st);
	}
	st = tstate_get(next);
	if (!st)
		return 0;
	if (!now)
		now = bpf_ktime_get_ns();
	e = rb_reserve(sizeof(*e));
	if (e) {
		hdr_fill(&e->h, IPCT_EV_SLEEP, next->tgid, next->pid, now);
		e->out_ts = st->out_ts;
		if (!st->out_ts)
			e->h.flags = IPCT_F_OUT_UNKNOWN;
		e->wake_ts = st->wake_ts;
		if (e->wake_ts && e->wake_ts < st->out_ts)
			e->wake_ts = st->out_ts;
		e->state = st->out_ts ? st->state : 0;
		e->waker_pid = st->waker_pid;
		e->waker_tid = st->waker_tid;
		e->waker_chan = st->waker_chan;
		e->waker_op = st->waker_op;
		if (st->enter_ts) {
			e->chan = st->chan;
			e->op = st->op;
			e->nr = st->nr;
		} else {
			e->chan = 0;
			e->op = IPCT_OP_OTHER;
			e->nr = NR_NONE;
		}
		rb_submit(e);
	}
	st->out_ts = 0;
	wake_clear(st);
	return 0;
}

/*
 * Whether p is off its runqueue (or only on it as a delayed dequeue): a wake
 * of a task that set its state but never gave up the CPU ends no sleep.
 */
static __always_inline bool blocked(struct task_struct *p)
{
	if (!p->on_rq)
		return true;
	if (bpf_core_field_exists(p->se.sched_delayed))
		return p->se.sched_delayed;
	return false;
}

static __always_inline int handle_sched_waking(struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 cur_tgid = pid_tgid >> 32, cur_tid = (__u32)pid_tgid;
	struct tstate *st, *wst;
	struct ipct_wakeup *e;

	st = tstate_get(p);
	if (st) {
		if (st->wake_ts || !blocked(p))
			return 0;
		st->wake_ts = bpf_ktime_get_ns();
		if (cur_tid == 0 || in_irq_handler())
			return 0;
		st->waker_pid = cur_tgid;
		st->waker_tid = cur_tid;
		wst = tstate_cur();
		if (wst && wst->enter_ts) {
			st->waker_chan = wst->chan;
			st->waker_op = wst->op;
		}
		return 0;
	}
	wst = tstate_cur();
	if (!wst || !wst->enter_ts || !wst->chan || in_irq_handler())
		return 0;
	/* kernel threads (rcu, ksoftirqd) and the recorder are no peers on a channel */
	if ((p->flags & PF_KTHREAD) || p->tgid == self_pid)
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	hdr_fill(&e->h, IPCT_EV_WAKEUP, cur_tgid, cur_tid, bpf_ktime_get_ns());
	e->chan = wst->chan;
	e->wakee_pid = p->tgid;
	e->wakee_tid = p->pid;
	BPF_CORE_READ_STR_INTO(&e->wakee_comm, p, comm);
	e->op = wst->op;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	rb_submit(e);
	return 0;
}

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
	if (ctgid == ptgid)
		e->h.flags = IPCT_F_THREAD;
	e->child_pid = ctgid;
	e->child_tid = child->pid;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	rb_submit(e);
	return 0;
}

static __always_inline int handle_exec(struct task_struct *p, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;

	if (!is_traced(tgid))
		return 0;
	emit_comm(tgid, p->pid, IPCT_EV_EXEC, 0, 0, BPF_CORE_READ(bprm, filename));
	return 0;
}

static __always_inline int handle_exit(struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, tid = p->pid;
	struct tstate *st;

	st = tstate_get(p);
	if (!st)
		return 0;
	emit_comm(tgid, tid, IPCT_EV_EXIT, p->exit_code, group_dead ? IPCT_F_GROUP_DEAD : 0, NULL);
	/* kept, marked dead, until the task is freed: no events after its EXIT */
	st->dead = 1;
	if (group_dead)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

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
