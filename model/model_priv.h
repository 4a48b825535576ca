/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The model's insides, shared by its files and by nothing else: internal
 * records (threads, kernel channels, report channels, processes, wakeup
 * pairs) in growable arrays indexed through small hash maps; model__finish
 * copies them into the public, sorted arrays of struct model.
 *
 *   model.c      model__new/add/finish/free, the syscall handler's steps
 *   hmap.c       the u64 -> u32 hash map and growable arrays
 *   channels.c   channel identity: kernel objects -> report channels, merging, naming
 *   sockets.c    socket pairing: 4-tuples, unix datagram addresses
 *   transfers.c  sends matched to receives, channel directions
 *   threads.c    threads and processes: off-CPU accounting, fork/exec/exit, argv
 *   mappings.c   shared memory each process holds: mapped, found at attach, inherited
 *   modes.c      mode evidence: polling runs, busy-waits, poll credit, epoll sets
 *   signals.c    signal channels: kill/tgkill as messages
 *   wakeups.c    who woke whom, on which channel
 */
#ifndef IPCTRACE_MODEL_PRIV_H
#define IPCTRACE_MODEL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "hmap.h"
#include "model.h"

#define POLL_GAP_NS 1000000ull   /* EAGAIN / zero-timeout calls closer than this: one polling run */
#define XFER_CAP 64               /* pending sends kept per report channel */
#define EARLY_CAP 16              /* receives that completed before their send's exit event */
#define PEND_SLEEPS 8             /* off-CPU stretches kept until the enclosing syscall exits */
#define POLL_CREDITS 8            /* channels one poll can be credited to */
#define TRIES_MAX 4               /* failed tries kept per thread until retried or slept on */
#define LOST_MAX 1024

#define NONE_IDX HMAP_NONE

struct pend_sleep {
	uint64_t out, in;
	uint64_t off_ns, blk_ns;
	uint32_t nblk;
	uint32_t waker_rc;  /* channel the waker was using, NONE_IDX if none */
};

/* A call that found nothing to do (EAGAIN, an empty zero-timeout poll), until retried or slept on. */
struct failed_try {
	uint32_t rc;       /* its channel; NONE_IDX: an empty zero-timeout poll */
	uint8_t cls;       /* what it tried: try_class() of its op */
};

struct thr {
	struct model_thread pub;
	uint64_t exit_ts;
	bool born;         /* created during the trace (FORK seen) */
	struct pend_sleep pend[PEND_SLEEPS];
	int npend;
	/* current polling run (EAGAIN / zero-timeout calls); drawn only once a try in it was retried */
	bool run, run_busy;
	uint64_t run_start, run_end;
	uint32_t run_calls;
	int64_t run_ret;
	uint8_t run_op;
	uint16_t run_nr;
	uint32_t run_rc;
	/* start of the current busy-wait (first failed try since data last moved or it slept) */
	uint64_t snb_start;
	uint32_t snb_rc;   /* channel it spins on, NONE_IDX: any (zero-timeout polls) */
	bool busy;         /* since snb_start, a failed try was retried without sleeping in between */
	struct failed_try tries[TRIES_MAX];
	int ntries;
	/* the last poll/select/epoll_wait, until the next one */
	bool poll_valid, poll_zero;
	bool poll_ready;    /* it reported something ready (a zero-timeout look that found work) */
	uint64_t poll_blocked_ns;
	uint32_t poll_credited[POLL_CREDITS];
	int npoll_credited;
	uint32_t poll_set;  /* the epoll set it waited on, 0: unknown (credit any channel read next) */
	/* its last transfer, until an AIO completion signal says it was done for another thread */
	uint32_t io_rc;
	uint64_t io_blk_ns;
	bool io_blocked;
	/* at the stop: the call still going and the sleep still going (IPCT_F_UNFINISHED) */
	bool end_call, end_asleep;
	uint64_t end_chan, end_since;
	uint64_t end_stop;          /* the stop the unfinished sleep was seen at: later events are after it */
	uint8_t end_op;
};

struct tuple {
	uint16_t family;
	uint32_t saddr[4], daddr[4];
	uint16_t sport, dport;
};

