// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "group.h"
#include "hmap.h"
#include "timeline.h"

#define TL_SPAN_BUDGET 12000   /* spans drawn one by one, over all lanes */
#define TL_ARROW_BUDGET 4000   /* arrows, over all lanes */
/* Held before a fold or merge during the pass: memory stays bounded however many lanes. */
#define TL_SPAN_HELD (4 * TL_SPAN_BUDGET)
#define TL_ARROW_HELD (8 * TL_ARROW_BUDGET)
/* Cells held ahead over all threads (one column each): past this the lanes need the model first. */
#define TL_AHEAD_CELLS (2 * TL_CELL_BUDGET)
/* Threads held ahead: past this many, what is held per thread costs more than the read it saves. */
#define TL_AHEAD_THREADS 4096
#define VOTED_MIXED 0xff

struct lane_key {
	uint32_t tid;
	uint32_t lane;
};

struct timeline_priv {
	struct lane_key *keys;      /* sorted by tid */
	size_t nkeys;
	struct hmap lane_of_tid;    /* tid -> its first key's lane: every event asks, once or twice */
	uint64_t *slots;            /* open addressing: the key's hash << 32 | arrow index + 1; 0 = empty */
	size_t nslots;
	size_t arrows_cap, lost_cap;
	size_t cap;                 /* lanes and keys allocated: one per thread */
	size_t nspans;              /* drawable spans held over all lanes */
	double fold_px;             /* spans this narrow or narrower go to their cells: a fold's threshold */
	size_t merge_at;            /* arrows held that start a merge during the pass */
	/* ahead (timeline__new_ahead): one lane per thread as first seen, settled at the end */
	bool ahead;
	bool gave_up;               /* a budget was reached ahead: what was held is gone */
	struct ahead_count *counts; /* per lane held ahead */
	size_t ahead_cap;
	size_t ahead_cells;
	bool merged_ahead;          /* arrows merged before the lanes were known */
	struct hmap hidden_of_tid;  /* threads whose arrows were hidden ahead: none may get a lane */
	uint32_t *hidden;
	size_t nhidden, hidden_cap;
	uint8_t *voted;             /* by channel id: 1 + the kind narrow calls voted with, VOTED_MIXED */
	size_t nvoted;
};

/* What a thread's spans came to ahead: settling sorts them into the lanes' stats. */
struct ahead_count {
	uint64_t outside, inside, drawn, merged;
	uint64_t transfers_self, wakes_self;  /* the thread's own: self if it gets a lane, else hidden */
};

static int fold_narrowest(struct timeline *tl);
static void merge_arrows(struct timeline *tl);
static int give_up(struct timeline *tl);
static int ahead_lane(struct timeline *tl, uint32_t tid, uint32_t pid);
static uint8_t span_kind(const struct timeline *tl, int chan);
static void put_arrow(struct timeline *tl, const struct tl_arrow *x);

static int cmp_lane_key(const void *a, const void *b)
{
	const struct lane_key *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->lane < y->lane ? -1 : x->lane > y->lane;
}

static bool in_list_u32(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

bool timeline__chan_shown(const struct timeline *tl, int chan)
{
	if (!tl->opts.chans)
		return true;
	for (size_t i = 0; i < tl->opts.nchans; i++)
		if (tl->opts.chans[i] == chan)
			return true;
	return false;
}

static bool process_selected(const struct timeline *tl, const struct model_process *p)
{
	const struct model *m = tl->model;

	if (tl->opts.pids)
		return in_list_u32(tl->opts.pids, tl->opts.npids, p->pid);
	if (!tl->opts.chans)
		return true;
	/* a channel focus without a pid list shows the channels' endpoints */
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!timeline__chan_shown(tl, c->id))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++)
			if (c->endpoints[j].pid == p->pid)
				return true;
	}
	return false;
}

static int cmp_thread_idx(const void *a, const void *b, void *threads)
{
	const struct model_thread *x = &((const struct model_thread *)threads)[*(const size_t *)a];
	const struct model_thread *y = &((const struct model_thread *)threads)[*(const size_t *)b];
	bool xm = x->tid == x->pid, ym = y->tid == y->pid;

	/* the main thread first, then by tid */
	if (xm != ym)
		return xm ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->first_ts < y->first_ts ? -1 : x->first_ts > y->first_ts;
}

static void add_key(struct timeline *tl, uint32_t tid, size_t lane)
{
	tl->priv->keys[tl->priv->nkeys].tid = tid;
	tl->priv->keys[tl->priv->nkeys].lane = (uint32_t)lane;
	tl->priv->nkeys++;
}

static void sum_thread(struct tl_lane *l, const struct model_thread *t)
{
	l->sum_ns[SPAN_USER] += t->user_ns;
	l->sum_ns[SPAN_SYSCALL] += t->kernel_ns;
	l->sum_ns[SPAN_BLOCKED] += t->blocked_ns;
	l->sum_ns[SPAN_RUNNABLE] += t->runnable_ns;
}

