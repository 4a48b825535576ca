/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who is stuck on whom when the recording stopped: every thread asleep in a
 * call that never returned (model_thread.stuck), on which channel, since
 * when, and which processes it waits for where the channel says (the other
 * end of a pipe, queue or socket; a futex or semaphore does not say who
 * holds it). Waits that close a loop of stuck processes are a deadlock.
 *
 *   struct stuck_report *s = stuck__find(m);   NULL only on ENOMEM
 *   ... s->threads, s->cycles ...
 *   stuck__free(s);
 */
#ifndef IPCTRACE_STUCK_H
#define IPCTRACE_STUCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct stuck_thread {
	uint32_t pid, tid;
	int chan;                  /* report channel id, 0 = none */
	uint8_t op;                /* enum ipct_op */
	uint64_t since;            /* absolute ns */
	uint32_t *waiting_for;     /* pids, ascending */
	size_t nwaiting_for;
	const char *unknown;       /* why waiting_for cannot be known, NULL when it is */
};

struct stuck_member {
	uint32_t pid, tid;
	int chan;                  /* the channel it waits on for the next member */
	uint8_t op;
};

/* A deadlock: each member waits for the next, the last for the first. */
struct stuck_cycle {
	struct stuck_member *members;
	size_t n;
};

struct stuck_report {
	struct stuck_thread *threads;  size_t nthreads;   /* by pid, tid */
	struct stuck_cycle *cycles;    size_t ncycles;
};

struct stuck_report *stuck__find(const struct model *m);
void stuck__free(struct stuck_report *s);

#endif
