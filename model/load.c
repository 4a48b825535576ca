// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Reading a trace into the model: every pass over the file, the window and its channel ids. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "load.h"
#include "trace.h"

/* Window ids to the whole trace's: the model numbers channels by first use, which a window moves. */
struct chan_map {
	int *to;                     /* index: the window's id */
	size_t n;
	const struct model_opts *mo; /* the caller's sinks, fed translated ids */
};

static int map_id(const struct chan_map *cm, int id)
{
	return id > 0 && (size_t)id < cm->n ? cm->to[id] : id;
}

static void map_span(void *ctx, const struct model_span *s)
{
	const struct chan_map *cm = ctx;
	struct model_span c = *s;

	c.chan = map_id(cm, s->chan);
	cm->mo->on_span(cm->mo->ctx, &c);
}

static void map_transfer(void *ctx, const struct model_transfer *t)
{
	const struct chan_map *cm = ctx;
	struct model_transfer c = *t;

	c.chan = map_id(cm, t->chan);
	cm->mo->on_transfer(cm->mo->ctx, &c);
}

static void map_wake(void *ctx, const struct model_wake *w)
{
	const struct chan_map *cm = ctx;
	struct model_wake c = *w;

	c.chan = map_id(cm, w->chan);
	cm->mo->on_wake(cm->mo->ctx, &c);
}

static void map_lost(void *ctx, const struct model_lost *l)
{
	const struct chan_map *cm = ctx;

	cm->mo->on_lost(cm->mo->ctx, l);
}

static void map_model(void *ctx, const struct model *m)
{
	const struct chan_map *cm = ctx;

	cm->mo->on_model(cm->mo->ctx, m);
}

static bool endpoints_within(const struct model_channel *w, const struct model_channel *f)
{
	for (size_t i = 0; i < w->nendpoints; i++) {
		bool found = false;

		for (size_t j = 0; j < f->nendpoints && !found; j++)
			found = f->endpoints[j].pid == w->endpoints[i].pid;
		if (!found)
			return false;
	}
	return true;
}

/* Each window channel to the first whole-trace channel of its kind, name and processes. */
static int build_map(struct chan_map *cm, const struct model *w, const struct model *full)
{
	int next = 0, max = 0;
	bool *taken;

	for (size_t i = 0; i < w->nchannels; i++)
		if (w->channels[i].id > max)
			max = w->channels[i].id;
	for (size_t i = 0; i < full->nchannels; i++)
		if (full->channels[i].id > next)
			next = full->channels[i].id;
	cm->n = (size_t)max + 1;
	cm->to = calloc(cm->n, sizeof(*cm->to));
	taken = calloc(full->nchannels + 1, sizeof(*taken));
	if (!cm->to || !taken) {
		free(taken);
		return -ENOMEM;
	}
	for (size_t i = 0; i < w->nchannels; i++) {
		const struct model_channel *c = &w->channels[i];
		size_t j;

		for (j = 0; j < full->nchannels; j++) {
			const struct model_channel *f = &full->channels[j];

			if (!taken[j] && f->kind == c->kind && !strcmp(f->name, c->name) &&
			    endpoints_within(c, f))
				break;
		}
		if (j < full->nchannels) {
			taken[j] = true;
			cm->to[c->id] = full->channels[j].id;
		} else {
			cm->to[c->id] = ++next;
		}
	}
	free(taken);
	return 0;
}