/* The lanes of process p (and of the siblings rep stands for): one per thread or pool. */
static int process_lanes(struct timeline *tl, const struct model_process *p, uint32_t siblings)
{
	const struct model *m = tl->model;
	size_t *idx, *pool = NULL, first_lane = tl->nlanes;
	uint32_t *pool_n = NULL;
	bool first = true;

	idx = malloc(p->nthreads * sizeof(*idx));
	pool = malloc(p->nthreads * sizeof(*pool));
	pool_n = malloc(p->nthreads * sizeof(*pool_n));
	if (!idx || !pool || !pool_n) {
		free(idx);
		free(pool);
		free(pool_n);
		return -ENOMEM;
	}
	memcpy(idx, p->threads, p->nthreads * sizeof(*idx));
	qsort_r(idx, p->nthreads, sizeof(*idx), cmp_thread_idx, m->threads);
	if (tl->opts.group) {
		group__pools(m, p, pool, pool_n);
	} else {
		for (size_t j = 0; j < p->nthreads; j++) {
			pool[j] = p->threads[j];
			pool_n[j] = 1;
		}
	}
	for (size_t j = 0; j < p->nthreads; j++) {
		const struct model_thread *t = &m->threads[idx[j]];
		struct tl_lane *l;
		size_t k;

		if (idx[j] >= m->nthreads || tl->nlanes >= tl->priv->cap)
			continue;
		for (k = 0; k < p->nthreads && p->threads[k] != idx[j]; k++)
			;
		/* a pool's other members come after its lane, by the key of the busiest */
		if (k == p->nthreads || pool[k] != idx[j])
			continue;
		if (t->last_ts < tl->opts.from || t->first_ts > tl->opts.to)
			continue;
		l = &tl->lanes[tl->nlanes];
		l->pid = p->pid;
		l->tid = t->tid;
		l->thread = t;
		l->process = p;
		l->first_of_process = first;
		l->threads = pool_n[k];
		l->processes = first ? siblings : 0;
		first = false;
		add_key(tl, t->tid, tl->nlanes);
		tl->nlanes++;
	}
	/* the pools' other members: their time summed into the lane, their arrows to it */
	for (size_t k = 0; k < p->nthreads; k++) {
		for (size_t i = first_lane; i < tl->nlanes; i++) {
			if (tl->lanes[i].thread != &m->threads[pool[k]])
				continue;
			sum_thread(&tl->lanes[i], &m->threads[p->threads[k]]);
			if (p->threads[k] != pool[k])
				add_key(tl, m->threads[p->threads[k]].tid, i);
		}
	}
	free(idx);
	free(pool);
	free(pool_n);
	return 0;
}

/* A sibling's threads all stand on the first lane of the process that stands for it. */
static void sibling_keys(struct timeline *tl, const struct model_process *sib, size_t lane)
{
	const struct model *m = tl->model;

	for (size_t j = 0; j < sib->nthreads; j++) {
		if (sib->threads[j] >= m->nthreads)
			continue;
		sum_thread(&tl->lanes[lane], &m->threads[sib->threads[j]]);
		add_key(tl, m->threads[sib->threads[j]].tid, lane);
	}
}

/* The lookup of timeline__lane from the sorted keys: a tid's first key wins. */
static int index_keys(struct timeline *tl)
{
	struct timeline_priv *p = tl->priv;

	hmap_free(&p->lane_of_tid);
	for (size_t i = 0; i < p->nkeys; i++)
		if (hmap_get(&p->lane_of_tid, p->keys[i].tid) == HMAP_NONE &&
		    hmap_put(&p->lane_of_tid, p->keys[i].tid, p->keys[i].lane))
			return -ENOMEM;
	return 0;
}

static int add_lanes(struct timeline *tl)
{
	const struct model *m = tl->model;
	size_t cap = m->nthreads ? m->nthreads : 1, n = m->nprocesses;
	size_t *rep = calloc(n + 1, sizeof(*rep)), *lane_of = calloc(n + 1, sizeof(*lane_of));
	uint32_t *count = calloc(n + 1, sizeof(*count));
	bool *chosen = calloc(n + 1, sizeof(*chosen));
	int err = 0;

	tl->lanes = calloc(cap, sizeof(*tl->lanes));
	tl->priv->keys = calloc(cap, sizeof(*tl->priv->keys));
	tl->priv->cap = cap;
	if (!tl->lanes || !tl->priv->keys || !rep || !count || !chosen || !lane_of) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		chosen[i] = process_selected(tl, &m->processes[i]) && m->processes[i].nthreads;
		rep[i] = i;
		count[i] = 1;
	}
	if (tl->opts.group)
		err = group__siblings(m, chosen, rep, count);
	for (size_t i = 0; i < n && !err; i++) {
		lane_of[i] = SIZE_MAX;
		if (!chosen[i] || rep[i] != i)
			continue;
		lane_of[i] = tl->nlanes;
		err = process_lanes(tl, &m->processes[i], count[i]);
		if (!err && lane_of[i] == tl->nlanes)
			lane_of[i] = SIZE_MAX;
	}
	for (size_t i = 0; i < n && !err; i++)
		if (chosen[i] && rep[i] != i && lane_of[rep[i]] != SIZE_MAX)
			sibling_keys(tl, &m->processes[i], lane_of[rep[i]]);
	qsort(tl->priv->keys, tl->priv->nkeys, sizeof(*tl->priv->keys), cmp_lane_key);
	if (!err)
		err = index_keys(tl);
out:
	free(rep);
	free(count);
	free(chosen);
	free(lane_of);
	return err;
}

struct timeline *timeline__new(const struct model *m, const struct timeline_opts *opts)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->priv = calloc(1, sizeof(*tl->priv));
	if (!tl->priv)
		goto err;
	tl->model = m;
	tl->opts = *opts;
	if (tl->opts.width == 0)
		tl->opts.width = 1;
	if (tl->opts.to <= tl->opts.from)
		tl->opts.to = tl->opts.from + 1;
	if (add_lanes(tl))
		goto err;
	tl->arrow_cols = 1;
	tl->priv->merge_at = TL_ARROW_HELD;
	tl->cell_cols = (uint32_t)(tl->nlanes * (uint64_t)tl->opts.width / TL_CELL_BUDGET);
	if (tl->cell_cols < 1)
		tl->cell_cols = 1;
	return tl;
err:
	timeline__free(tl);
	return NULL;
}

