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
		memcpy(buf, ev, ipct_event_size(ev->type));
		h->ts = ev->ts < from ? from : ev->ts > to ? to : ev->ts;
		return h;
	default:
		/* names and births before the window hold in it; what comes after does not */
		if (ev->ts > to)
			return NULL;
		if (ev->ts >= from)
			return ev;
		memcpy(buf, ev, ipct_event_size(ev->type));
		h->ts = from;
		return h;
	}
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
