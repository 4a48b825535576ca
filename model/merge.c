// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Several machines' traces into one (merge.h): read each once to find its
 * sockets and messages, pair every two traces and fit their clocks, align
 * every machine on the first along the least uncertain path, then read them
 * again side by side and write their events in time order on that clock.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "merge.h"
#include "clocksync.h"
#include "netpair.h"

#define MAX_DRIFT 500e-6   /* NTP slews a clock by at most 500 ppm */

/* A socket of one trace whose CHAN event, once written, completes a pairing. */
struct link_ev {
	uint64_t ev;
	size_t pair;
};

struct pair_link {
	uint32_t in[2];
	uint64_t chan[2];      /* remapped ids */
	int written;
};

struct input {
	const char *path;
	struct trace_reader *r;
	struct trace_meta meta;
	struct net_scan *scan;
	uint64_t first_ts, last_ts, events;
	/* this trace's clock onto the first's: ref = A * (t - X) + C */
	long double A, C;
	int64_t X;
	bool placed;
	double unc;
	uint32_t parent;
	uint64_t salt;
	struct link_ev *links;
	size_t nlinks, clinks, next_link;
	union {
		struct ipct_hdr h;
		uint8_t bytes[IPCT_EVENT_MAX];
	} ev;
	bool have_ev;
	uint64_t evno, nread;   /* index of the event held, events read */
};

struct edge {
	uint32_t a, b;
	struct clocksync *cs;
	struct clock_fit fit;
	struct net_pair *pairs;
	size_t npairs;
};

struct merger {
	const struct merge_opts *o;
	struct input *in;
	size_t n;
	struct edge *edges;
	size_t nedges;
	struct pair_link *plinks;
	size_t nplinks, cplinks;
	char *why;
	size_t whylen;
};

static __attribute__((format(printf, 2, 3))) int fail(struct merger *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, m->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static bool same_machine(const struct trace_meta *a, const struct trace_meta *b)
{
	if (!a->boot_id[0] || !b->boot_id[0])
		return !a->boot_id[0] && !b->boot_id[0] && !strcmp(a->host, b->host);
	if (strcmp(a->boot_id, b->boot_id))
		return false;
	/* one kernel, but other network namespaces: machines as far as the network goes */
	if (!a->nnetns || !b->nnetns)
		return true;
	for (uint32_t i = 0; i < a->nnetns; i++)
		for (uint32_t j = 0; j < b->nnetns; j++)
			if (a->netns[i] == b->netns[j])
				return true;
	return false;
}

static int open_inputs(struct merger *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct input *in = &m->in[i];
		const char *msg = NULL;
		int err = 0;

		in->path = m->o->paths[i];
		in->r = trace_reader__open_path(in->path, &err, &msg);
		if (!in->r)
			return fail(m, "cannot merge %s: %s", in->path, msg ? msg : strerror(-err));
		in->meta = *trace_reader__meta(in->r);
		if (in->meta.nhosts)
			return fail(m, "%s is already a merged trace: merge the traces recorded on each machine",
				    in->path);
		for (size_t j = 0; j < i; j++)
			if (same_machine(&m->in[j].meta, &in->meta))
				return fail(m, "%s and %s were recorded on the same machine (boot id %s): "
					    "merge traces of different machines or network namespaces",
					    m->in[j].path, in->path,
					    in->meta.boot_id[0] ? in->meta.boot_id : "unknown");
		in->salt = i ? splitmix(i) | 1 : 0;
		in->parent = i;
	}
	return 0;
}