void timeline__sinks(struct timeline *tl, struct model_opts *mo)
{
	mo->ctx = tl;
	mo->on_span = timeline__on_span;
	mo->on_transfer = timeline__on_transfer;
	mo->on_wake = timeline__on_wake;
	mo->on_lost = timeline__on_lost;
}

void timeline__free(struct timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->nlanes; i++) {
		free(tl->lanes[i].spans);
		free(tl->lanes[i].cells);
	}
	free(tl->lanes);
	free(tl->arrows);
	free(tl->lost);
	if (tl->priv) {
		free(tl->priv->counts);
		free(tl->priv->hidden);
		hmap_free(&tl->priv->hidden_of_tid);
		free(tl->priv->voted);
		free(tl->priv->keys);
		hmap_free(&tl->priv->lane_of_tid);
		free(tl->priv->slots);
		free(tl->priv);
	}
	free(tl);
}

/* Ahead, a thread of a process --pid does not list: no lane, as settling checks. */
static bool pid_unlisted(const struct timeline *tl, uint32_t pid)
{
	return tl->opts.pids && !in_list_u32(tl->opts.pids, tl->opts.npids, pid);
}

/* Thread tid's arrows hidden ahead (untraced, or not listed): settling checks it gets no lane. */
static void hide_ahead(struct timeline *tl, uint32_t tid)
{
	struct timeline_priv *p = tl->priv;

	if (hmap_get_memo(&p->hidden_of_tid, tid) != HMAP_NONE)
		return;
	if (p->nhidden == p->hidden_cap) {
		size_t cap = p->hidden_cap ? 2 * p->hidden_cap : 16;
		uint32_t *v = realloc(p->hidden, cap * sizeof(*v));

		if (!v) {
			tl->err = -ENOMEM;
			return;
		}
		p->hidden = v;
		p->hidden_cap = cap;
	}
	if (hmap_put(&p->hidden_of_tid, tid, 0)) {
		tl->err = -ENOMEM;
		return;
	}
	p->hidden[p->nhidden++] = tid;
}

/* An arrow's two threads ahead: their lanes, or false (hidden, the threads noted) when either has none. */
static bool arrow_lanes_ahead(struct timeline *tl, uint32_t src_pid, uint32_t src_tid, bool src_seen,
			      uint32_t dst_pid, uint32_t dst_tid, bool dst_seen, int *src, int *dst)
{
	bool src_out = !src_seen || pid_unlisted(tl, src_pid);
	bool dst_out = !dst_seen || pid_unlisted(tl, dst_pid);

	if (src_out || dst_out) {
		if (src_out)
			hide_ahead(tl, src_tid);
		if (dst_out)
			hide_ahead(tl, dst_tid);
		return false;
	}
	*src = ahead_lane(tl, src_tid, src_pid);
	*dst = ahead_lane(tl, dst_tid, dst_pid);
	return *src >= 0 && *dst >= 0;
}

struct timeline *timeline__new_ahead(const struct timeline_opts *opts)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->priv = calloc(1, sizeof(*tl->priv));
	if (!tl->priv) {
		free(tl);
		return NULL;
	}
	tl->opts = *opts;
	if (tl->opts.width == 0)
		tl->opts.width = 1;
	if (tl->opts.to <= tl->opts.from)
		tl->opts.to = tl->opts.from + 1;
	tl->priv->ahead = true;
	tl->arrow_cols = 1;
	tl->priv->merge_at = TL_ARROW_HELD;
	/* settling needs the model's lanes to keep to one column per cell, as they do up to 133 at 1200 px */
	tl->cell_cols = 1;
	return tl;
}

/* The lane held ahead for thread tid, added at its first sight; -1 without memory. */
static int ahead_lane(struct timeline *tl, uint32_t tid, uint32_t pid)
{
	struct timeline_priv *p = tl->priv;
	uint32_t lane = hmap_get_memo(&p->lane_of_tid, tid);

	if (lane != HMAP_NONE)
		return (int)lane;
	if (tl->nlanes >= TL_AHEAD_THREADS) {
		give_up(tl);
		return -1;
	}
	if (tl->nlanes == p->ahead_cap) {
		size_t cap = p->ahead_cap ? 2 * p->ahead_cap : 16;
		struct tl_lane *v = realloc(tl->lanes, cap * sizeof(*v));
		struct ahead_count *c;

		if (v)
			tl->lanes = v;
		c = v ? realloc(p->counts, cap * sizeof(*c)) : NULL;
		if (!c) {
			tl->err = -ENOMEM;
			return -1;
		}
		p->counts = c;
		p->ahead_cap = cap;
	}
	if (hmap_put(&p->lane_of_tid, tid, (uint32_t)tl->nlanes)) {
		tl->err = -ENOMEM;
		return -1;
	}
	memset(&tl->lanes[tl->nlanes], 0, sizeof(tl->lanes[0]));
	memset(&p->counts[tl->nlanes], 0, sizeof(p->counts[0]));
	tl->lanes[tl->nlanes].tid = tid;
	tl->lanes[tl->nlanes].pid = pid;
	return (int)tl->nlanes++;
}

/* A budget reached ahead: drop all that was held (memory stays flat); settling then says so. */
static int give_up(struct timeline *tl)
{
	struct timeline_priv *p = tl->priv;

	for (size_t i = 0; i < tl->nlanes; i++) {
		free(tl->lanes[i].spans);
		free(tl->lanes[i].cells);
	}
	free(tl->lanes);
	tl->lanes = NULL;
	tl->nlanes = 0;
	free(tl->arrows);
	tl->arrows = NULL;
	tl->narrows = 0;
	free(p->counts);
	p->counts = NULL;
	free(p->hidden);
	p->hidden = NULL;
	p->nhidden = 0;
	free(p->slots);
	p->slots = NULL;
	p->nslots = 0;
	hmap_free(&p->lane_of_tid);
	hmap_free(&p->hidden_of_tid);
	p->arrows_cap = p->ahead_cap = 0;
	p->gave_up = true;
	return 0;
}

