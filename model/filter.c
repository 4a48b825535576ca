// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The shared filters of the reading subcommands: one predicate, one window, one view. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "trace.h"

bool model_filter__windowed(const struct model_filter *f)
{
	return f && (f->from_ns || f->to_ns);
}

bool model_filter__chooses_channels(const struct model_filter *f)
{
	return f && (f->chans || f->kinds || f->min_bytes);
}

bool model_filter__any(const struct model_filter *f)
{
	return f && (f->pids || model_filter__chooses_channels(f) || model_filter__windowed(f));
}

bool model_filter__pid_listed(const struct model_filter *f, uint32_t pid)
{
	if (!f || !f->pids)
		return true;
	for (size_t i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return true;
	return false;
}

static bool chan_listed(const struct model_filter *f, int id)
{
	if (!f->chans)
		return true;
	for (size_t i = 0; i < f->nchans; i++)
		if (f->chans[i] == id)
			return true;
	return false;
}

bool model_filter__channel(const struct model_filter *f, const struct model_channel *c)
{
	if (!f)
		return true;
	if (!chan_listed(f, c->id) || c->bytes < f->min_bytes)
		return false;
	if (f->kinds && !(f->kinds & (1u << c->kind)))
		return false;
	if (!f->pids)
		return true;
	for (size_t j = 0; j < c->nendpoints; j++)
		if (model_filter__pid_listed(f, c->endpoints[j].pid))
			return true;
	return false;
}

bool model_filter__process(const struct model_filter *f, const struct model *m, uint32_t pid)
{
	if (!f)
		return true;
	if (f->pids)
		return model_filter__pid_listed(f, pid);
	if (!model_filter__chooses_channels(f))
		return true;
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!model_filter__channel(f, c))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++)
			if (c->endpoints[j].pid == pid)
				return true;
	}
	return false;
}

bool model_filter__wakeup(const struct model_filter *f, const struct model *m,
			  const struct model_wakeup *w)
{
	const struct model_channel *c;

	if (!f)
		return true;
	if (!model_filter__process(f, m, w->waker_pid) && !model_filter__process(f, m, w->wakee_pid))
		return false;
	if (!model_filter__chooses_channels(f))
		return true;
	c = w->chan ? model__channel(m, w->chan) : NULL;
	return c && model_filter__channel(f, c);
}

uint32_t model_filter__unknown_pid(const struct model_filter *f, const struct model *m)
{
	for (size_t i = 0; f && f->pids && i < f->npids; i++)
		if (!model__process(m, f->pids[i]))
			return f->pids[i];
	return 0;
}

int model_filter__unknown_chan(const struct model_filter *f, const struct model *m)
{
	for (size_t i = 0; f && f->chans && i < f->nchans; i++)
		if (!model__channel(m, f->chans[i]))
			return f->chans[i];
	return 0;
}

static size_t event_size(unsigned type)
{
	switch (type) {
	case IPCT_EV_SYSCALL: return sizeof(struct ipct_syscall);
	case IPCT_EV_SLEEP: return sizeof(struct ipct_sleep);
	case IPCT_EV_WAKEUP: return sizeof(struct ipct_wakeup);
	case IPCT_EV_FORK: case IPCT_EV_TASK: return sizeof(struct ipct_task);
	case IPCT_EV_EXEC: case IPCT_EV_EXIT: case IPCT_EV_COMM: return sizeof(struct ipct_proc);
	case IPCT_EV_CHAN: return sizeof(struct ipct_chan);
	case IPCT_EV_LOST: return sizeof(struct ipct_lost);
	default: return sizeof(struct ipct_hdr);
	}
}