static int scan_inputs(struct merger *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct input *in = &m->in[i];
		const struct ipct_hdr *e;

		in->scan = net_scan__new(&in->meta, i);
		if (!in->scan)
			return -ENOMEM;
		while ((e = trace_reader__next(in->r)) != NULL) {
			if (!in->events || e->ts < in->first_ts)
				in->first_ts = e->ts;
			if (e->ts > in->last_ts)
				in->last_ts = e->ts;
			in->events++;
			if (e->pid > TRACE_HOST_PID_MASK || e->tid > TRACE_HOST_PID_MASK)
				return fail(m, "%s holds pid %u, above any machine's pid_max: it is not a "
					    "trace ipctrace recorded", in->path, e->tid);
			if (net_scan__add(in->scan, e))
				return -ENOMEM;
		}
		if (trace_reader__status(in->r) != TRACE_OK)
			return fail(m, "%s is damaged (%s): merge needs whole traces", in->path,
				    trace_reader__status_msg(in->r));
		if (!in->events)
			return fail(m, "%s holds no events: nothing to merge", in->path);
	}
	return 0;
}

/* Wall-clock span of a trace, from its own first guess (the clocks' offset at start). */
static void wall_span(const struct input *in, int64_t *lo, int64_t *hi)
{
	int64_t d = (int64_t)in->meta.start_real_ns - (int64_t)in->meta.start_mono_ns;

	*lo = (int64_t)in->first_ts + d;
	*hi = (int64_t)in->last_ts + d;
}

static int check_overlap(struct merger *m)
{
	for (size_t i = 0; i < m->n; i++) {
		int64_t lo, hi;
		bool any = false;

		if (!m->in[i].meta.start_real_ns)
			continue;
		wall_span(&m->in[i], &lo, &hi);
		for (size_t j = 0; j < m->n && !any; j++) {
			int64_t lo2, hi2;

			if (j == i || !m->in[j].meta.start_real_ns)
				continue;
			wall_span(&m->in[j], &lo2, &hi2);
			any = lo <= hi2 && lo2 <= hi;
		}
		if (!any && m->n > 1)
			return fail(m, "%s overlaps no other trace in time (by the machines' wall clocks): "
				    "record the machines at the same time", m->in[i].path);
	}
	return 0;
}