/* Each channel narrow calls voted with kept the kind it had then: the votes are the model's. */
static bool votes_hold(const struct timeline *tl)
{
	const struct timeline_priv *p = tl->priv;

	for (size_t id = 1; id < p->nvoted; id++)
		if (p->voted[id] && (p->voted[id] == VOTED_MIXED ||
				     p->voted[id] - 1 != span_kind(tl, (int)id)))
			return false;
	return true;
}

/* Lanes held ahead (one per thread, in tl->lanes on entry) into the model's lanes. */
static int settle_lanes(struct timeline *tl, struct tl_lane *held, const struct ahead_count *cnt,
			size_t nheld)
{
	struct timeline_stats *st = &tl->stats;

	for (size_t i = 0; i < nheld; i++) {
		struct tl_lane *h = &held[i];
		int lane = timeline__lane(tl, h->tid);
		struct tl_lane *l = lane >= 0 ? &tl->lanes[lane] : NULL;

		st->spans_outside += cnt[i].outside;
		st->transfers_hidden += l ? 0 : cnt[i].transfers_self;
		st->transfers_self += l ? cnt[i].transfers_self : 0;
		st->wakes_hidden += l ? 0 : cnt[i].wakes_self;
		st->wakes_self += l ? cnt[i].wakes_self : 0;
		if (!l) {
			st->spans_outside += cnt[i].inside;
		} else if (l->tid != h->tid) {
			st->spans_grouped += cnt[i].inside;
		} else {
			l->spans = h->spans;
			l->nspans = h->nspans;
			l->cap = h->cap;
			l->cells = h->cells;
			l->cell0 = h->cell0;
			l->ncells = h->ncells;
			h->spans = NULL;
			h->cells = NULL;
			st->spans_drawn += cnt[i].drawn;
			st->spans_merged += cnt[i].merged;
			tl->priv->nspans += l->nspans;
		}
	}
	return 0;
}

/* A thread's lane held ahead is its own lane in the model, not one it shares. */
static bool own_lane(const struct timeline *tl, const struct tl_lane *held, uint32_t i)
{
	int lane = timeline__lane(tl, held[i].tid);

	return lane >= 0 && tl->lanes[lane].tid == held[i].tid;
}

/*
 * Arrows held ahead between threads' lanes into arrows between the model's
 * lanes, in arrival order. Arrows merged ahead are the model's lanes' arrows
 * merged at the same moment only if each thread with arrows has a lane of
 * its own: -EAGAIN otherwise.
 */
static int settle_arrows(struct timeline *tl, const struct tl_lane *held, const struct tl_arrow *v,
			 size_t n)
{
	struct timeline_stats *st = &tl->stats;

	for (size_t i = 0; i < n && tl->priv->merged_ahead; i++)
		if (!own_lane(tl, held, v[i].src) || !own_lane(tl, held, v[i].dst))
			return -EAGAIN;

	for (size_t i = 0; i < n && !tl->err; i++) {
		struct tl_arrow x = v[i];
		int src = timeline__lane(tl, held[x.src].tid), dst = timeline__lane(tl, held[x.dst].tid);

		if (src < 0 || dst < 0) {
			*(x.type == TL_TRANSFER ? &st->transfers_hidden : &st->wakes_hidden) += x.count;
		} else if (src == dst) {
			*(x.type == TL_TRANSFER ? &st->transfers_self : &st->wakes_self) += x.count;
		} else {
			x.src = (uint32_t)src;
			x.dst = (uint32_t)dst;
			/* the first of a pair's arrows arrived first: it keeps its place, as in one pass */
			put_arrow(tl, &x);
		}
	}
	return tl->err;
}

int timeline__settle(struct timeline *tl, const struct model *m)
{
	struct timeline_priv *p = tl->priv;
	struct tl_lane *held = tl->lanes;
	struct tl_arrow *arrows = tl->arrows;
	struct ahead_count *cnt = p->counts;
	size_t nheld = tl->nlanes, narrows = tl->narrows;
	int err;

	/* asked again, the same answer: a timeline that failed to settle holds nothing to draw */
	if (p->gave_up)
		return -EAGAIN;
	if (!p->ahead)
		return 0;
	if (tl->err)
		return tl->err;
	tl->model = m;
	if (!votes_hold(tl)) {
		give_up(tl);
		return -EAGAIN;
	}
	tl->lanes = NULL;
	tl->nlanes = 0;
	tl->arrows = NULL;
	tl->narrows = 0;
	p->counts = NULL;
	p->arrows_cap = 0;
	p->nspans = 0;
	p->ahead = false;
	free(p->slots);
	p->slots = NULL;
	p->nslots = 0;
	hmap_free(&p->lane_of_tid);
	err = add_lanes(tl);
	if (!err && tl->nlanes * (uint64_t)tl->opts.width / TL_CELL_BUDGET > 1)
		err = -EAGAIN;
	for (size_t i = 0; i < p->nhidden && !err; i++)
		if (timeline__lane(tl, p->hidden[i]) >= 0)
			err = -EAGAIN;
	/* counted per thread ahead: only the threads with lanes of their own draw */
	tl->stats.spans_drawn = tl->stats.spans_merged = 0;
	if (!err)
		err = settle_lanes(tl, held, cnt, nheld);
	if (!err)
		err = settle_arrows(tl, held, arrows, narrows);
	for (size_t i = 0; i < nheld; i++) {
		free(held[i].spans);
		free(held[i].cells);
	}
	free(held);
	free(cnt);
	free(arrows);
	if (err)
		give_up(tl);
	return err;
}

