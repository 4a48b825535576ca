// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Stuck threads and wait-for cycles. A thread waits for the processes at the
 * other end of its channel: for a receive, those seen sending on it (or any
 * other user of it); for a send, those seen receiving. A process is stuck
 * when each of its live threads is; a cycle of stuck processes, each waiting
 * only for stuck ones, can never move again: a deadlock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stuck.h"

#define CYCLES_MAX 32
#define CYCLE_LEN_MAX 16

/* Why a wait names nobody, in one place (plain English for the word tables). */
static const struct {
	const char *timer, *futex, *sem, *poll, *accept, *signal, *nochan, *alone;
} WHY = {
	.timer = "a timer (it sleeps)",
	.futex = "a futex does not say who holds the lock or will wake it",
	.sem = "a semaphore does not say who will post it",
	.poll = "any of the channels it polls",
	.accept = "any client that connects",
	.signal = "a signal from any process",
	.nochan = "the call's channel was not recorded",
	.alone = "no other process was seen using the channel",
};

static bool is_recv(unsigned op)
{
	return op == IPCT_OP_READ || op == IPCT_OP_RECV || op == IPCT_OP_MQ_RECV ||
	       op == IPCT_OP_MSGRCV || op == IPCT_OP_SPLICE;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The pids at the other end of t's channel, or why they cannot be known. */
static int waiting_for(const struct model *m, const struct model_thread *t,
		       struct stuck_thread *s)
{
	const struct model_channel *c = t->stuck_chan ? model__channel(m, t->stuck_chan) : NULL;
	bool recv = is_recv(t->stuck_op);
	size_t n = 0, pass;

	switch (t->stuck_op) {
	case IPCT_OP_NANOSLEEP: s->unknown = WHY.timer; return 0;
	case IPCT_OP_FUTEX_WAIT: s->unknown = WHY.futex; return 0;
	case IPCT_OP_SEMOP: s->unknown = WHY.sem; return 0;
	case IPCT_OP_POLL:
	case IPCT_OP_SELECT:
	case IPCT_OP_EPOLL_WAIT: s->unknown = WHY.poll; return 0;
	case IPCT_OP_ACCEPT: s->unknown = WHY.accept; return 0;
	case IPCT_OP_SIGWAIT: s->unknown = WHY.signal; return 0;
	default: break;
	}
	if (!c) {
		s->unknown = WHY.nochan;
		return 0;
	}
	if (c->kind == IPCT_KIND_FUTEX || c->kind == IPCT_KIND_SYSV_SEM) {
		s->unknown = c->kind == IPCT_KIND_FUTEX ? WHY.futex : WHY.sem;
		return 0;
	}
	s->waiting_for = calloc(c->nendpoints ? c->nendpoints : 1, sizeof(*s->waiting_for));
	if (!s->waiting_for)
		return -ENOMEM;
	/* first those seen doing the other half (writers for a reader); else any other user */
	for (pass = 0; pass < 2 && !n; pass++) {
		for (size_t i = 0; i < c->nendpoints; i++) {
			const struct model_endpoint *e = &c->endpoints[i];

			if (e->pid == t->pid)
				continue;
			if (pass == 0 && !(recv ? e->sends : e->recvs))
				continue;
			s->waiting_for[n++] = e->pid;
		}
	}
	s->nwaiting_for = n;
	if (!n)
		s->unknown = WHY.alone;
	qsort(s->waiting_for, n, sizeof(*s->waiting_for), cmp_u32);
	return 0;
}

/* Every live thread of pid is stuck, and each waits only for known processes. */
static bool process_stuck(const struct model *m, const struct stuck_report *r, uint32_t pid)
{
	const struct model_process *p = model__process(m, pid);
	bool any = false;

	if (!p)
		return false;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct model_thread *t = &m->threads[p->threads[i]];

		/* one stuck at the stop and killed after it was still there to move */
		if (t->exited && !t->stuck)
			continue;
		if (!t->stuck)
			return false;
		any = true;
	}
	for (size_t i = 0; any && i < r->nthreads; i++)
		if (r->threads[i].pid == pid && !r->threads[i].nwaiting_for)
			return false;
	return any;
}

struct search {
	const struct model *m;
	struct stuck_report *r;
	bool *dead;                 /* by index into r->threads: its process is stuck */
	size_t path[CYCLE_LEN_MAX]; /* indexes into r->threads */
	size_t depth;
	int err;
};

