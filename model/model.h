/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The model: what a trace means, built in one pass over its events.
 *
 *   struct model *m = model__new(&opts);          opts may be NULL
 *   while ((e = trace_reader__next(r))) model__add(m, e);
 *   model__finish(m);                             then read m's arrays
 *   model__free(m);
 *
 * Aggregates (threads, processes, channels with endpoints, wakeups) stay in
 * memory and grow with the number of threads and channels, never with the
 * number of events. Everything per event (spans, transfers, wakeups) is
 * handed to the optional sink callbacks as it is derived, so renderers can
 * bucket or stream it: a second pass with sinks draws what the first pass
 * named.
 */
#ifndef IPCTRACE_MODEL_H
#define IPCTRACE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <linux/types.h>
#include "../bpf/ipctrace.h"

struct model;

enum model_direction {
	DIR_NONE = 0,    /* "none": opened, no data */
	DIR_SIMPLEX,     /* "simplex" */
	DIR_HALF_DUPLEX, /* "half-duplex" */
	DIR_FULL_DUPLEX, /* "full-duplex" */
};

enum model_mode {
	MODE_NONE = -1,        /* null: never waited */
	MODE_SYNC_BLOCKING = 0,
	MODE_SYNC_NONBLOCKING,
	MODE_ASYNC_BLOCKING,
	MODE_ASYNC_NONBLOCKING,
	MODE_COUNT
};

/* Thread states drawn on a lane. */
enum span_state {
	SPAN_USER = 0,   /* on CPU in user space */
	SPAN_SYSCALL,    /* on CPU in the kernel, inside a syscall */
	SPAN_BLOCKED,    /* off CPU, sleeping (waiting for something) */
	SPAN_RUNNABLE,   /* off CPU, woken or preempted, waiting for a CPU */
	SPAN_POLLING,    /* a run of EAGAIN / zero-timeout calls: busy-waiting */
	SPAN_STATE_COUNT
};

/*
 * One stretch of a thread's life. SYSCALL spans cover a whole syscall
 * (enter to exit); BLOCKED and RUNNABLE spans lie on top of them; USER is
 * what is left and is not emitted as spans (renderers draw it as the lane's
 * base from the thread's first to last moment).
 */
struct model_span {
	uint32_t pid, tid;
	enum span_state state;
	uint64_t start, end;
	int chan;          /* report channel id, 0 = none */
	uint8_t chan_kind; /* chan's enum ipct_kind when emitted: a late merge of two ends may change it */
	uint8_t op;        /* enum ipct_op of the syscall */
	uint16_t nr;       /* syscall number */
	int64_t ret;       /* SYSCALL/POLLING: return value of the (last) call */
	uint32_t calls;    /* POLLING: calls merged into the span */
	bool unfinished;   /* still going when recording stopped (SYSCALL: no return value) */
};

/* Data that left one call and arrived in another on the same channel. */
struct model_transfer {
	int chan;                      /* report channel id */
	uint32_t src_pid, src_tid, dst_pid, dst_tid;
	uint64_t src_ts, dst_ts;       /* send call's exit, receive call's exit */
	uint64_t bytes;
};

/* One wakeup: waker (0 = interrupt/unknown) woke wakee at ts. */
struct model_wake {
	int chan;                      /* 0 = not during an IPC call */
	uint32_t waker_pid, waker_tid, wakee_pid, wakee_tid;
	uint64_t ts;
	uint8_t waker_op;
	bool waker_seen, wakee_seen;   /* a thread of the model when emitted; else untraced (so far) */
};

struct model_lost {
	uint64_t first_ts, last_ts, count;
	uint16_t cpu;
};

struct model_opts {
	void *ctx;
	void (*on_span)(void *ctx, const struct model_span *s);
	void (*on_transfer)(void *ctx, const struct model_transfer *t);
	void (*on_wake)(void *ctx, const struct model_wake *w);
	void (*on_lost)(void *ctx, const struct model_lost *l);
	/* Called once with the model these sinks ride, before its first event: a sink that
	 * needs what the model knows so far (model__thread_so_far) keeps it. */
	void (*on_model)(void *ctx, const struct model *m);
	bool all_files;    /* keep `file` channels nobody wrote (default: hidden) */
	/* Nothing but the sinks is read of this model (a second pass): skip what only the report
	 * reads (mode evidence, stuck, wake counts, directions, endpoint counts, names); the sinks
	 * get the same calls as a full model's, and model__finish leaves the public arrays empty. */
	bool sinks_only;
};