const struct ipct_hdr *model_filter__clip(const struct ipct_hdr *ev, uint64_t from, uint64_t to,
					  void *buf)
{
	struct ipct_hdr *h = buf;

	if (!to)
		to = UINT64_MAX;
	switch (ev->type) {
	case IPCT_EV_SYSCALL: {
		const struct ipct_syscall *s = (const void *)ev;
		struct ipct_syscall *c = buf;

		/* a call counts where it returned: that is when its bytes moved */
		if (ev->ts < from || ev->ts > to)
			return NULL;
		if (!s->enter_ts || s->enter_ts >= from)
			return ev;
		*c = *s;
		c->enter_ts = from;
		return h;
	}
	case IPCT_EV_SLEEP: {
		const struct ipct_sleep *s = (const void *)ev;
		struct ipct_sleep *c = buf;
		bool unknown = (ev->flags & IPCT_F_OUT_UNKNOWN) || !s->out_ts;

		if (ev->ts < from || (!unknown && s->out_ts > to))
			return NULL;
		*c = *s;
		if (!unknown && c->out_ts < from)
			c->out_ts = from;
		if (c->wake_ts && c->wake_ts < from)
			c->wake_ts = from;
		if (c->h.ts > to) {
			c->h.ts = to;
			/* still asleep when the window ends: the wakeup is not in it */
			if (c->wake_ts > to) {
				c->wake_ts = 0;
				c->waker_pid = c->waker_tid = 0;
			}
		}
		return h;
	}
	case IPCT_EV_WAKEUP:
		return ev->ts < from || ev->ts > to ? NULL : ev;
	case IPCT_EV_LOST: {
		const struct ipct_lost *l = (const void *)ev;
		struct ipct_lost *c = buf;

		if (ev->ts < from || (l->first_ts && l->first_ts > to))
			return NULL;
		*c = *l;
		if (c->first_ts < from)
			c->first_ts = from;
		if (c->h.ts > to)
			c->h.ts = to;
		return h;
	}
	case IPCT_EV_CHAN:
		/* what a channel is does not depend on when it was named */
		memcpy(buf, ev, event_size(ev->type));
		h->ts = ev->ts < from ? from : ev->ts > to ? to : ev->ts;
		return h;
	default:
		/* names and births before the window hold in it; what comes after does not */
		if (ev->ts > to)
			return NULL;
		if (ev->ts >= from)
			return ev;
		memcpy(buf, ev, event_size(ev->type));
		h->ts = from;
		return h;
	}
}

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

static struct model *load_window(struct trace_reader *r, const struct model_opts *mo,
				 uint64_t from, uint64_t to)
{
	_Alignas(8) unsigned char buf[IPCT_EVENT_MAX];
	const struct ipct_hdr *e;
	struct model *m;
	int err = trace_reader__rewind(r);

	if (err) {
		errno = -err;
		return NULL;
	}
	m = model__new(mo);
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	while ((e = trace_reader__next(r)) != NULL) {
		const struct ipct_hdr *k = model_filter__clip(e, from, to, buf);

		if (k)
			model__add(m, k);
	}
	model__finish(m);
	if (model__failed(m)) {
		model__free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

struct model *model_filter__load(struct trace_reader *r, const struct model_opts *mo,
				 const struct model_filter *f, uint64_t *start)
{
	struct model *full, *w = NULL, *w2;
	struct chan_map cm = { .mo = mo };
	uint64_t from, to;

	full = model__from_reader(r, model_filter__windowed(f) ? NULL : mo);
	if (!full || !model_filter__windowed(f)) {
		if (full && start)
			*start = full->start_ts;
		return full;
	}
	if (start)
		*start = full->start_ts;
	from = full->start_ts + f->from_ns;
	to = f->to_ns ? full->start_ts + f->to_ns : full->end_ts;
	w = load_window(r, NULL, from, to);
	if (!w || build_map(&cm, w, full))
		goto err;
	apply_map(w, &cm);
	if (mo && (mo->on_span || mo->on_transfer || mo->on_wake || mo->on_lost)) {
		/* the sinks see the window's events once more, with the whole trace's ids */
		struct model_opts wrapped = *mo;

		wrapped.ctx = &cm;
		wrapped.on_span = mo->on_span ? map_span : NULL;
		wrapped.on_transfer = mo->on_transfer ? map_transfer : NULL;
		wrapped.on_wake = mo->on_wake ? map_wake : NULL;
		wrapped.on_lost = mo->on_lost ? map_lost : NULL;
		w2 = load_window(r, &wrapped, from, to);
		if (!w2)
			goto err;
		apply_map(w2, &cm);
		model__free(w);
		w = w2;
	}
	free(cm.to);
	model__free(full);
	return w;
err:
	free(cm.to);
	model__free(w);
	model__free(full);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

static int copy_channels(struct model *v, const struct model *m, const struct model_filter *f)
{
	v->channels = calloc(m->nchannels ? m->nchannels : 1, sizeof(*v->channels));
	if (!v->channels)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];
		struct model_channel *o;

		if (!model_filter__channel(f, c))
			continue;
		o = &v->channels[v->nchannels++];
		*o = *c;
		o->endpoints = calloc(c->nendpoints ? c->nendpoints : 1, sizeof(*o->endpoints));
		if (!o->endpoints) {
			o->nendpoints = 0;
			return -ENOMEM;
		}
		if (c->nendpoints)
			memcpy(o->endpoints, c->endpoints, c->nendpoints * sizeof(*o->endpoints));
	}
	return 0;
}

static int copy_processes(struct model *v, const struct model *m, const struct model_filter *f)
{
	size_t nt = 0;

	v->processes = calloc(m->nprocesses ? m->nprocesses : 1, sizeof(*v->processes));
	v->threads = calloc(m->nthreads ? m->nthreads : 1, sizeof(*v->threads));
	if (!v->processes || !v->threads)
		return -ENOMEM;
	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *p = &m->processes[i];
		struct model_process *o;

		if (!model_filter__process(f, m, p->pid))
			continue;
		o = &v->processes[v->nprocesses++];
		*o = *p;
		o->threads = calloc(p->nthreads ? p->nthreads : 1, sizeof(*o->threads));
		if (!o->threads) {
			o->nthreads = 0;
			return -ENOMEM;
		}
		o->nthreads = 0;
		for (size_t j = 0; j < p->nthreads; j++) {
			if (p->threads[j] >= m->nthreads)
				continue;
			v->threads[nt] = m->threads[p->threads[j]];
			o->threads[o->nthreads++] = nt++;
		}
	}
	v->nthreads = nt;
	return 0;
}

