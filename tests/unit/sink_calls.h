/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every call a model makes to its sinks, kept in order with its arguments, to compare two models. */
#ifndef IPCTRACE_TEST_SINK_CALLS_H
#define IPCTRACE_TEST_SINK_CALLS_H

#include <stdlib.h>
#include <string.h>
#include "model.h"

enum { SINK_SPAN, SINK_TRANSFER, SINK_WAKE, SINK_LOST };

/* One call, its arguments copied field by field (padding bytes are never compared). */
struct sink_call {
	int what;          /* SINK_* */
	uint64_t a[12];
};

struct sink_calls {
	struct sink_call *c;
	size_t n, cap;
};

static inline void sink_calls__add(struct sink_calls *k, int what, const uint64_t *v, size_t nv)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 4096;
		k->c = realloc(k->c, k->cap * sizeof(*k->c));
		if (!k->c)
			abort();
	}
	memset(&k->c[k->n], 0, sizeof(k->c[0]));
	k->c[k->n].what = what;
	memcpy(k->c[k->n].a, v, nv * sizeof(*v));
	k->n++;
}

static inline void sink_calls__span(void *ctx, const struct model_span *s)
{
	uint64_t v[] = { s->pid, s->tid, s->state, s->start, s->end, (uint64_t)s->chan, s->op,
			 s->nr, (uint64_t)s->ret, s->calls, s->unfinished };

	sink_calls__add(ctx, SINK_SPAN, v, sizeof(v) / sizeof(v[0]));
}

static inline void sink_calls__transfer(void *ctx, const struct model_transfer *t)
{
	uint64_t v[] = { (uint64_t)t->chan, t->src_pid, t->src_tid, t->dst_pid, t->dst_tid,
			 t->src_ts, t->dst_ts, t->bytes };

	sink_calls__add(ctx, SINK_TRANSFER, v, sizeof(v) / sizeof(v[0]));
}

static inline void sink_calls__wake(void *ctx, const struct model_wake *w)
{
	uint64_t v[] = { (uint64_t)w->chan, w->waker_pid, w->waker_tid, w->wakee_pid,
			 w->wakee_tid, w->ts, w->waker_op };

	sink_calls__add(ctx, SINK_WAKE, v, sizeof(v) / sizeof(v[0]));
}

static inline void sink_calls__lost(void *ctx, const struct model_lost *l)
{
	uint64_t v[] = { l->first_ts, l->last_ts, l->count, l->cpu };

	sink_calls__add(ctx, SINK_LOST, v, sizeof(v) / sizeof(v[0]));
}

/* Model options whose sinks keep every call in k. */
static inline struct model_opts sink_calls__opts(struct sink_calls *k, bool sinks_only)
{
	return (struct model_opts){ .ctx = k, .on_span = sink_calls__span,
				    .on_transfer = sink_calls__transfer, .on_wake = sink_calls__wake,
				    .on_lost = sink_calls__lost, .sinks_only = sinks_only };
}

/* The index of the first call where a and b differ (a count differs: the shorter's length); SIZE_MAX when equal. */
static inline size_t sink_calls__first_diff(const struct sink_calls *a, const struct sink_calls *b)
{
	size_t n = a->n < b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++)
		if (a->c[i].what != b->c[i].what || memcmp(a->c[i].a, b->c[i].a, sizeof(a->c[i].a)))
			return i;
	return a->n == b->n ? SIZE_MAX : n;
}

static inline void sink_calls__free(struct sink_calls *k)
{
	free(k->c);
	memset(k, 0, sizeof(*k));
}

#endif /* IPCTRACE_TEST_SINK_CALLS_H */