struct kchan {
	uint64_t id;
	uint32_t parent;   /* union-find */
	uint32_t rc;       /* report channel, meaningful at the root */
	bool referenced;   /* used by a SYSCALL */
	bool described;    /* had a CHAN event */
	bool have_tuple;
	bool peer_named;   /* a unix socket named by its peer's address: a connected client's end */
	bool flow;         /* a UDP flow (socket, remote address) of an unconnected socket */
	uint16_t kind;
	uint64_t ino;
	struct tuple tuple;
	uint32_t user_pid; /* the first process a traced call used it in, and its fd there */
	int32_t user_fd;
	uint32_t peer_pid; /* a connected unix socket: the process at the other end, its socket inode */
	uint64_t peer_ino;
	uint32_t joined;   /* a unix stream/seqpacket socket: the kchan of its other end, NONE_IDX if none */
};

/* A send not yet received, or a receive whose send we have not seen yet. */
struct xfer {
	uint64_t side;
	uint32_t pid, tid;
	uint64_t start, ts, bytes;  /* call entry and exit */
};

/*
 * A queue of xfers, oldest first: v[head .. head + len). Dropping the oldest
 * or draining the first moves head (the array is slid down now and then,
 * not on each), and a queue whose entries all come from one side is known
 * to match nothing a call of that side makes, without scanning it.
 */
struct xfer_q {
	struct xfer *v;
	size_t head, len, cap;
	uint64_t side;     /* while !mixed: the side every entry came from */
	bool mixed;        /* entries from two sides may be queued (false once it empties) */
};

struct flow {
	uint64_t from, to;
	uint64_t last_end; /* latest receive of data that went from -> to */
};

struct side {
	uint64_t id;
	bool sent, recvd;
};

struct rch {
	int id;            /* 0 until first data use */
	uint32_t merged_into;
	enum ipct_kind kind;
	char name[IPCT_NAME_LEN + 1];
	uint64_t ino;
	bool have_tuple, have_local, paired, written, used, waited;
	struct tuple tuple;   /* first connected 4-tuple, or the bound address (have_local) */
	struct model_endpoint *eps;
	size_t neps, caps;
	struct xfer_q q;      /* sends waiting for their receive */
	struct xfer_q rq;     /* receives that returned before their send's exit event */
	struct flow *flows;
	size_t nflows, cflows;
	struct side *sides;
	size_t nsides, csides;
	struct hmap side_idx, flow_idx;  /* past a few sides or flows: id / flow_key -> index */
	bool full;
	uint64_t first_ts, last_ts, bytes, messages;
	uint64_t bytes_recv;  /* data from untraced writers counts for the direction */
	bool map_writable;    /* someone mapped it with PROT_WRITE */
	bool mapped_twice;    /* a second process mapped it */
	uint32_t mapper;      /* the first process that mapped it */
	uint32_t futex_off;   /* futex in a shared mapping (ino): its offset there */
	uint64_t futex_uaddr; /* private futex: its address in process futex_pid */
	uint32_t futex_pid;
	bool have_client;     /* a unix connection whose client end is known: */
	uint32_t client_pid;  /* its process (0: none traced used it), */
	int32_t client_fd;    /* its fd there, */
	uint64_t client_ino;  /* its socket inode */
	bool listened;        /* listen or accept was called on it */
	uint32_t writer;      /* the first process that wrote it */
	bool writers_many;    /* another process wrote it too */
	bool read_across;     /* a process read it after another had written it */
};

/* Shared memory a process holds (mappings.c). */
struct held_map {
	uint32_t rc;
	bool inherited;    /* from a fork, not yet shown: an exec drops it unused */
	uint64_t since;
};

struct proc {
	struct model_process pub;
	bool main_seen;
	struct held_map *maps;
	size_t nmaps, cmaps;
};

struct wake_chan {
	uint32_t rc;
	uint64_t count;
};

struct wake_pair {
	uint32_t waker, wakee;
	struct wake_chan *chans;
	size_t n, cap;
};

struct model_priv {
	struct model_opts opts;
	bool started, finished, oom;
	/* Events stamped outside [ts_lo, ts_hi] are damage, not time (0, 0: no bounds known). */
	uint64_t ts_lo, ts_hi;
	struct thr *thrs;
	size_t nthrs, cthrs;
	struct hmap thr_by_tid;
	struct proc *procs;
	size_t nprocs, cprocs;
	struct hmap proc_by_pid;
	struct kchan *kchans;
	size_t nkchans, ckchans;
	struct hmap kchan_by_id;
	struct hmap kchan_by_tuple;
	struct rch *rchs;
	size_t nrchs, crchs;
	int next_id;
	struct wake_pair *pairs;
	size_t npairs, cpairs;
	struct hmap pair_by_pids;
	struct hmap sig_by_pids;  /* pid pair -> its signal channel */
	struct hmap sig_by_target; /* pid -> the kernel side's "signals to pid" channel */
	size_t clost;
	struct hmap final_tid, final_pid;
	/* epoll sets whose creation was seen: (pid, epfd) -> set, (set, chan) -> 1 member / 0 gone */
	struct hmap epoll_set, epoll_member;
	struct hmap dgram_by_name;  /* unix datagram address -> a socket bound or sending there */
	struct hmap udp_by_ports;   /* (family, local port, remote port) -> a UDP kchan with that 4-tuple */
	struct hmap udp_last_flow;  /* UDP socket inode -> the flow it last sent on */
	struct hmap ep_by_rch_pid;  /* (rch index << 32 | pid) -> index in that rch's eps */
	uint32_t next_set;
};