static int cmp_channel_id(const void *a, const void *b)
{
	const struct model_channel *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void apply_map(struct model *m, const struct chan_map *cm)
{
	for (size_t i = 0; i < m->nchannels; i++)
		m->channels[i].id = map_id(cm, m->channels[i].id);
	for (size_t i = 0; i < m->nwakeups; i++)
		m->wakeups[i].chan = map_id(cm, m->wakeups[i].chan);
	qsort(m->channels, m->nchannels, sizeof(*m->channels), cmp_channel_id);
}

/* Two sets of sinks fed by one read: the window's and the whole trace's are the same events. */
struct tee {
	const struct model_opts *a, *b;
};

static void tee_span(void *ctx, const struct model_span *s)
{
	const struct tee *t = ctx;

	if (t->a->on_span)
		t->a->on_span(t->a->ctx, s);
	if (t->b->on_span)
		t->b->on_span(t->b->ctx, s);
}

static void tee_transfer(void *ctx, const struct model_transfer *x)
{
	const struct tee *t = ctx;

	if (t->a->on_transfer)
		t->a->on_transfer(t->a->ctx, x);
	if (t->b->on_transfer)
		t->b->on_transfer(t->b->ctx, x);
}

static void tee_wake(void *ctx, const struct model_wake *w)
{
	const struct tee *t = ctx;

	if (t->a->on_wake)
		t->a->on_wake(t->a->ctx, w);
	if (t->b->on_wake)
		t->b->on_wake(t->b->ctx, w);
}

static void tee_lost(void *ctx, const struct model_lost *l)
{
	const struct tee *t = ctx;

	if (t->a->on_lost)
		t->a->on_lost(t->a->ctx, l);
	if (t->b->on_lost)
		t->b->on_lost(t->b->ctx, l);
}

static void tee_model(void *ctx, const struct model *m)
{
	const struct tee *t = ctx;

	if (t->a->on_model)
		t->a->on_model(t->a->ctx, m);
	if (t->b->on_model)
		t->b->on_model(t->b->ctx, m);
}

static bool has_sinks(const struct model_opts *mo)
{
	return mo && (mo->on_span || mo->on_transfer || mo->on_wake || mo->on_lost);
}

struct model_load_priv {
	struct trace_reader *r;
	struct model_opts opts;      /* the options every read applies (no sinks) */
	bool windowed;
	uint64_t guess_from, guess_to; /* the window read_both placed */
	struct chan_map cm;          /* window ids to the whole trace's */
};

/* mo's sinks with the options every read of l applies. */
static struct model_opts with_opts(const struct model_load *l, const struct model_opts *mo)
{
	struct model_opts o = l->priv->opts;

	if (mo) {
		o.ctx = mo->ctx;
		o.on_span = mo->on_span;
		o.on_transfer = mo->on_transfer;
		o.on_wake = mo->on_wake;
		o.on_lost = mo->on_lost;
		o.on_model = mo->on_model;
	}
	return o;
}

/* One read of the whole file into a finished model (NULL with errno). */
static struct model *read_whole(struct model_load *l, const struct model_opts *mo)
{
	struct model_opts o = with_opts(l, mo);
	int err = trace_reader__rewind(l->priv->r);

	if (err) {
		errno = -err;
		return NULL;
	}
	return model__from_reader(l->priv->r, &o);
}

/* The options of a read of the window, mo's sinks given the whole trace's ids. */
static struct model_opts window_opts(struct model_load *l, const struct model_opts *mo)
{
	struct model_opts o = with_opts(l, NULL);

	if (has_sinks(mo)) {
		l->priv->cm.mo = mo;
		o.ctx = &l->priv->cm;
		o.on_span = mo->on_span ? map_span : NULL;
		o.on_transfer = mo->on_transfer ? map_transfer : NULL;
		o.on_wake = mo->on_wake ? map_wake : NULL;
		o.on_lost = mo->on_lost ? map_lost : NULL;
		o.on_model = mo->on_model ? map_model : NULL;
	}
	return o;
}

/* One read of the window's events into a finished model, its sinks given the whole trace's ids. */
static struct model *read_window(struct model_load *l, const struct model_opts *mo)
{
	struct model_opts o = window_opts(l, mo);
	int err = trace_reader__rewind(l->priv->r);

	if (err) {
		errno = -err;
		return NULL;
	}
	/* the window's read is held to the memory limit as the whole trace's is */
	return model__from_reader_window(l->priv->r, &o, l->from, l->to);
}

/*
 * The whole trace's model (*full) and the window's (returned, its ids the window's own)
 * from one read, the window placed by the trace's span as its blocks' headers give it
 * (trace_reader__scan_times); NULL where that cannot be had, *full still made. Checked
 * against the whole model's span by guessed_right.
 */
static struct model *read_both(struct model_load *l, const struct model_filter *f,
			       struct model **full)
{
	struct model_opts o = with_opts(l, NULL);
	uint64_t first, last;
	struct model *w;
	int err;

	*full = NULL;
	if (trace_reader__scan_times(l->priv->r, &first, &last) || !first) {
		*full = read_whole(l, NULL);
		return NULL;
	}
	l->priv->guess_from = first + f->from_ns;
	l->priv->guess_to = f->to_ns ? first + f->to_ns : last;
	err = trace_reader__rewind(l->priv->r);
	if (!err)
		err = model__pair_from_reader(l->priv->r, &o, &o, l->priv->guess_from,
					      l->priv->guess_to, full, &w);
	if (err) {
		errno = -err;
		return NULL;
	}
	return w;
}

/* The window read_both placed is the one the whole trace's span gives (l->from, l->to). */
static bool guessed_right(const struct model_load *l)
{
	return l->priv->guess_from == l->from && l->priv->guess_to == l->to;
}

struct model_load *model_load__open(struct trace_reader *r, const struct model_filter *f,
				    const struct model_opts *mo)
{
	struct model_load *l = calloc(1, sizeof(*l));
	struct model *full = NULL, *w = NULL;

	if (!l || !(l->priv = calloc(1, sizeof(*l->priv)))) {
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	l->priv->r = r;
	l->priv->opts.all_files = mo && mo->all_files;
	l->priv->windowed = model_filter__windowed(f);
	l->meta = trace_reader__meta(r);
	if (l->priv->windowed)
		w = read_both(l, f, &full);
	else
		full = read_whole(l, mo);
	if (!full)
		goto err;
	l->start = full->start_ts;
	l->from = full->start_ts;
	l->to = full->end_ts;
	if (!l->priv->windowed) {
		l->model = full;
		return l;
	}
	l->from = full->start_ts + f->from_ns;
	l->to = f->to_ns ? full->start_ts + f->to_ns : full->end_ts;
	/* the ids first, from a read without sinks; then the sinks' read, ids known */
	if (w && !guessed_right(l)) {
		model__free(w);
		w = NULL;
	}
	if (!w)
		w = read_window(l, NULL);
	if (!w)
		goto err;
	if (build_map(&l->priv->cm, w, full)) {
		model__free(w);
		errno = ENOMEM;
		goto err;
	}
	apply_map(w, &l->priv->cm);
	if (has_sinks(mo)) {
		model__free(w);
		w = read_window(l, mo);
		if (!w)
			goto err;
		apply_map(w, &l->priv->cm);
	}
	model__free(full);
	l->model = w;
	return l;
err:
	model__free(full);
	model_load__free(l);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

static int pass_sinks(struct model_load *l, const struct model_opts *window,
		      const struct model_opts *whole)
{
	struct tee t = { .a = window, .b = whole };
	struct model_opts both = { .ctx = &t, .on_span = tee_span, .on_transfer = tee_transfer,
				   .on_wake = tee_wake, .on_lost = tee_lost, .on_model = tee_model };
	struct model *m;

	if (!l->priv->windowed) {
		/* the window is the whole trace: one read feeds both */
		m = read_whole(l, window && whole ? &both : window ? window : whole);
		if (!m)
			return errno ? -errno : -ENOMEM;
		model__free(m);
		return 0;
	}
	if (whole && window) {
		/* one read feeds both, each its own model */
		struct model_opts wo = with_opts(l, whole), xo = window_opts(l, window);
		struct model *w;
		int err = trace_reader__rewind(l->priv->r);

		if (!err)
			err = model__pair_from_reader(l->priv->r, &wo, &xo, l->from, l->to, &m, &w);
		if (err)
			return err;
		model__free(m);
		model__free(w);
		return 0;
	}
	if (whole) {
		m = read_whole(l, whole);
		if (!m)
			return errno ? -errno : -ENOMEM;
		model__free(m);
	}
	if (window) {
		m = read_window(l, window);
		if (!m)
			return errno ? -errno : -ENOMEM;
		model__free(m);
	}
	return 0;
}

int model_load__pass(struct model_load *l, const struct model_opts *window,
		     const struct model_opts *whole)
{
	int err;

	/* these models are freed unread: their sinks' calls are the pass's only product */
	l->priv->opts.sinks_only = true;
	err = pass_sinks(l, window, whole);
	l->priv->opts.sinks_only = false;
	return err;
}

bool model_load__windowed(const struct model_load *l)
{
	return l->priv->windowed;
}

const char *model_load__damage(const struct model_load *l)
{
	return trace_reader__status(l->priv->r) != TRACE_OK ? trace_reader__status_msg(l->priv->r)
							    : NULL;
}

void model_load__free(struct model_load *l)
{
	if (!l)
		return;
	if (l->priv)
		free(l->priv->cm.to);
	free(l->priv);
	model__free(l->model);
	free(l);
}