static int copy_wakeups(struct model *v, const struct model *m, const struct model_filter *f)
{
	v->wakeups = calloc(m->nwakeups ? m->nwakeups : 1, sizeof(*v->wakeups));
	if (!v->wakeups)
		return -ENOMEM;
	for (size_t i = 0; i < m->nwakeups; i++)
		if (model_filter__wakeup(f, m, &m->wakeups[i]))
			v->wakeups[v->nwakeups++] = m->wakeups[i];
	return 0;
}

struct model *model_filter__view(const struct model *m, const struct model_filter *f)
{
	struct model *v = model__new(NULL);

	if (!v)
		return NULL;
	v->start_ts = m->start_ts;
	v->end_ts = m->end_ts;
	v->events = m->events;
	v->lost_events = m->lost_events;
	v->unknown_chans = m->unknown_chans;
	if (copy_processes(v, m, f) || copy_channels(v, m, f) || copy_wakeups(v, m, f))
		goto err;
	v->lost = calloc(m->nlost ? m->nlost : 1, sizeof(*v->lost));
	if (!v->lost)
		goto err;
	if (m->nlost)
		memcpy(v->lost, m->lost, m->nlost * sizeof(*v->lost));
	v->nlost = m->nlost;
	if (model__reindex(v))
		goto err;
	return v;
err:
	model__free(v);
	errno = ENOMEM;
	return NULL;
}

enum ipct_kind model_filter__kind(const char *word)
{
	for (unsigned k = IPCT_KIND_NONE + 1; k < IPCT_KIND_MAX; k++)
		if (!strcmp(word, kind_name(k)))
			return k;
	return IPCT_KIND_NONE;
}

struct model_choice {
	const struct model *m;
	const struct model_filter *f;
	uint32_t *pids;            /* sorted; NULL = every process */
	size_t npids;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct model_choice *model_choice__new(const struct model *m, const struct model_filter *f)
{
	struct model_choice *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->m = m;
	c->f = f;
	if (!f || (!f->pids && !model_filter__chooses_channels(f)))
		return c;
	c->pids = calloc(m->nprocesses + 1, sizeof(*c->pids));
	if (!c->pids) {
		free(c);
		return NULL;
	}
	/* m->processes is sorted by pid, so the kept ones are too */
	for (size_t i = 0; i < m->nprocesses; i++)
		if (model_filter__process(f, m, m->processes[i].pid))
			c->pids[c->npids++] = m->processes[i].pid;
	return c;
}

bool model_choice__pid(const struct model_choice *c, uint32_t pid)
{
	return !c->pids || bsearch(&pid, c->pids, c->npids, sizeof(pid), cmp_u32);
}

bool model_choice__flow(const struct model_choice *c, int chan, uint32_t a, uint32_t b)
{
	const struct model_channel *ch = chan > 0 ? model__channel(c->m, chan) : NULL;

	if (model_filter__chooses_channels(c->f) && !(ch && model_filter__channel(c->f, ch)))
		return false;
	return model_choice__pid(c, a) || model_choice__pid(c, b);
}

void model_choice__free(struct model_choice *c)
{
	if (!c)
		return;
	free(c->pids);
	free(c);
}