int timeline__keep_lanes(struct timeline *tl, const bool *keep)
{
	uint32_t *map = malloc((tl->nlanes ? tl->nlanes : 1) * sizeof(*map));
	size_t n = 0, na = 0;
	uint32_t last_pid = 0;

	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < tl->nlanes; i++) {
		struct tl_lane *l = &tl->lanes[i];

		if (!keep[i]) {
			free(l->spans);
			free(l->cells);
			continue;
		}
		map[i] = (uint32_t)n;
		/* a process's first kept lane now opens its group */
		l->first_of_process = n == 0 || l->pid != last_pid;
		last_pid = l->pid;
		tl->lanes[n++] = *l;
	}
	for (size_t i = 0; i < tl->narrows; i++) {
		struct tl_arrow *a = &tl->arrows[i];

		if (!keep[a->src] || !keep[a->dst])
			continue;
		a->src = map[a->src];
		a->dst = map[a->dst];
		tl->arrows[na++] = *a;
	}
	tl->nlanes = n;
	tl->narrows = na;
	n = 0;
	for (size_t i = 0; i < tl->priv->nkeys; i++) {
		struct lane_key k = tl->priv->keys[i];

		if (!keep[k.lane])
			continue;
		k.lane = map[k.lane];
		tl->priv->keys[n++] = k;
	}
	tl->priv->nkeys = n;
	free(map);
	return index_keys(tl);
}

double timeline__x(const struct timeline *tl, uint64_t ts)
{
	double d = ts >= tl->opts.from ? (double)(ts - tl->opts.from)
				       : -(double)(tl->opts.from - ts);

	return d * tl->opts.width / (double)(tl->opts.to - tl->opts.from);
}

/* The pixel column of x (timeline__x's), clamped to the timeline. */
static uint32_t col_at(const struct timeline *tl, double x)
{
	if (x < 0)
		return 0;
	if (x >= tl->opts.width)
		return tl->opts.width - 1;
	return (uint32_t)x;
}

static uint32_t col_of(const struct timeline *tl, uint64_t ts)
{
	return col_at(tl, timeline__x(tl, ts));
}

const struct tl_cell *timeline__cell(const struct timeline *tl, const struct tl_lane *l, uint32_t col)
{
	col /= tl->cell_cols;
	if (!l->cells || col < l->cell0 || col >= l->cell0 + l->ncells)
		return NULL;
	return &l->cells[col - l->cell0];
}

int timeline__lane(const struct timeline *tl, uint32_t tid)
{
	uint32_t lane = hmap_get(&tl->priv->lane_of_tid, tid);

	return lane == HMAP_NONE ? -1 : (int)lane;
}

static uint8_t span_kind(const struct timeline *tl, int chan)
{
	const struct model_channel *c;

	if (chan <= 0 || !timeline__chan_shown(tl, chan))
		return IPCT_KIND_NONE;
	c = model__channel(tl->model, chan);
	return c ? (uint8_t)c->kind : IPCT_KIND_NONE;
}

/* The kind a narrow call votes with ahead: the one its channel had then, checked when settling. */
static uint8_t span_kind_ahead(struct timeline *tl, const struct model_span *s)
{
	struct timeline_priv *p = tl->priv;
	uint8_t v;

	if (s->chan <= 0 || !timeline__chan_shown(tl, s->chan))
		return IPCT_KIND_NONE;
	if ((size_t)s->chan >= p->nvoted) {
		size_t n = p->nvoted ? p->nvoted : 64;
		uint8_t *nv;

		while (n <= (size_t)s->chan)
			n *= 2;
		nv = realloc(p->voted, n);
		if (!nv) {
			tl->err = -ENOMEM;
			return s->chan_kind;
		}
		memset(nv + p->nvoted, 0, n - p->nvoted);
		p->voted = nv;
		p->nvoted = n;
	}
	v = p->voted[s->chan];
	if (!v)
		p->voted[s->chan] = s->chan_kind + 1;
	else if (v != s->chan_kind + 1)
		p->voted[s->chan] = VOTED_MIXED;
	return s->chan_kind;
}

/*
 * Add a span [a, b] too narrow to draw to its pixel column (xa: timeline__x of a, which the
 * caller has; kind: its channel's, which votes). 0 or -ENOMEM.
 */
static int cell_add(struct timeline *tl, struct tl_lane *l, unsigned state, double xa, uint64_t a,
		    uint64_t b, uint8_t kind)
{
	uint32_t col = col_at(tl, xa) / tl->cell_cols, ncols = (tl->opts.width - 1) / tl->cell_cols + 1;
	struct tl_cell *c;

	if (!l->cells || col < l->cell0 || col >= l->cell0 + l->ncells) {
		/* grow the lane's range of columns, doubling it so growth is amortised */
		uint32_t lo = l->cells ? (col < l->cell0 ? col : l->cell0) : col;
		uint32_t hi = l->cells ? (col >= l->cell0 + l->ncells ? col + 1 : l->cell0 + l->ncells) : col + 1;
		uint32_t want = l->ncells * 2 > hi - lo ? l->ncells * 2 : hi - lo;
		struct tl_cell *v;

		if (col < l->cell0)
			lo = hi > want ? hi - want : 0;
		else
			hi = lo + want < ncols ? lo + want : ncols;
		if (hi - lo < want && lo > 0)
			lo = hi > want ? hi - want : 0;
		if (tl->priv->ahead && (tl->priv->ahead_cells += hi - lo - l->ncells) > TL_AHEAD_CELLS)
			return give_up(tl);
		v = calloc(hi - lo, sizeof(*v));
		if (!v)
			return tl->err = -ENOMEM;
		if (l->cells)
			memcpy(v + (l->cell0 - lo), l->cells, l->ncells * sizeof(*v));
		free(l->cells);
		l->cells = v;
		l->cell0 = lo;
		l->ncells = hi - lo;
	}
	c = &l->cells[col - l->cell0];
	c->ns[state] += b - a;
	c->n[state]++;
	if (state == SPAN_SYSCALL) {
		uint8_t k = kind;
		uint64_t d = b - a + 1;

		if (k == c->kind) {
			c->kind_weight += d;
		} else if (c->kind_weight >= d) {
			c->kind_weight -= d;
		} else {
			c->kind = k;
			c->kind_weight = d - c->kind_weight;
		}
	}
	return 0;
}