/*
 * One SYSCALL event while model.c's steps handle it: what each step found
 * (the thread, its sleeps inside the call, the channels) for the next.
 */
struct call {
	const struct ipct_syscall *e;
	struct thr *t;
	uint64_t chan;             /* e->chan, or the UDP flow a receive without an address belongs to */
	uint64_t start, end;
	uint64_t off, blk;         /* off CPU and blocked inside the call */
	uint32_t nblk;             /* sleeps inside the call */
	uint32_t rc, rc2;          /* report channels of chan and chan2 */
	uint32_t waker_rc;         /* channel of whoever woke it */
	bool poll, zero, async, eagain;
	int64_t bytes;             /* moved_bytes(e) */
	struct model_endpoint *ep; /* the caller's endpoint on rc, if the call makes one */
};

static inline uint64_t clamp_ts(const struct model *m, uint64_t t)
{
	return (!t || t < m->start_ts) ? m->start_ts : t;
}

static inline uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static inline void copy_name(char *dst, size_t dsz, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen);

	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static inline bool is_recv_op(unsigned op)
{
	return op == IPCT_OP_READ || op == IPCT_OP_RECV || op == IPCT_OP_MQ_RECV ||
	       op == IPCT_OP_MSGRCV || op == IPCT_OP_SPLICE;
}

static inline bool is_send_op(unsigned op)
{
	return op == IPCT_OP_WRITE || op == IPCT_OP_SEND || op == IPCT_OP_MQ_SEND ||
	       op == IPCT_OP_MSGSND;
}

/* Calls that move data or wait for the peer: they give a channel its id and modes. */
static inline bool is_io_op(unsigned op)
{
	return is_recv_op(op) || is_send_op(op) || op == IPCT_OP_ACCEPT ||
	       op == IPCT_OP_FUTEX_WAIT || op == IPCT_OP_SEMOP || op == IPCT_OP_SIGWAIT;
}

static inline bool is_socket_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_UNIX_STREAM || k == IPCT_KIND_UNIX_DGRAM ||
	       k == IPCT_KIND_UNIX_SEQPACKET || k == IPCT_KIND_TCP || k == IPCT_KIND_UDP;
}

/* Kinds where mapping or attaching is the whole interaction: every call makes an endpoint. */
static inline bool is_attach_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP ||
	       k == IPCT_KIND_SYSV_SEM || k == IPCT_KIND_FUTEX || k == IPCT_KIND_SIGNAL;
}

/* Inline: asked for every span and most calls. A merged report channel's survivor. */
static inline uint32_t rch_resolve(const struct model_priv *p, uint32_t rc)
{
	while (rc != NONE_IDX && p->rchs[rc].merged_into != NONE_IDX)
		rc = p->rchs[rc].merged_into;
	return rc;
}

/* The report id of rc's channel, 0 while it has none. */
static inline int rch_id(const struct model_priv *p, uint32_t rc)
{
	rc = rch_resolve(p, rc);
	return rc == NONE_IDX ? 0 : p->rchs[rc].id;
}

/* The kind rch_id's channel has now (NONE without one). */
static inline uint8_t rch_kind(const struct model_priv *p, uint32_t rc)
{
	rc = rch_resolve(p, rc);
	return rc == NONE_IDX || !p->rchs[rc].id ? IPCT_KIND_NONE : (uint8_t)p->rchs[rc].kind;
}


