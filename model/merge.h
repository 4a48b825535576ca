/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Traces of several machines into one: their TCP/UDP sockets paired
 * (netpair.c), each machine's clock aligned on the first trace's through the
 * graph of which machines talked (clocksync.c, along the path of least
 * uncertainty), and every event rewritten onto that clock. A merged trace is
 * an ordinary trace: machine i's pids and tids become i << TRACE_HOST_SHIFT |
 * pid (the first keeps its own), its channel ids are made its own, the two
 * ends of a connection between machines are joined by a CHAN event naming
 * the peer, and the header lists the machines with their clocks.
 *
 *   struct merge_opts o = { .paths = paths, .n = n, .zlevel = 1 };
 *   err = merge__run(&o, fd, &meta, why, sizeof(why));
 */
#ifndef IPCTRACE_MERGE_H
#define IPCTRACE_MERGE_H

#include <stddef.h>
#include "trace.h"

struct merge_opts {
	const char *const *paths;
	size_t n;
	int zlevel;
};

/* Connections between two machines (a < b), for the summary. */
struct merge_link {
	uint32_t a, b;
	uint32_t connections, timed;   /* paired sockets; those whose messages bound the clocks */
	uint64_t messages;
	double min_width_ns, max_width_ns;
	int64_t min_width_at;          /* where the bounds are narrowest, on the merged clock */
};

struct merge_result {
	struct trace_meta meta;        /* the merged trace's header, with its hosts */
	struct merge_link *links;      /* malloc'd */
	size_t nlinks;
	uint64_t events;
};

/*
 * Writes the merged trace to fd. 0, or a negative errno with why set to one
 * line saying what failed and what to do (nothing useful was written then).
 */
int merge__run(const struct merge_opts *o, int fd, struct merge_result *res, char *why, size_t whylen);
void merge_result__release(struct merge_result *res);

#endif /* IPCTRACE_MERGE_H */