void timeline__on_span(void *ctx, const struct model_span *s)
{
	struct timeline *tl = ctx;
	uint64_t a, b, from = tl->opts.from, to = tl->opts.to;
	struct tl_lane *l;
	uint8_t kind;
	double xa, px;
	int lane;

	tl->stats.spans++;
	if (tl->priv->gave_up)
		return;
	if (tl->priv->ahead && pid_unlisted(tl, s->pid)) {
		/* --pid: no lane, which settling checks */
		tl->stats.spans_outside++;
		hide_ahead(tl, s->tid);
		return;
	}
	lane = tl->priv->ahead ? ahead_lane(tl, s->tid, s->pid) : timeline__lane(tl, s->tid);
	if (tl->priv->ahead && lane >= 0) {
		/* which lane stands for the thread is known only when settling: counted per thread */
		struct ahead_count *c = &tl->priv->counts[lane];

		if (s->end < from || s->start > to || s->state >= SPAN_STATE_COUNT) {
			c->outside++;
			return;
		}
		c->inside++;
	} else if (lane < 0 || s->end < from || s->start > to || s->state >= SPAN_STATE_COUNT) {
		tl->stats.spans_outside++;
		return;
	}
	l = &tl->lanes[lane];
	if (l->tid != s->tid) {
		tl->stats.spans_grouped++;
		return;
	}
	a = s->start > from ? s->start : from;
	b = s->end < to ? s->end : to;
	xa = timeline__x(tl, a);
	px = timeline__x(tl, b) - xa;
	if (px >= 1.0 && px > tl->priv->fold_px) {
		struct tl_span *d;

		if (l->nspans == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			struct tl_span *v = realloc(l->spans, cap * sizeof(*v));

			if (!v) {
				tl->err = -ENOMEM;
				return;
			}
			l->spans = v;
			l->cap = cap;
		}
		d = &l->spans[l->nspans++];
		d->start = a;
		d->end = b;
		d->ret = s->ret;
		d->chan = s->chan;
		d->calls = s->calls;
		d->nr = s->nr;
		d->state = (uint8_t)s->state;
		d->op = s->op;
		d->unfinished = s->unfinished;
		tl->stats.spans_drawn++;
		if (tl->priv->ahead)
			tl->priv->counts[lane].drawn++;
		/* ahead, a fold would take spans of threads that may get no lane of their own */
		if (++tl->priv->nspans >= TL_SPAN_HELD && !tl->err)
			tl->err = tl->priv->ahead ? give_up(tl) : fold_narrowest(tl);
		return;
	}
	kind = s->state != SPAN_SYSCALL ? IPCT_KIND_NONE
	       : tl->priv->ahead ? span_kind_ahead(tl, s) : span_kind(tl, s->chan);
	if (cell_add(tl, l, s->state, xa, a, b, kind) == 0 && !tl->priv->gave_up) {
		tl->stats.spans_merged++;
		if (tl->priv->ahead)
			tl->priv->counts[lane].merged++;
	}
}

static uint64_t arrow_hash(uint8_t type, uint32_t src, uint32_t dst, uint32_t scol)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t v[4] = { type, src, dst, scol };

	for (int i = 0; i < 4; i++) {
		h ^= v[i];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

static int grow_slots(struct timeline *tl)
{
	struct timeline_priv *p = tl->priv;
	size_t n = p->nslots ? p->nslots * 2 : 1024;
	uint64_t *s;

	while (n < 2 * (tl->narrows + 1))
		n *= 2;
	s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < tl->narrows; i++) {
		const struct tl_arrow *a = &tl->arrows[i];
		uint64_t h = arrow_hash(a->type, a->src, a->dst, a->scol / tl->arrow_cols);
		size_t j = h & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (h >> 32) << 32 | ((uint64_t)i + 1);
	}
	free(p->slots);
	p->slots = s;
	p->nslots = n;
	return 0;
}

/* x's arrows (one or merged already) into d, which keeps its first arrow's place and channel. */
static void arrow_absorb(struct tl_arrow *d, const struct tl_arrow *x)
{
	d->count += x->count;
	d->bytes += x->bytes;
	d->mixed |= x->mixed || x->chan != d->chan;
	if (x->last_ts > d->last_ts)
		d->last_ts = x->last_ts;
	if (x->min_lat < d->min_lat)
		d->min_lat = x->min_lat;
	if (x->max_lat > d->max_lat)
		d->max_lat = x->max_lat;
}

