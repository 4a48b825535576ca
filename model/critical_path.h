/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The critical path of one thread over a window: its own running and
 * runnable time, and for each stretch it spent blocked, what the thread
 * whose wakeup ended the wait was doing meanwhile, recursively (the walk of
 * Trace Compass's execution graph and Perfetto's critical path), naming at
 * each step the channel, the call and the waiting mode.
 *
 *   struct cp_collector *c = cp_collector__new(from, to);     (0, 0: keep all)
 *   struct model_opts mo = {0};  cp_collector__sinks(c, &mo);
 *   model_load__pass(l, NULL, &mo);                         a pass over the whole trace (load.h)
 *   struct critical_path *cp = cp_collector__path(c, l->model, tid, from, to);
 *   critical_path__free(cp);  cp_collector__free(c);
 *
 * The collector may ride another output's pass (model_load__pass's two sets
 * of sinks). Memory grows with the threads and the off-CPU stretches
 * (each a wait and its wakeup) inside the window, never with other events;
 * a streaming collector (below) holds only those its walk can still reach.
 */
#ifndef IPCTRACE_CRITICAL_PATH_H
#define IPCTRACE_CRITICAL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

enum cp_state {
	CP_RUNNING = 0,  /* on CPU */
	CP_RUNNABLE,     /* woken or preempted, waiting for a CPU */
	CP_BLOCKED,      /* asleep, and the walk cannot follow the wait (no wakeup recorded) */
	CP_INTERRUPT,    /* asleep until an interrupt (a device) woke it */
	CP_TIMER,        /* asleep until a timer expired */
	CP_UNTRACED,     /* asleep until a task that was not traced woke it */
	CP_UNKNOWN,      /* no state recorded (before the thread was seen, after it ended) */
	CP_STATE_COUNT
};

/* One step of the path (48 bytes: the longest walks have a million). */
struct cp_step {
	uint64_t start, end;       /* absolute ns; steps are contiguous */
	uint32_t pid, tid;
	int chan;                  /* the wait's or the hand-over's channel, 0 = none */
	int via;                   /* channel of the innermost wait this time is charged to, 0 = TID's own */
	uint32_t waker_pid, waker_tid; /* CP_UNTRACED: the task that woke it */
	uint16_t depth;            /* 0 = TID itself, 1 = who woke it, ... */
	uint8_t state;             /* enum cp_state */
	uint8_t op;                /* its call (enum ipct_op), IPCT_OP_OTHER = none */
	int8_t mode;               /* enum model_mode of that wait, MODE_NONE = none */
	bool handover;             /* the waker's stretch that ends with the wakeup */
};

struct cp_thread_total {
	uint32_t pid, tid;
	uint64_t ns;
};

struct cp_chan_total {
	int chan;
	uint64_t ns;
};

/* A summary group: the time of steps of one kind (channel, thread, state, call). */
struct cp_group {
	int chan;                  /* via, else the step's channel */
	uint32_t tid;              /* the waker for CP_UNTRACED */
	uint8_t state;             /* enum cp_state */
	uint8_t op;                /* 0 for running and runnable time */
	uint64_t ns;
};

#define CP_SUMMARY_GROUPS 512      /* distinct groups weighed for the summary, first met */

struct critical_path {
	uint32_t pid, tid;
	uint64_t from, to;                 /* the window walked (absolute ns) */
	uint64_t own_ns;                   /* TID's own running and runnable time */
	size_t nsteps;                     /* steps on the path */
	struct cp_step *steps;             size_t nkept;   /* the first nkept of them */
	struct cp_group *groups;           size_t ngroups; /* first met first; TID's own time not */
	size_t best;                       /* the group with the most time (first to reach it), SIZE_MAX: none */
	struct cp_thread_total *by_thread; size_t nby_thread;   /* most first */
	struct cp_chan_total *by_channel;  size_t nby_channel;  /* most first */
};

struct cp_collector;

/* from/to absolute ns bound what is kept (0, 0 = everything). NULL on ENOMEM. */
struct cp_collector *cp_collector__new(uint64_t from, uint64_t to);
/* Point mo's span and wake callbacks and ctx at c. */
void cp_collector__sinks(struct cp_collector *c, struct model_opts *mo);
/*
 * The path of tid over [from, to] (absolute ns) cut to its life; from = to = 0:
 * its whole life. m is the model of the pass c was fed (or of the same trace).
 * NULL with errno ESRCH (no such thread), ENOMEM.
 */
struct critical_path *cp_collector__path(const struct cp_collector *c, const struct model *m,
					 uint32_t tid, uint64_t from, uint64_t to);
/* The same, keeping only the first keep steps (the totals and groups count them all). */
struct critical_path *cp_collector__path_kept(const struct cp_collector *c, const struct model *m,
					      uint32_t tid, uint64_t from, uint64_t to, size_t keep);
void cp_collector__free(struct cp_collector *c);
/*
 * Streaming: a collector that walks tid's path while the trace is read and keeps of every
 * thread only the off-CPU stretches the walk can still reach, so that its memory follows
 * the target's longest wait, not the trace's length. from_ns, to_ns: the window from the
 * trace's start (0: its start, its end); keep: the steps stored (the totals count them all).
 *
 *   struct cp_collector *c = cp_collector__stream(tid, 0, 0, 100);
 *   cp_collector__sinks(c, &mo);   l = model_load__open(r, NULL, &mo);
 *   cp = cp_collector__stream_path(c, l->model);
 *   if (!cp && errno == EAGAIN) ... a second read: cp_collector__new, model_load__pass,
 *                                   cp_collector__path_kept (the same path)
 */
struct cp_collector *cp_collector__stream(uint32_t tid, uint64_t from_ns, uint64_t to_ns,
					  size_t keep);
/*
 * The events of two CPUs reach a trace out of clock order by microseconds: the stream walks
 * only what ended this long before the latest span it read, so that a stretch reported a
 * little late still finds the walk behind it (later than that: EAGAIN, a second read).
 */
#define CP_ORDER_SLACK_NS 1000000ull
/*
 * The streamed path, finished with m, the model of the read that fed c. NULL with errno
 * EAGAIN when something the walk had read changed later in the trace (a stretch reported
 * late; a thread's life, parent or being traced learnt after the walk took it); ESRCH,
 * ENOMEM as cp_collector__path. Once only.
 */
struct critical_path *cp_collector__stream_path(struct cp_collector *c, const struct model *m);
/* The most off-CPU stretches c held at once (streaming drops what the walk has passed). */
size_t cp_collector__peak(const struct cp_collector *c);
/*
 * A collector for tid's path over [from, to] (absolute ns, 0 = its life's
 * end) of the trace names models, keeping only what that window can reach.
 * NULL with errno ESRCH (no such thread) or ENOMEM.
 */
struct cp_collector *cp_collector__for(const struct model *names, uint32_t tid, uint64_t from,
				       uint64_t to);

void critical_path__free(struct critical_path *cp);

/* "running", "runnable", "blocked", "interrupt", "timer", "untraced", "unknown". */
const char *cp_state_name(enum cp_state s);
/* The waiting mode a wait in op shows, MODE_NONE where it is no wait on a channel. */
enum model_mode cp_wait_mode(unsigned op, int chan);

#endif /* IPCTRACE_CRITICAL_PATH_H */