/* channels.c */
uint32_t kchan_root(struct model_priv *p, uint32_t k);
uint32_t kchan_new(struct model *m, uint64_t id);
uint32_t kchan_get(struct model *m, uint64_t id, bool create);
void kchan_union(struct model *m, uint32_t a, uint32_t b);
uint32_t rch_new(struct model *m);
uint32_t kchan_rc(struct model_priv *p, uint32_t k, bool referenced);
uint32_t chan_rc(struct model *m, uint64_t id, bool referenced);
void kchan_note_user(struct model_priv *p, uint32_t k, uint32_t pid, int32_t fd);
int rch_use(struct model *m, uint32_t rc);
struct model_endpoint *rch_ep(struct model *m, uint32_t rc, uint32_t pid);
void rch_span_ts(struct rch *r, uint64_t ts);
void ep_span_ts(struct model_endpoint *ep, uint64_t start, uint64_t end);
void on_chan(struct model *m, const struct ipct_chan *e);
int finish_channels(struct model *m);

/* sockets.c */
void socket_pair_by_tuple(struct model *m, uint32_t k, struct rch *r, const struct ipct_chan *e);
uint64_t udp_flow_of_call(struct model *m, const struct ipct_syscall *e);
uint64_t udp_flow_of_socket(struct model *m, uint64_t chan);
void socket_clients(struct model_priv *p);
/* host: a merged trace's machine; another machine's address of the same name is another */
void dgram_meet(struct model *m, uint32_t k, const char *name, size_t len, uint32_t host);
void socket_name(const struct rch *r, char *name, size_t sz);
bool socket_is_remote(const struct rch *r);

/* transfers.c */
struct side *rch_side(struct model *m, struct rch *r, uint64_t id);
void xfer_merge(struct model *m, struct rch *ra, const struct rch *rb);
struct flow *rch_flow(struct model *m, struct rch *r, uint64_t from, uint64_t to, bool create);
void xfer_push(struct model *m, struct xfer_q *q, size_t max, const struct xfer *x);
void record_send(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
		 uint64_t start, uint64_t ts, uint64_t bytes);
void record_recv(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
		 uint64_t start, uint64_t ts, uint64_t bytes);
void note_writer(struct rch *r, uint32_t pid);
void note_reader(struct rch *r, uint32_t pid);
int64_t moved_bytes(const struct ipct_syscall *e);
void call_transfers(struct model *m, struct call *c);
enum model_direction rch_direction(const struct rch *r);

/* threads.c */
struct proc *proc_get(struct model *m, uint32_t pid);
void thr_touch(struct thr *t, uint64_t ts);
struct thr *thr_get(struct model *m, uint32_t pid, uint32_t tid, uint64_t ts);
void call_sleeps(struct thr *t, struct call *c);
void on_sleep(struct model *m, const struct ipct_sleep *e);
void on_task(struct model *m, const struct ipct_task *e);
void on_proc(struct model *m, const struct ipct_proc *e);
void on_cmdline(struct model *m, const struct ipct_cmdline *e);
int finish_threads(struct model *m);
/* A call still going when recording stopped; any call that returned ends that state. */
void end_of_recording_call(struct thr *t, const struct ipct_syscall *e, uint64_t start);
/* The channel a stuck thread waits on, once every channel has its report id. */
void finish_stuck(struct model *m);
int finish_processes(struct model *m);

/* model.c */
void emit_span(struct model *m, const struct model_span *s);

/* modes.c */
void run_end(struct model *m, struct thr *t);
void call_busy_wait(struct model *m, struct thr *t, const struct call *c);
void call_poll_wait(struct model_priv *p, struct thr *t, const struct call *c);
void on_epoll_ctl(struct model *m, const struct ipct_syscall *e);
void call_mode_evidence(struct model *m, struct call *c);
void call_busy_wait_end(struct model *m, struct call *c);
void call_aio_completion(struct model *m, struct call *c);
enum model_mode dominant_mode(const struct model_endpoint *e);

/* signals.c */
uint32_t signal_rc(struct model *m, uint32_t a, uint32_t b);
void call_kill(struct model *m, struct call *c);

/* mappings.c */
void call_mapping(struct model *m, const struct call *c);
void on_map(struct model *m, const struct ipct_map *e);
void maps_inherit(struct model *m, uint32_t parent, uint32_t child, uint64_t ts);
void maps_settle(struct model *m, uint32_t pid);
void maps_clear(struct proc *pr);

/* wakeups.c */
void emit_wake(struct model *m, uint32_t rc, uint32_t waker_pid, uint32_t waker_tid,
	       uint32_t wakee_pid, uint32_t wakee_tid, uint64_t ts, uint8_t op);
void on_wakeup(struct model *m, const struct ipct_wakeup *e);
int finish_wakeups(struct model *m);

#endif /* IPCTRACE_MODEL_PRIV_H */