/* x merged into the arrow of its lanes and column run, or added after the others. */
static void put_arrow(struct timeline *tl, const struct tl_arrow *x)
{
	struct timeline_priv *p = tl->priv;
	struct tl_arrow *a;
	uint64_t h, tag;
	size_t j;

	if ((tl->narrows + 1) * 2 > p->nslots && grow_slots(tl)) {
		tl->err = -ENOMEM;
		return;
	}
	h = arrow_hash(x->type, x->src, x->dst, x->scol / tl->arrow_cols);
	tag = (h >> 32) << 32;
	j = h & (p->nslots - 1);
	while (p->slots[j]) {
		/* the hash's high half in the slot: most other keys are passed without reading their arrow */
		a = &tl->arrows[(uint32_t)p->slots[j] - 1];
		if ((p->slots[j] & ~0xffffffffull) == tag && a->type == x->type && a->src == x->src &&
		    a->dst == x->dst && a->scol / tl->arrow_cols == x->scol / tl->arrow_cols) {
			arrow_absorb(a, x);
			return;
		}
		j = (j + 1) & (p->nslots - 1);
	}
	if (tl->narrows == p->arrows_cap) {
		size_t cap = p->arrows_cap ? p->arrows_cap * 2 : 256;
		struct tl_arrow *v = realloc(tl->arrows, cap * sizeof(*v));

		if (!v) {
			tl->err = -ENOMEM;
			return;
		}
		tl->arrows = v;
		p->arrows_cap = cap;
	}
	tl->arrows[tl->narrows] = *x;
	p->slots[j] = tag | ++tl->narrows;
	if (tl->narrows >= p->merge_at && tl->arrow_cols < tl->opts.width) {
		/* merged now into wider runs of columns, as finish would, and hashed by them */
		p->merged_ahead |= p->ahead;
		merge_arrows(tl);
		free(p->slots);
		p->slots = NULL;
		p->nslots = 0;
		if (grow_slots(tl))
			tl->err = -ENOMEM;
		/* lane pairs may outnumber the budget at any width: merge again only past twice as many */
		if (p->merge_at < 2 * tl->narrows)
			p->merge_at = 2 * tl->narrows;
	}
}

static void add_arrow(struct timeline *tl, uint8_t type, uint32_t src, uint32_t dst,
		      uint64_t src_ts, uint64_t dst_ts, int chan, uint64_t bytes)
{
	uint64_t lat = dst_ts > src_ts ? dst_ts - src_ts : 0;
	struct tl_arrow x = {
		.type = type, .src = src, .dst = dst, .scol = col_of(tl, src_ts),
		.dcol = col_of(tl, dst_ts), .chan = chan, .src_ts = src_ts, .dst_ts = dst_ts,
		.last_ts = src_ts, .min_lat = lat, .max_lat = lat, .count = 1, .bytes = bytes,
	};

	put_arrow(tl, &x);
}

static bool outside(const struct timeline *tl, uint64_t a, uint64_t b)
{
	return (a < tl->opts.from && b < tl->opts.from) || (a > tl->opts.to && b > tl->opts.to);
}

void timeline__on_transfer(void *ctx, const struct model_transfer *t)
{
	struct timeline *tl = ctx;
	int src, dst;

	tl->stats.transfers++;
	if (tl->priv->gave_up)
		return;
	if (tl->priv->ahead) {
		/* the model's calls made both threads: seen */
		if (!timeline__chan_shown(tl, t->chan) || outside(tl, t->src_ts, t->dst_ts) ||
		    !arrow_lanes_ahead(tl, t->src_pid, t->src_tid, true, t->dst_pid, t->dst_tid, true,
				       &src, &dst))
			src = dst = -1;
		if (src >= 0 && src == dst)
			tl->priv->counts[src].transfers_self++;
		else if (src >= 0 && dst >= 0)
			add_arrow(tl, TL_TRANSFER, (uint32_t)src, (uint32_t)dst, t->src_ts, t->dst_ts,
				  t->chan, t->bytes);
		else
			tl->stats.transfers_hidden++;
		return;
	}
	src = timeline__lane(tl, t->src_tid);
	dst = timeline__lane(tl, t->dst_tid);
	if (src < 0 || dst < 0 || !timeline__chan_shown(tl, t->chan) ||
	    outside(tl, t->src_ts, t->dst_ts)) {
		tl->stats.transfers_hidden++;
		return;
	}
	if (src == dst) {
		tl->stats.transfers_self++;
		return;
	}
	add_arrow(tl, TL_TRANSFER, (uint32_t)src, (uint32_t)dst, t->src_ts, t->dst_ts,
		  t->chan, t->bytes);
}

void timeline__on_wake(void *ctx, const struct model_wake *w)
{
	struct timeline *tl = ctx;
	int src, dst;

	tl->stats.wakes++;
	if (w->waker_tid == 0) {
		tl->stats.wakes_irq++;
		return;
	}
	if (tl->priv->gave_up)
		return;
	if (tl->priv->ahead) {
		if ((tl->opts.chans && !timeline__chan_shown(tl, w->chan)) || outside(tl, w->ts, w->ts) ||
		    !arrow_lanes_ahead(tl, w->waker_pid, w->waker_tid, w->waker_seen, w->wakee_pid,
				       w->wakee_tid, w->wakee_seen, &src, &dst))
			src = dst = -1;
		if (src >= 0 && src == dst)
			tl->priv->counts[src].wakes_self++;
		else if (src >= 0 && dst >= 0)
			add_arrow(tl, TL_WAKE, (uint32_t)src, (uint32_t)dst, w->ts, w->ts, w->chan, 0);
		else
			tl->stats.wakes_hidden++;
		return;
	}
	src = timeline__lane(tl, w->waker_tid);
	dst = timeline__lane(tl, w->wakee_tid);
	if (src < 0 || dst < 0 || (tl->opts.chans && !timeline__chan_shown(tl, w->chan)) ||
	    outside(tl, w->ts, w->ts)) {
		tl->stats.wakes_hidden++;
		return;
	}
	if (src == dst) {
		tl->stats.wakes_self++;
		return;
	}
	add_arrow(tl, TL_WAKE, (uint32_t)src, (uint32_t)dst, w->ts, w->ts, w->chan, 0);
}