static bool all_dead(const struct search *s, const struct stuck_thread *t)
{
	for (size_t i = 0; i < t->nwaiting_for; i++) {
		bool found = false;

		for (size_t j = 0; j < s->r->nthreads; j++)
			if (s->r->threads[j].pid == t->waiting_for[i] && s->dead[j])
				found = true;
		if (!found)
			return false;
	}
	return t->nwaiting_for > 0;
}

static void add_cycle(struct search *s)
{
	struct stuck_report *r = s->r;
	struct stuck_cycle *nc;
	struct stuck_member *mem;

	if (r->ncycles >= CYCLES_MAX)
		return;
	nc = realloc(r->cycles, (r->ncycles + 1) * sizeof(*nc));
	mem = calloc(s->depth, sizeof(*mem));
	if (!nc || !mem) {
		if (nc)
			r->cycles = nc;
		free(mem);
		s->err = -ENOMEM;
		return;
	}
	r->cycles = nc;
	for (size_t i = 0; i < s->depth; i++) {
		const struct stuck_thread *t = &r->threads[s->path[i]];

		mem[i] = (struct stuck_member){ .pid = t->pid, .tid = t->tid, .chan = t->chan,
						.op = t->op };
	}
	r->cycles[r->ncycles++] = (struct stuck_cycle){ .members = mem, .n = s->depth };
}

/* Cycles through stuck threads whose lowest pid is that of path[0]: each found once. */
static void dfs(struct search *s, size_t cur)
{
	const struct stuck_thread *t = &s->r->threads[cur];
	uint32_t start = s->r->threads[s->path[0]].pid;

	for (size_t w = 0; w < t->nwaiting_for && !s->err; w++) {
		uint32_t q = t->waiting_for[w];

		if (q == start && s->depth > 1) {
			add_cycle(s);
			continue;
		}
		if (q <= start || s->depth == CYCLE_LEN_MAX)
			continue;
		for (size_t j = 0; j < s->r->nthreads; j++) {
			bool on_path = false;

			if (s->r->threads[j].pid != q || !s->dead[j])
				continue;
			for (size_t k = 0; k < s->depth; k++)
				on_path |= s->r->threads[s->path[k]].pid == q;
			if (on_path)
				continue;
			s->path[s->depth++] = j;
			dfs(s, j);
			s->depth--;
			break;  /* one thread speaks for its process */
		}
	}
}

static int find_cycles(const struct model *m, struct stuck_report *r)
{
	struct search s = { .m = m, .r = r };

	s.dead = calloc(r->nthreads ? r->nthreads : 1, sizeof(*s.dead));
	if (!s.dead)
		return -ENOMEM;
	for (size_t i = 0; i < r->nthreads; i++)
		s.dead[i] = process_stuck(m, r, r->threads[i].pid);
	/* only waits every one of whose peers is stuck too can close a deadlock */
	for (size_t i = 0; i < r->nthreads; i++)
		s.dead[i] = s.dead[i] && all_dead(&s, &r->threads[i]);
	for (size_t i = 0; i < r->nthreads && !s.err; i++) {
		bool first = true;

		if (!s.dead[i])
			continue;
		for (size_t j = 0; j < i; j++)
			first &= !(s.dead[j] && r->threads[j].pid == r->threads[i].pid);
		if (!first)
			continue;
		s.path[0] = i;
		s.depth = 1;
		dfs(&s, i);
	}
	free(s.dead);
	return s.err;
}

struct stuck_report *stuck__find(const struct model *m)
{
	struct stuck_report *r = calloc(1, sizeof(*r));
	size_t n = 0;

	if (!r)
		return NULL;
	for (size_t i = 0; i < m->nthreads; i++)
		n += m->threads[i].stuck;
	r->threads = calloc(n ? n : 1, sizeof(*r->threads));
	if (!r->threads)
		goto fail;
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct model_thread *t = &m->threads[i];
		struct stuck_thread *s;

		if (!t->stuck)
			continue;
		s = &r->threads[r->nthreads++];
		*s = (struct stuck_thread){ .pid = t->pid, .tid = t->tid, .chan = t->stuck_chan,
					    .op = t->stuck_op, .since = t->stuck_since };
		if (waiting_for(m, t, s))
			goto fail;
	}
	if (find_cycles(m, r))
		goto fail;
	return r;
fail:
	stuck__free(r);
	errno = ENOMEM;
	return NULL;
}

void stuck__free(struct stuck_report *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nthreads; i++)
		free(s->threads[i].waiting_for);
	for (size_t i = 0; i < s->ncycles; i++)
		free(s->cycles[i].members);
	free(s->threads);
	free(s->cycles);
	free(s);
}