struct model_thread {
	uint32_t pid, tid;
	char comm[IPCT_COMM_LEN];
	uint64_t first_ts, last_ts;    /* seen alive in [first_ts, last_ts] */
	uint64_t user_ns, kernel_ns, blocked_ns, runnable_ns;
	uint64_t syscalls;
	bool exited;
	/* asleep at the end of the recording in a call that never returned (the report's `stuck`) */
	bool stuck;
	uint8_t stuck_op;              /* enum ipct_op of that call */
	int stuck_chan;                /* its report channel id, 0 = none */
	uint64_t stuck_since;          /* when the call began (or the sleep, if its entry was not seen) */
};

struct model_process {
	uint32_t pid, ppid;            /* ppid 0 = unknown */
	char comm[IPCT_COMM_LEN];
	char exe[IPCT_NAME_LEN];       /* last exec'd filename (a forked child: its parent's), "" if unknown */
	char cmdline[IPCT_ARGS_LEN + 1]; /* argv joined by spaces, as ps shows it: a server's role
					    after setproctitle ("postgres: checkpointer"); "" if unknown */
	bool titled;                   /* it rewrote argv[0] into a title (holds a space): cmdline is its role */
	size_t *threads;               /* indexes into model.threads */
	size_t nthreads;
	bool exited;
	int exit_code;
};

struct model_endpoint {
	uint32_t pid;
	char comm[IPCT_COMM_LEN];
	uint64_t sends, recvs, bytes_sent, bytes_received;
	uint64_t blocked, blocked_ns;  /* sleeps in calls on this channel */
	uint64_t eagain;
	/* evidence per mode: calls that showed it, and ns spent waiting in it */
	uint64_t mode_calls[MODE_COUNT];
	uint64_t mode_ns[MODE_COUNT];
	enum model_mode mode;          /* dominant: most ns, then most calls */
	uint64_t first_ts, last_ts;
};

struct model_channel {
	int id;                        /* report id, 1.. in order of first use */
	enum ipct_kind kind;
	char name[IPCT_NAME_LEN * 2];  /* path, "pipe:[ino]", "127.0.0.1:80 <-> ..." */
	enum model_direction direction;
	struct model_endpoint *endpoints;
	size_t nendpoints;
	uint64_t bytes, messages;      /* all endpoints' sends */
	uint64_t first_ts, last_ts;
	bool remote;                   /* socket whose peer is not on this machine */
	bool listening;                /* a server's socket: listen/accept only, never data */
	bool across_hosts;             /* a merged trace: its endpoints are on different machines */
};

struct model_wakeup {
	uint32_t waker_pid, wakee_pid;
	int chan;                      /* 0 = no channel (JSON null) */
	uint64_t count;
};

struct model {
	uint64_t start_ts, end_ts;     /* the recording's window; first and last event of a trace without one */
	uint64_t events, lost_events;
	struct model_thread *threads;   size_t nthreads;
	struct model_process *processes; size_t nprocesses;   /* sorted by pid */
	struct model_channel *channels; size_t nchannels;     /* sorted by id */
	struct model_wakeup *wakeups;   size_t nwakeups;      /* sorted by count desc */
	struct model_lost *lost;        size_t nlost;
	struct model_priv *priv;
	uint64_t out_of_window;        /* events ignored: stamped far outside the recording (damage) */
	uint64_t unknown_chans;        /* chan ids used in syscalls but never described (CHAN lost) */
	uint64_t unseen_switch_ins;    /* off-CPU stretches whose switch-in the kernel did not report
	                                * (IPCT_F_IN_UNKNOWN): each ends when the thread was next seen running */
};

struct trace_reader;

struct model *model__new(const struct model_opts *opts);
void model__add(struct model *m, const struct ipct_hdr *ev);
/* Closes open spans at the last event, computes directions and modes. */
void model__finish(struct model *m);
void model__free(struct model *m);
/* Read every event of r (from where it is) into a new model and finish it. */
struct model *model__from_reader(struct trace_reader *r, const struct model_opts *opts);
/* The same over the window [from, to] (absolute ns; 0, 0: all): events clipped to it (filter.h). */
struct model *model__from_reader_window(struct trace_reader *r, const struct model_opts *opts,
					uint64_t from, uint64_t to);
/*
 * Both in one read: every event of r into *whole, the events clipped to [from, to] into
 * *window, both finished. 0, or -EFBIG (model__refusal says why) or -ENOMEM and neither.
 */