void timeline__on_lost(void *ctx, const struct model_lost *l)
{
	struct timeline *tl = ctx;
	struct timeline_priv *p = tl->priv;
	struct tl_lost *d;

	tl->stats.lost_records++;
	tl->stats.lost_events += l->count;
	if (outside(tl, l->first_ts, l->last_ts))
		return;
	if (tl->nlost == p->lost_cap) {
		size_t cap = p->lost_cap ? p->lost_cap * 2 : 16;
		struct tl_lost *v = realloc(tl->lost, cap * sizeof(*v));

		if (!v) {
			tl->err = -ENOMEM;
			return;
		}
		tl->lost = v;
		p->lost_cap = cap;
	}
	d = &tl->lost[tl->nlost++];
	d->col = col_of(tl, l->first_ts);
	d->cpu = l->cpu;
	d->first_ts = l->first_ts;
	d->last_ts = l->last_ts;
	d->count = l->count;
}

static int cmp_arrow(const void *a, const void *b)
{
	const struct tl_arrow *x = a, *y = b;

	if (x->scol != y->scol)
		return x->scol < y->scol ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->dst < y->dst ? -1 : x->dst > y->dst;
}

static int cmp_arrow_bucket(const void *a, const void *b, void *arg)
{
	const struct tl_arrow *x = a, *y = b;
	uint32_t bucket = *(const uint32_t *)arg;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	if (x->scol / bucket != y->scol / bucket)
		return x->scol / bucket < y->scol / bucket ? -1 : 1;
	return x->scol < y->scol ? -1 : x->scol > y->scol;
}

/*
 * Past TL_ARROW_BUDGET arrows, arrows between the same lanes merge over
 * wider and wider runs of columns, keeping the first one's place.
 */
static void merge_arrows(struct timeline *tl)
{
	uint32_t bucket = tl->arrow_cols;

	while (tl->narrows > TL_ARROW_BUDGET && bucket < tl->opts.width) {
		size_t n = 0;

		bucket *= 2;
		qsort_r(tl->arrows, tl->narrows, sizeof(*tl->arrows), cmp_arrow_bucket, &bucket);
		for (size_t i = 0; i < tl->narrows; i++) {
			const struct tl_arrow *a = &tl->arrows[i];
			struct tl_arrow *d = n ? &tl->arrows[n - 1] : NULL;

			if (!d || d->type != a->type || d->src != a->src || d->dst != a->dst ||
			    d->scol / bucket != a->scol / bucket) {
				tl->arrows[n++] = *a;
				continue;
			}
			arrow_absorb(d, a);
		}
		tl->narrows = n;
	}
	tl->arrow_cols = bucket;
}

static int cmp_lost(const void *a, const void *b)
{
	const struct tl_lost *x = a, *y = b;

	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static int cmp_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

/*
 * Past TL_SPAN_BUDGET drawable spans, the narrowest are merged into their
 * columns too, so that the drawing stays bounded however the time is cut.
 */
static int fold_narrowest(struct timeline *tl)
{
	size_t total = 0, k = 0;
	double *w, thr;

	for (size_t i = 0; i < tl->nlanes; i++)
		total += tl->lanes[i].nspans;
	tl->priv->nspans = total;
	if (total <= TL_SPAN_BUDGET)
		return 0;
	w = malloc(total * sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < tl->nlanes; i++)
		for (size_t j = 0; j < tl->lanes[i].nspans; j++) {
			const struct tl_span *s = &tl->lanes[i].spans[j];

			w[k++] = timeline__x(tl, s->end) - timeline__x(tl, s->start);
		}
	qsort(w, total, sizeof(*w), cmp_double_desc);
	thr = w[TL_SPAN_BUDGET];
	free(w);
	/* a later span no wider would be folded too: it goes to its cell at once */
	if (thr > tl->priv->fold_px)
		tl->priv->fold_px = thr;
	tl->priv->nspans = 0;
	for (size_t i = 0; i < tl->nlanes; i++) {
		struct tl_lane *l = &tl->lanes[i];
		size_t kept = 0;

		for (size_t j = 0; j < l->nspans; j++) {
			const struct tl_span *s = &l->spans[j];

			if (timeline__x(tl, s->end) - timeline__x(tl, s->start) > thr) {
				l->spans[kept++] = *s;
				continue;
			}
			if (cell_add(tl, l, s->state, timeline__x(tl, s->start), s->start, s->end,
				     s->state == SPAN_SYSCALL ? span_kind(tl, s->chan) : IPCT_KIND_NONE))
				return -ENOMEM;
			tl->stats.spans_drawn--;
			tl->stats.spans_merged++;
		}
		l->nspans = kept;
		tl->priv->nspans += kept;
	}
	return 0;
}

int timeline__finish(struct timeline *tl)
{
	size_t n = 0;

	if (!tl->err)
		tl->err = fold_narrowest(tl);

	free(tl->priv->slots);
	tl->priv->slots = NULL;
	tl->priv->nslots = 0;
	merge_arrows(tl);
	if (tl->narrows)
		qsort(tl->arrows, tl->narrows, sizeof(*tl->arrows), cmp_arrow);
	if (tl->nlost)
		qsort(tl->lost, tl->nlost, sizeof(*tl->lost), cmp_lost);
	/* lost records in one column become one mark */
	for (size_t i = 0; i < tl->nlost; i++) {
		struct tl_lost *l = &tl->lost[i];

		if (n && tl->lost[n - 1].col == l->col) {
			struct tl_lost *d = &tl->lost[n - 1];

			d->count += l->count;
			if (l->last_ts > d->last_ts)
				d->last_ts = l->last_ts;
			continue;
		}
		tl->lost[n++] = *l;
	}
	tl->nlost = n;
	return tl->err;
}
