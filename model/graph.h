/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The communication graph of a model: who talks to whom over what.
 * Nodes are processes (siblings of one role grouped, "16 x postgres"), the
 * threads inside a process where they wake each other, shared-memory
 * objects, and the remote peers of sockets; edges are channels (merged
 * between the same two nodes and kind, with a count), attachments to
 * shared memory, and wakeups that moved no data.
 *
 *   struct graph *g = graph__new(&opts);
 *   graph__sinks(g, &mo);              optional: thread-level detail from the pass
 *   ... model built with mo ...
 *   graph__build(g, m);                then read g's arrays
 *   graph__free(g);
 */
#ifndef IPCTRACE_MODEL_GRAPH_H
#define IPCTRACE_MODEL_GRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "model.h"

struct model_filter;

enum graph_node_type {
	GRAPH_PROCESS = 0,   /* a process, or siblings of one role */
	GRAPH_THREAD,        /* threads of one process (a pool: same name) */
	GRAPH_MEMORY,        /* a shared-memory object (shm, sysv-shm, mmap) */
	GRAPH_REMOTE,        /* a socket peer on another machine */
	GRAPH_UNTRACED,      /* the other ends, on this machine, of channels with one traced end */
};

enum graph_edge_type {
	GRAPH_DATA = 0,      /* a data channel: bytes moved */
	GRAPH_SYNC,          /* futex or semaphore: wakeups, no data */
	GRAPH_ATTACH,        /* a process mapped a shared-memory object */
	GRAPH_WAKE,          /* wakeups outside any channel */
};

struct graph_node {
	enum graph_node_type type;
	int host;                   /* index into graph.hosts */
	int parent;                 /* threads: their process node; else -1 */
	uint32_t pid, tid;          /* the busiest member (threads: its tid) */
	uint32_t count;             /* processes (threads) grouped into this node */
	uint32_t nthreads;          /* processes: threads of all members */
	bool outside;               /* not chosen by the filter: the peer of one that is */
	bool has_threads;           /* processes: their thread nodes are drawn inside */
	int chan;                   /* memory: its channel id */
	enum ipct_kind kind;        /* memory: its kind */
	char name[IPCT_NAME_LEN * 2]; /* comm, thread name, channel name or address */
	char role[128];             /* processes: the busiest member's role */
	uint64_t cpu_ns, blocked_ns;  /* summed over members (user + kernel; asleep) */
	uint64_t busiest_cpu_ns;
	uint32_t *members;          /* pids (threads: tids), the busiest first */
	size_t nmembers;
};

struct graph_edge {
	enum graph_edge_type type;
	int from, to;               /* node indexes; one-way data goes from -> to */
	enum ipct_kind kind;
	enum model_direction direction;  /* the strongest of the channels merged */
	uint64_t bytes, messages;        /* from -> to */
	uint64_t bytes_back, messages_back;
	uint64_t wakeups, wakeups_back;
	uint32_t nchans;            /* channels merged into this edge */
	int chan;                   /* the first of them */
};

struct graph_host {
	char name[256];
	bool local;                 /* the machine the trace was recorded on */
};

struct graph_opts {
	bool no_group;              /* one node per process and thread */
	const struct model_filter *filter;
	const char *host;           /* the recording machine's name; NULL = "this machine" */
};

struct graph {
	struct graph_opts opts;
	struct graph_node *nodes;   size_t nnodes;
	struct graph_edge *edges;   size_t nedges;
	struct graph_host *hosts;   size_t nhosts;
	size_t chans_one_end;       /* chosen channels with one end and nobody at the other (never data) */
	size_t chans_inside;        /* chosen channels whose ends are all in one node */
	struct graph_priv *priv;
};

struct graph *graph__new(const struct graph_opts *opts);
/* Point mo's wake and transfer callbacks at g (threads talking inside a process). */
void graph__sinks(struct graph *g, struct model_opts *mo);
/* Nodes and edges of the finished model m. 0 or -ENOMEM. */
int graph__build(struct graph *g, const struct model *m);
void graph__free(struct graph *g);

/* Sink callbacks, public for tests. */
void graph__on_wake(void *ctx, const struct model_wake *w);
void graph__on_transfer(void *ctx, const struct model_transfer *t);

#endif /* IPCTRACE_MODEL_GRAPH_H */