int model__pair_from_reader(struct trace_reader *r, const struct model_opts *whole_opts,
			    const struct model_opts *window_opts, uint64_t from, uint64_t to,
			    struct model **whole, struct model **window);
/* Why the last model__from_reader failed with errno EFBIG: past the memory limit (memlimit.h). */
struct model_refusal {
	uint64_t events;               /* read when it was refused */
	uint64_t rss, limit;           /* bytes in use then, and the limit */
	size_t threads, channels;      /* seen by then */
};
const struct model_refusal *model__refusal(void);

/*
 * What a model still being read knows of thread tid, for a sink asking from its callbacks
 * (model_opts.on_model): its ids, its process's parent (0 = unknown) and its life as it
 * will be reported if nothing changes: first_ts as model.threads will give it, last_ts its
 * exit, or UINT64_MAX while it has not exited (it lives to the trace's end). False if the
 * model has not seen it yet.
 */
struct model_thread_so_far {
	uint32_t pid, tid, ppid;
	uint64_t first_ts, last_ts;
};
bool model__thread_so_far(const struct model *m, uint32_t tid, struct model_thread_so_far *out);

/* True when building m ran out of memory (what it holds is incomplete). */
bool model__failed(const struct model *m);
/* Rebuild the lookups of model__thread and model__process after m's arrays were replaced. */
int model__reindex(struct model *m);
/* A merged trace's machine of a pid or tid (0: the first, and every unmerged trace). */
static inline uint32_t model_host_of(uint32_t pid)
{
	return pid >> 22;
}

/* A call that waits for any of several channels: poll, select, epoll_wait. */
static inline bool is_poll_op(unsigned op)
{
	return op == IPCT_OP_POLL || op == IPCT_OP_SELECT || op == IPCT_OP_EPOLL_WAIT;
}

/* The machine's own number for a merged trace's pid or tid. */
static inline uint32_t model_host_pid(uint32_t pid)
{
	return pid & ((1u << 22) - 1);
}

const struct model_thread *model__thread(const struct model *m, uint32_t tid);
const struct model_process *model__process(const struct model *m, uint32_t pid);
const struct model_channel *model__channel(const struct model *m, int id);
/* What a process is, for a label: its title if it set one ("nginx: worker process"), else its comm. */
const char *model__process_role(const struct model_process *p);

/*
 * The seed's IPC table (section 4) for a channel: shared medium, unit of
 * communication and scope (ipc_table.c). One table for every output; the
 * words people read come from output/lang*.c, these enums index them.
 */
enum ipc_medium {
	MEDIUM_NONE = 0, MEDIUM_FILE, MEDIUM_MEMORY, MEDIUM_FILE_MEMORY, MEDIUM_SOCKET,
	MEDIUM_KERNEL, MEDIUM_COUNT
};
enum ipc_unit {
	UNIT_NONE = 0, UNIT_STREAM, UNIT_MESSAGE, UNIT_DATAGRAM, UNIT_STRUCT, UNIT_PAGE,
	UNIT_BYTES, UNIT_WORD, UNIT_SIGNAL, UNIT_COUNT
};
/* SCOPE_BETWEEN_MACHINES: a merged trace's channel with endpoints on two machines */
enum ipc_scope { SCOPE_SAME_SYSTEM = 0, SCOPE_REMOTE, SCOPE_BETWEEN_MACHINES, SCOPE_COUNT };

enum ipc_medium kind_medium(enum ipct_kind k);
enum ipc_unit kind_unit(enum ipct_kind k);
enum ipc_scope channel_scope(const struct model_channel *c);
/* Shared memory and its sync words: data moves by loads and stores no syscall shows. */
bool kind_data_in_memory(enum ipct_kind k);
/* Bytes the channel carried: what was sent, or received where an untraced writer sent it. */
uint64_t channel_bytes(const struct model_channel *c);
uint64_t channel_bytes_received(const struct model_channel *c);

/* Identifier words (JSON values, --kind): never translated. */
const char *kind_name(enum ipct_kind k);          /* "pipe", ..., "none" */
const char *medium_name(enum ipc_medium md);       /* "file", "memory", ..., "-" */
const char *unit_name(enum ipc_unit u);            /* "stream", "message", ..., "-" */
const char *scope_name(enum ipc_scope sc);         /* "same system", "remote", "between machines" */
const char *direction_name(enum model_direction d);
const char *mode_name(enum model_mode mo);         /* NULL for MODE_NONE */
const char *op_name(enum ipct_op op);              /* "read", "poll", ... */
const char *span_state_name(enum span_state s);

#endif /* IPCTRACE_MODEL_H */