static int add_plink(struct merger *m, struct input *in, uint64_t ev)
{
	if (in->nlinks == in->clinks) {
		size_t nc = in->clinks ? in->clinks * 2 : 16;
		struct link_ev *nl = realloc(in->links, nc * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		in->links = nl;
		in->clinks = nc;
	}
	in->links[in->nlinks++] = (struct link_ev){ .ev = ev, .pair = m->nplinks };
	return 0;
}

static int fit_pairs(struct merger *m)
{
	m->edges = calloc(m->n * m->n, sizeof(*m->edges));
	if (!m->edges)
		return -ENOMEM;
	for (uint32_t a = 0; a < m->n; a++) {
		for (uint32_t b = a + 1; b < m->n; b++) {
			struct edge *e = &m->edges[m->nedges++];
			int err;

			e->a = a;
			e->b = b;
			e->cs = clocksync__new();
			if (!e->cs)
				return -ENOMEM;
			err = net_scan__pair(m->in[a].scan, m->in[b].scan, e->cs, &e->pairs, &e->npairs);
			if (!err)
				err = clocksync__fit(e->cs, MAX_DRIFT, &e->fit);
			if (err)
				return err;
			if (e->fit.status == CLOCK_FIT_CROSSED)
				return fail(m, "the messages between %s and %s contradict every clock "
					    "alignment (their bounds cross by %.0f ns): check that both "
					    "traces lost no events and record them again",
					    m->in[a].path, m->in[b].path, e->fit.gap_ns);
			for (size_t k = 0; k < e->npairs; k++) {
				if (m->nplinks == m->cplinks) {
					size_t nc = m->cplinks ? m->cplinks * 2 : 16;
					struct pair_link *np = realloc(m->plinks, nc * sizeof(*np));

					if (!np)
						return -ENOMEM;
					m->plinks = np;
					m->cplinks = nc;
				}
				m->plinks[m->nplinks] = (struct pair_link){
					.in = { a, b },
					.chan = { e->pairs[k].chan_a ^ m->in[a].salt,
						  e->pairs[k].chan_b ^ m->in[b].salt },
				};
				if (add_plink(m, &m->in[a], e->pairs[k].ev_a) ||
				    add_plink(m, &m->in[b], e->pairs[k].ev_b))
					return -ENOMEM;
				m->nplinks++;
			}
		}
	}
	return 0;
}

static double edge_width(const struct edge *e)
{
	return clock_fit__max_width(&e->fit);
}

/* Dijkstra from the first trace: each machine aligned along its least uncertain path. */
static int align(struct merger *m)
{
	m->in[0].placed = true;
	m->in[0].A = 1;
	for (;;) {
		struct edge *best = NULL;
		double best_unc = INFINITY;
		uint32_t from = 0, to = 0;

		for (size_t k = 0; k < m->nedges; k++) {
			struct edge *e = &m->edges[k];
			uint32_t p, c;
			double u;

			if (e->fit.status != CLOCK_FIT_OK || m->in[e->a].placed == m->in[e->b].placed)
				continue;
			p = m->in[e->a].placed ? e->a : e->b;
			c = p == e->a ? e->b : e->a;
			u = m->in[p].unc + edge_width(e);
			if (u < best_unc) {
				best_unc = u;
				best = e;
				from = p;
				to = c;
			}
		}
		if (!best)
			break;
		{
			struct input *pp = &m->in[from], *ch = &m->in[to];
			const struct clock_fit *f = &best->fit;
			/* the fit maps b's clock onto a's: p = a * (t - x0) + c */
			long double a = f->a, c = f->b + f->y0;
			int64_t x0 = f->x0;

			if (from == best->b) {
				/* the other way round: invert it */
				long double ia = 1 / a, ic = (long double)x0;

				x0 = (int64_t)llroundl(c);
				c = ic + ia * ((long double)x0 - (f->b + f->y0));
				a = ia;
			}
			ch->A = pp->A * a;
			ch->X = x0;
			ch->C = pp->A * (c - pp->X) + pp->C;
			ch->unc = best_unc;
			ch->parent = from;
			ch->placed = true;
		}
	}
	for (size_t i = 1; i < m->n; i++) {
		bool one_way = false;

		if (m->in[i].placed)
			continue;
		for (size_t k = 0; k < m->nedges; k++)
			if ((m->edges[k].a == i || m->edges[k].b == i) &&
			    m->edges[k].fit.status == CLOCK_FIT_ONE_WAY)
				one_way = true;
		if (one_way)
			return fail(m, "%s and the traces it exchanged with have messages one way only: "
				    "replies are needed to bound its clock from both sides", m->in[i].path);
		return fail(m, "%s shares no TCP or UDP exchange with the other traces that both ends "
			    "saw from its start: record the machines while they talk to each other",
			    m->in[i].path);
	}
	return 0;
}

static int64_t map_ts(const struct input *in, uint64_t t)
{
	long double r;

	if (!t)
		return 0;
	r = in->A * ((long double)t - in->X) + in->C;
	return r < 1 ? 1 : (int64_t)llroundl(r);
}

/* The edge that aligned host i on its parent. */
static const struct edge *parent_edge(const struct merger *m, size_t i)
{
	uint32_t p = m->in[i].parent;

	for (size_t k = 0; k < m->nedges; k++) {
		const struct edge *e = &m->edges[k];

		if ((e->a == i && e->b == p) || (e->b == i && e->a == p))
			return e;
	}
	return NULL;
}

/* Host i's time when the merged clock reads T. */
static long double local_time(const struct input *in, long double T)
{
	return (T - in->C) / in->A + in->X;
}

/* The widths of the edges on host i's path to the first, summed at merged time T. */
static double path_width(const struct merger *m, size_t i, long double T)
{
	double w = 0;

	for (size_t h = i; h != 0; h = m->in[h].parent) {
		const struct edge *e = parent_edge(m, h);

		w += clock_fit__width(&e->fit, local_time(&m->in[e->b], T));
	}
	return w;
}

/* Where the path's bounds are narrowest (a sum of convex widths is convex) and widest. */
static void path_uncertainty(const struct merger *m, size_t i, struct trace_host *h)
{
	long double lo = -INFINITY, hi = INFINITY, ulo = INFINITY, uhi = -INFINITY;

	for (size_t k = i; k != 0; k = m->in[k].parent) {
		const struct edge *e = parent_edge(m, k);
		const struct input *b = &m->in[e->b];
		long double f = b->A * ((long double)e->fit.first_t - b->X) + b->C;
		long double l = b->A * ((long double)e->fit.last_t - b->X) + b->C;

		lo = f > lo ? f : lo;
		hi = l < hi ? l : hi;
		ulo = f < ulo ? f : ulo;
		uhi = l > uhi ? l : uhi;
	}
	/* edges whose messages never overlap in time: over all of them */
	if (lo > hi) {
		lo = ulo;
		hi = uhi;
	}
	h->max_uncertainty_ns = (uint64_t)ceil(fmax(path_width(m, i, lo), path_width(m, i, hi)));
	for (int k = 0; k < 200 && hi - lo > 0.5L; k++) {
		long double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;

		if (path_width(m, i, m1) <= path_width(m, i, m2))
			hi = m2;
		else
			lo = m1;
	}
	h->uncertainty_at_ns = (uint64_t)llroundl((lo + hi) / 2);
	h->uncertainty_ns = (uint64_t)ceil(path_width(m, i, (lo + hi) / 2));
}

static void fill_hosts(struct merger *m, struct merge_result *res)
{
	struct trace_meta *o = &res->meta;
	const struct trace_meta *first = &m->in[0].meta;
	size_t hl = 0, cl = 0;

	o->start_mono_ns = first->start_mono_ns;
	o->start_real_ns = first->start_real_ns;
	snprintf(o->kernel, sizeof(o->kernel), "%s", first->kernel);
	snprintf(o->arch, sizeof(o->arch), "%s", first->arch);
	o->nhosts = m->n;
	for (size_t i = 0; i < m->n; i++) {
		struct input *in = &m->in[i];
		struct trace_host *h = &o->hosts[i];
		long double R0 = first->start_mono_ns;
		bool dup = false;

		for (size_t j = 0; j < m->n; j++)
			if (j != i && !strcmp(m->in[j].meta.host, in->meta.host))
				dup = true;
		if (dup) {
			const char *base = strrchr(in->path, '/');
			size_t len;

			base = base ? base + 1 : in->path;
			len = strlen(base);
			if (len > 6 && !strcmp(base + len - 6, ".trace"))
				len -= 6;
			snprintf(h->name, sizeof(h->name), "%.120s/%.*s", in->meta.host,
				 (int)(len > 120 ? 120 : len), base);
		} else {
			snprintf(h->name, sizeof(h->name), "%s", in->meta.host[0] ? in->meta.host : "?");
		}
		snprintf(h->boot_id, sizeof(h->boot_id), "%s", in->meta.boot_id);
		h->netns = in->meta.nnetns ? in->meta.netns[0] : 0;
		h->start_real_ns = in->meta.start_real_ns;
		h->aligned_to = in->parent;
		if (i) {
			const struct edge *e = parent_edge(m, i);

			/* this machine's clock minus the first's, when the first's read R0 */
			h->offset_ns = (int64_t)llroundl(local_time(in, R0) - R0);
			h->drift_ppm = (double)((1 / in->A - 1) * 1e6);
			h->messages = clocksync__count(e->cs);
			path_uncertainty(m, i, h);
			for (size_t k = i; k != 0; k = m->in[k].parent) {
				const struct clock_fit *f = &parent_edge(m, k)->fit;

				h->drift_uncertainty_ppm += (double)((1 / f->a_lo - 1 / f->a_hi) / 2 * 1e6);
			}
		}
		hl += snprintf(o->host + hl, sizeof(o->host) - hl, "%s%s", i ? ", " : "", h->name);
		if (hl >= sizeof(o->host))
			hl = sizeof(o->host) - 1;
		/* the title: which machines */
		cl += snprintf(o->cmdline + cl, sizeof(o->cmdline) - cl, "%s%s",
			       i ? " + " : "merge of ", h->name);
		if (cl >= sizeof(o->cmdline))
			cl = sizeof(o->cmdline) - 1;
	}
}

static uint32_t map_id(const struct input *in, size_t host, uint32_t id)
{
	return host && id ? (uint32_t)(host << TRACE_HOST_SHIFT) | id : id;
}

static uint64_t map_chan(const struct input *in, uint64_t chan)
{
	return chan ? chan ^ in->salt : 0;
}

/*
 * A pid this trace saw only from outside (a waker, a wakee) that another
 * trace of the same kernel traced: there it is that trace's (netns machines
 * share one kernel and its pids). Else this trace's own.
 */
static uint32_t other_host(const struct merger *m, size_t host, uint32_t pid)
{
	if (!pid || net_scan__traced(m->in[host].scan, pid))
		return host;
	for (size_t j = 0; j < m->n; j++)
		if (j != host && m->in[j].meta.boot_id[0] &&
		    !strcmp(m->in[j].meta.boot_id, m->in[host].meta.boot_id) &&
		    net_scan__traced(m->in[j].scan, pid))
			return j;
	return host;
}

static bool is_recv(unsigned op)
{
	return op == IPCT_OP_READ || op == IPCT_OP_RECV || op == IPCT_OP_SPLICE;
}

/* A receive woken by the network (an interrupt) was woken by whoever sent the data on the other machine. */
static bool wake_across(const struct merger *m, const struct input *in, size_t host,
			struct ipct_sleep *s)
{
	uint32_t sh, sp, st;

	if (!s->state || !s->chan || !is_recv(s->op) || !s->wake_ts)
		return false;
	/* woken by a process of its own machine: that stays */
	if (s->waker_pid && net_scan__traced(in->scan, s->waker_pid))
		return false;
	if (!net_scan__sender(in->scan, s->chan, s->h.tid, s->h.ts, &sh, &sp, &st))
		return false;
	s->waker_pid = map_id(&m->in[sh], sh, sp);
	s->waker_tid = map_id(&m->in[sh], sh, st);
	s->waker_op = IPCT_OP_SEND;
	s->waker_chan = map_chan(in, s->chan);
	return true;
}

/* The event rewritten onto the first trace's clock, with this machine's ids; false: leave it out. */
static bool remap(const struct merger *m, const struct input *in, size_t host, struct ipct_hdr *h)
{
	/* before the ids and times change: the sender is looked up by the trace's own */
	bool across = h->type == IPCT_EV_SLEEP && wake_across(m, in, host, (void *)h);

	h->ts = map_ts(in, h->ts);
	h->pid = map_id(in, host, h->pid);
	h->tid = map_id(in, host, h->tid);
	switch (h->type) {
	case IPCT_EV_SYSCALL: {
		struct ipct_syscall *s = (void *)h;

		s->enter_ts = map_ts(in, s->enter_ts);
		if (s->enter_ts > h->ts)
			s->enter_ts = h->ts;
		s->chan = map_chan(in, s->chan);
		s->chan2 = map_chan(in, s->chan2);
		if (s->op == IPCT_OP_KILL && s->arg > 0 && s->arg <= TRACE_HOST_PID_MASK)
			s->arg = map_id(in, host, (uint32_t)s->arg);
		break;
	}
	case IPCT_EV_SLEEP: {
		struct ipct_sleep *s = (void *)h;
		uint32_t wpid = s->waker_pid, wtid = s->waker_tid;
		size_t wh = other_host(m, host, wpid);
		uint64_t wchan = s->waker_chan;

		s->out_ts = map_ts(in, s->out_ts);
		s->wake_ts = map_ts(in, s->wake_ts);
		s->chan = map_chan(in, s->chan);
		if (across)
			break;
		s->waker_pid = map_id(&m->in[wh], wh, wpid);
		s->waker_tid = map_id(&m->in[wh], wh, wtid);
		/* another machine's channel ids are not this trace's: a receive was woken through its own */
		s->waker_chan = wh == host ? map_chan(in, wchan) :
				is_recv(s->op) ? s->chan : 0;
		break;
	}
	case IPCT_EV_WAKEUP: {
		struct ipct_wakeup *w = (void *)h;

		/* the wakee is traced on its own machine, which records this wakeup itself */
		if (other_host(m, host, w->wakee_pid) != host)
			return false;
		w->chan = map_chan(in, w->chan);
		w->wakee_pid = map_id(in, host, w->wakee_pid);
		w->wakee_tid = map_id(in, host, w->wakee_tid);
		break;
	}
	case IPCT_EV_FORK:
	case IPCT_EV_TASK: {
		struct ipct_task *t = (void *)h;

		t->child_pid = map_id(in, host, t->child_pid);
		t->child_tid = map_id(in, host, t->child_tid);
		break;
	}
	case IPCT_EV_CHAN: {
		struct ipct_chan *c = (void *)h;

		c->chan = map_chan(in, c->chan);
		c->peer = map_chan(in, c->peer);
		/* a signal channel's ino is the pid it signals */
		if (c->kind == IPCT_KIND_SIGNAL && c->ino && c->ino <= TRACE_HOST_PID_MASK)
			c->ino = map_id(in, host, (uint32_t)c->ino);
		/* a connected unix socket names the process at its other end, on this machine */
		if ((c->kind == IPCT_KIND_UNIX_STREAM || c->kind == IPCT_KIND_UNIX_SEQPACKET) &&
		    c->peer_pid && c->peer_pid <= TRACE_HOST_PID_MASK)
			c->peer_pid = map_id(in, host, c->peer_pid);
		break;
	}
	case IPCT_EV_LOST: {
		struct ipct_lost *l = (void *)h;

		l->first_ts = map_ts(in, l->first_ts);
		break;
	}
	case IPCT_EV_MAP: {
		struct ipct_map *mp = (void *)h;

		mp->chan = map_chan(in, mp->chan);
		break;
	}
	default:
		break;
	}
	return true;
}

static void advance(const struct merger *m, struct input *in, size_t host)
{
	const struct ipct_hdr *e;

again:
	e = trace_reader__next(in->r);
	in->have_ev = e != NULL;
	if (!e)
		return;
	in->evno = in->nread++;
	memcpy(in->ev.bytes, e, ipct_event_size(e->type));
	if (!remap(m, in, host, &in->ev.h))
		goto again;
}

static int cmp_link(const void *a, const void *b)
{
	const struct link_ev *x = a, *y = b;

	return (x->ev > y->ev) - (x->ev < y->ev);
}

/* After in's event evno is written: join the connections whose two ends are now both known. */
static int write_links(struct merger *m, struct input *in, size_t host, struct trace_writer *w)
{
	while (in->next_link < in->nlinks && in->links[in->next_link].ev == in->evno) {
		struct pair_link *pl = &m->plinks[in->links[in->next_link++].pair];
		int err;

		if (++pl->written == 2 && in->ev.h.type == IPCT_EV_CHAN) {
			struct ipct_chan c;

			memcpy(&c, in->ev.bytes, sizeof(c));
			c.peer = pl->in[0] == host ? pl->chan[1] : pl->chan[0];
			err = trace_writer__add(w, &c.h);
			if (err)
				return err;
		}
	}
	return 0;
}

static int write_merged(struct merger *m, int fd, struct merge_result *res)
{
	struct trace_writer *w = trace_writer__open_fd(fd, &res->meta, m->o->zlevel);
	int err = 0;

	if (!w)
		return -errno;
	for (size_t i = 0; i < m->n; i++) {
		struct input *in = &m->in[i];

		qsort(in->links, in->nlinks, sizeof(*in->links), cmp_link);
		if ((err = trace_reader__rewind(in->r)))
			break;
		advance(m, in, i);
	}
	while (!err) {
		size_t pick = m->n;

		for (size_t i = 0; i < m->n; i++)
			if (m->in[i].have_ev && (pick == m->n || m->in[i].ev.h.ts < m->in[pick].ev.h.ts))
				pick = i;
		if (pick == m->n)
			break;
		err = trace_writer__add(w, &m->in[pick].ev.h);
		if (!err)
			err = write_links(m, &m->in[pick], pick, w);
		advance(m, &m->in[pick], pick);
	}
	res->events = trace_writer__events(w);
	if (err) {
		trace_writer__free(w);
		return err;
	}
	return trace_writer__close(w);
}

static int summarise(struct merger *m, struct merge_result *res)
{
	res->links = calloc(m->nedges ? m->nedges : 1, sizeof(*res->links));
	if (!res->links)
		return -ENOMEM;
	for (size_t k = 0; k < m->nedges; k++) {
		const struct edge *e = &m->edges[k];
		struct merge_link *l;
		int64_t at = 0;

		if (!e->npairs)
			continue;
		l = &res->links[res->nlinks++];
		l->a = e->a;
		l->b = e->b;
		l->connections = e->npairs;
		for (size_t i = 0; i < e->npairs; i++) {
			l->timed += e->pairs[i].timed;
			l->messages += e->pairs[i].messages;
		}
		if (e->fit.status == CLOCK_FIT_OK) {
			l->min_width_ns = clock_fit__min_width(&e->fit, &at);
			l->max_width_ns = clock_fit__max_width(&e->fit);
			l->min_width_at = map_ts(&m->in[e->b], at);
		}
	}
	return 0;
}

int merge__run(const struct merge_opts *o, int fd, struct merge_result *res, char *why, size_t whylen)
{
	struct merger m = { .o = o, .n = o->n, .why = why, .whylen = whylen };
	int err;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	if (o->n < 2 || o->n > TRACE_HOSTS_MAX) {
		snprintf(why, whylen, "merge takes 2 to %d traces, not %zu", TRACE_HOSTS_MAX, o->n);
		return -EINVAL;
	}
	m.in = calloc(o->n, sizeof(*m.in));
	if (!m.in)
		return -ENOMEM;
	err = open_inputs(&m);
	if (!err)
		err = scan_inputs(&m);
	if (!err)
		err = check_overlap(&m);
	if (!err)
		err = fit_pairs(&m);
	if (!err)
		err = align(&m);
	if (!err) {
		fill_hosts(&m, res);
		err = summarise(&m, res);
	}
	if (!err)
		err = write_merged(&m, fd, res);
	if (err == -ENOMEM && !why[0])
		snprintf(why, whylen, "merging failed: out of memory: free some memory");
	else if (err && !why[0])
		snprintf(why, whylen, "writing the merged trace failed: %s: choose another -o",
			 strerror(-err));
	for (size_t i = 0; i < o->n; i++) {
		trace_reader__free(m.in[i].r);
		net_scan__free(m.in[i].scan);
		free(m.in[i].links);
	}
	for (size_t k = 0; k < m.nedges; k++) {
		clocksync__free(m.edges[k].cs);
		clock_fit__release(&m.edges[k].fit);
		free(m.edges[k].pairs);
	}
	free(m.edges);
	free(m.plinks);
	free(m.in);
	if (err)
		merge_result__release(res);
	return err;
}

void merge_result__release(struct merge_result *res)
{
	free(res->links);
	res->links = NULL;
	res->nlinks = 0;
}
