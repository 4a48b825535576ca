// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The critical path. A second model pass hands its spans and wakeups to a
 * collector that keeps, per thread, each off-CPU stretch inside the window
 * with the wakeup that ended it. The walk then goes over the target's
 * window: time between stretches is running, a stretch's runnable tail is
 * runnable, and its blocked part is replaced by the waker's own walk over
 * the same interval, until a wait ends in an interrupt, a timer, an
 * untraced task or a wait nobody was seen to end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"

#define CP_MAX_DEPTH 64          /* deeper chains end as `blocked`: a guard against bad data */
#define CP_WAKE_LOOKBACK 4       /* stretches searched back for the one a wakeup ends */

#define OFF_BLOCKED 0x1          /* asleep in [out, wake]; else preempted (runnable all along) */
#define OFF_WOKEN 0x2            /* a wakeup ended it: waker_* are known (0 = interrupt) */
#define OFF_EXITED 0x4           /* the call it slept in returned */
#define OFF_TIMED_OUT 0x8        /* ... saying its timeout expired */

/* One off-CPU stretch: blocked [out, wake], runnable [wake, in]. */
struct cp_off {
	uint64_t out, wake, in;
	uint32_t waker_pid, waker_tid;
	int chan, wake_chan;
	uint8_t op, waker_op, flags;
};

struct cp_lane {
	struct cp_off *offs;
	size_t n, cap;
};

struct cp_collector {
	uint64_t from, to;
	struct cp_lane *lanes;
	size_t nlanes, clanes;
	uint32_t *slot_tid, *slot_lane;   /* open addressing tid -> lane; slot_lane UINT32_MAX = free */
	size_t nslots;
	int err;
};

static const char *const state_names[CP_STATE_COUNT] = {
	[CP_RUNNING] = "running",
	[CP_RUNNABLE] = "runnable",
	[CP_BLOCKED] = "blocked",
	[CP_INTERRUPT] = "interrupt",
	[CP_TIMER] = "timer",
	[CP_UNTRACED] = "untraced",
	[CP_UNKNOWN] = "unknown",
};

const char *cp_state_name(enum cp_state s)
{
	return (unsigned)s < CP_STATE_COUNT ? state_names[s] : "unknown";
}

enum model_mode cp_wait_mode(unsigned op, int chan)
{
	switch (op) {
	case IPCT_OP_POLL:
	case IPCT_OP_SELECT:
	case IPCT_OP_EPOLL_WAIT:
		return MODE_ASYNC_BLOCKING;
	case IPCT_OP_NANOSLEEP:
	case IPCT_OP_OTHER:
		return MODE_NONE;
	default:
		return chan ? MODE_SYNC_BLOCKING : MODE_NONE;
	}
}

struct cp_collector *cp_collector__new(uint64_t from, uint64_t to)
{
	struct cp_collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->from = from;
	c->to = to ? to : UINT64_MAX;
	return c;
}

void cp_collector__free(struct cp_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlanes; i++)
		free(c->lanes[i].offs);
	free(c->lanes);
	free(c->slot_tid);
	free(c->slot_lane);
	free(c);
}

static size_t slot_of(const struct cp_collector *c, uint32_t tid)
{
	size_t i = (tid * 2654435761u) & (c->nslots - 1);

	while (c->slot_lane[i] != UINT32_MAX && c->slot_tid[i] != tid)
		i = (i + 1) & (c->nslots - 1);
	return i;
}

static int slots_grow(struct cp_collector *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 64;
	uint32_t *tids = calloc(n, sizeof(*tids)), *lanes = malloc(n * sizeof(*lanes));
	struct cp_collector old = *c;

	if (!tids || !lanes) {
		free(tids);
		free(lanes);
		return -ENOMEM;
	}
	memset(lanes, 0xff, n * sizeof(*lanes));
	c->slot_tid = tids;
	c->slot_lane = lanes;
	c->nslots = n;
	for (size_t i = 0; i < old.nslots; i++) {
		if (old.slot_lane[i] != UINT32_MAX) {
			size_t j = slot_of(c, old.slot_tid[i]);

			c->slot_tid[j] = old.slot_tid[i];
			c->slot_lane[j] = old.slot_lane[i];
		}
	}
	free(old.slot_tid);
	free(old.slot_lane);
	return 0;
}

/* Index of tid's lane, SIZE_MAX if it has none. */
static size_t lane_find(const struct cp_collector *c, uint32_t tid)
{
	size_t i;

	if (!c->nslots)
		return SIZE_MAX;
	i = slot_of(c, tid);
	return c->slot_lane[i] == UINT32_MAX ? SIZE_MAX : c->slot_lane[i];
}

/* The lane of tid; create: make one if it has none (NULL on ENOMEM). */
static struct cp_lane *lane_of(struct cp_collector *c, uint32_t tid, bool create)
{
	size_t i = lane_find(c, tid);

	if (i != SIZE_MAX)
		return &c->lanes[i];
	if (!create)
		return NULL;
	if ((c->nlanes + 1) * 2 > c->nslots && slots_grow(c))
		goto oom;
	if (c->nlanes == c->clanes) {
		size_t n = c->clanes ? c->clanes * 2 : 16;
		struct cp_lane *l = realloc(c->lanes, n * sizeof(*l));

		if (!l)
			goto oom;
		c->lanes = l;
		c->clanes = n;
	}
	i = slot_of(c, tid);
	c->slot_tid[i] = tid;
	c->slot_lane[i] = c->nlanes;
	c->lanes[c->nlanes] = (struct cp_lane){ 0 };
	return &c->lanes[c->nlanes++];
oom:
	c->err = -ENOMEM;
	return NULL;
}

static struct cp_off *lane_push(struct cp_collector *c, struct cp_lane *l, struct cp_off o)
{
	if (l->n) {
		const struct cp_off *last = &l->offs[l->n - 1];

		/* stretches of one thread never overlap: clock skew cannot make them */
		if (o.out < last->in)
			o.out = last->in;
		if (o.wake < o.out)
			o.wake = o.out;
		if (o.in < o.wake)
			return NULL;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct cp_off *n = realloc(l->offs, ncap * sizeof(*n));

		if (!n) {
			c->err = -ENOMEM;
			return NULL;
		}
		l->offs = n;
		l->cap = ncap;
	}
	l->offs[l->n] = o;
	return &l->offs[l->n++];
}

static bool outside(const struct cp_collector *c, uint64_t a, uint64_t b)
{
	return b < c->from || a > c->to;
}

/* Whether a call that returned ret ended by its timeout (an interrupt-context wake was the timer). */
static bool timed_out(unsigned op, int64_t ret)
{
	switch (op) {
	case IPCT_OP_NANOSLEEP:
		return true;
	case IPCT_OP_POLL:
	case IPCT_OP_SELECT:
	case IPCT_OP_EPOLL_WAIT:
		return ret == 0;
	default:
		return ret == -ETIMEDOUT || ret == -EAGAIN;
	}
}

/* A syscall that returned: the stretches it slept in learn their channel and result. */
static void syscall_exit(struct cp_lane *l, const struct model_span *s)
{
	for (size_t i = l->n; i-- > 0;) {
		struct cp_off *o = &l->offs[i];

		if (o->out < s->start || (o->flags & OFF_EXITED))
			break;
		if (o->in > s->end)
			continue;
		/* a channel's first wait may precede its report id: the exit has it */
		if (!o->chan)
			o->chan = s->chan;
		o->flags |= OFF_EXITED | (timed_out(o->op, s->ret) ? OFF_TIMED_OUT : 0);
	}
}

static void on_span(void *ctx, const struct model_span *s)
{
	struct cp_collector *c = ctx;
	struct cp_lane *l;
	struct cp_off *last;

	if (s->end < s->start || (s->state != SPAN_BLOCKED && s->state != SPAN_RUNNABLE &&
				  s->state != SPAN_SYSCALL))
		return;
	l = lane_of(c, s->tid, s->state != SPAN_SYSCALL);
	if (!l)
		return;
	last = l->n ? &l->offs[l->n - 1] : NULL;
	switch (s->state) {
	case SPAN_BLOCKED:
		if (outside(c, s->start, s->end))
			return;
		lane_push(c, l, (struct cp_off){ .out = s->start, .wake = s->end, .in = s->end,
						 .chan = s->chan, .op = s->op, .flags = OFF_BLOCKED });
		break;
	case SPAN_RUNNABLE:
		/* the runnable tail of the sleep just seen */
		if (last && (last->flags & OFF_BLOCKED) && last->wake == s->start &&
		    last->in == last->wake) {
			last->in = s->end;
			return;
		}
		if (outside(c, s->start, s->end))
			return;
		lane_push(c, l, (struct cp_off){ .out = s->start, .wake = s->start, .in = s->end,
						 .chan = s->chan, .op = s->op });
		break;
	case SPAN_SYSCALL:
		syscall_exit(l, s);
		break;
	default:
		break;
	}
}

static void on_wake(void *ctx, const struct model_wake *w)
{
	struct cp_collector *c = ctx;
	struct cp_lane *l = lane_of(c, w->wakee_tid, false);

	if (!l)
		return;
	for (size_t i = l->n, k = 0; i-- > 0 && k < CP_WAKE_LOOKBACK; k++) {
		struct cp_off *o = &l->offs[i];

		if ((o->flags & (OFF_BLOCKED | OFF_WOKEN)) == OFF_BLOCKED && o->wake == w->ts) {
			o->flags |= OFF_WOKEN;
			o->waker_pid = w->waker_pid;
			o->waker_tid = w->waker_tid;
			o->wake_chan = w->chan;
			o->waker_op = w->waker_op;
			return;
		}
	}
}

void cp_collector__sinks(struct cp_collector *c, struct model_opts *mo)
{
	mo->ctx = c;
	mo->on_span = on_span;
	mo->on_wake = on_wake;
}

/* What an interrupt-context wakeup means: the timer of a sleep or of a call that timed out. */
static enum cp_state irq_wake_state(const struct cp_off *o)
{
	if (o->op == IPCT_OP_NANOSLEEP || (o->flags & OFF_TIMED_OUT))
		return CP_TIMER;
	return CP_INTERRUPT;
}

/*
 * The walk emits steps in path order; the last one stays open (the next may
 * extend it, a wakeup may mark it the hand-over) and is settled when another
 * begins: then it is summed into the totals and stored if among the first
 * `keep`. A text report that prints 100 steps keeps 100, not the million of
 * the longest walk of a ten-million-event trace.
 */
struct walk {
	const struct cp_collector *c;
	const struct model *m;
	struct critical_path *cp;
	size_t keep, cap;
	struct cp_step last;         /* the open step, if cp->nsteps */
	uint64_t *ns_of;             /* time on the path by the model's thread index */
	uint32_t ns_tid;             /* the thread of the last step settled, and its index */
	size_t ns_idx;               /* SIZE_MAX: none yet, or not in the model */
	size_t cchan;
	int err;
};

static bool same_step(const struct cp_step *a, const struct cp_step *b)
{
	return a->tid == b->tid && a->state == b->state && a->chan == b->chan && a->op == b->op &&
	       a->mode == b->mode && a->via == b->via && a->depth == b->depth && !a->handover &&
	       !b->handover && a->waker_tid == b->waker_tid && a->end == b->start;
}

/*
 * The summary's group of a step not of TID's own time: what it was, for the
 * one line that says why.
 */
static void group_add(struct critical_path *cp, const struct cp_step *s, uint64_t ns)
{
	struct cp_group k = { .chan = s->via ? s->via : s->chan,
			      .tid = s->state == CP_UNTRACED ? s->waker_tid : s->tid,
			      .state = s->state, .op = s->op };
	size_t j;

	if (s->state == CP_RUNNING || s->state == CP_RUNNABLE)
		k.op = 0;  /* a hand-over is the waker's running time, whatever call ends it */
	for (j = 0; j < cp->ngroups; j++)
		if (cp->groups[j].chan == k.chan && cp->groups[j].tid == k.tid &&
		    cp->groups[j].state == k.state && cp->groups[j].op == k.op)
			break;
	if (j == cp->ngroups) {
		if (j == CP_SUMMARY_GROUPS)
			return;
		cp->groups[cp->ngroups++] = k;
	}
	cp->groups[j].ns += ns;
	if (cp->best == SIZE_MAX || cp->groups[j].ns > cp->groups[cp->best].ns)
		cp->best = j;
}

/* The open step is final: its time goes to the totals, and it is kept if among the first. */
static void settle(struct walk *w)
{
	struct critical_path *cp = w->cp;
	const struct cp_step *s = &w->last;
	uint64_t ns = s->end - s->start;
	int chan = s->via ? s->via : s->chan;
	size_t i;

	if (!cp->nsteps || w->err)
		return;
	/* steps come in runs of one thread: look it up when it changes */
	if (w->ns_idx == SIZE_MAX || s->tid != w->ns_tid) {
		const struct model_thread *t = model__thread(w->m, s->tid);

		w->ns_tid = s->tid;
		w->ns_idx = t ? (size_t)(t - w->m->threads) : SIZE_MAX;
	}
	if (w->ns_idx != SIZE_MAX)
		w->ns_of[w->ns_idx] += ns;
	if (s->depth == 0 && (s->state == CP_RUNNING || s->state == CP_RUNNABLE))
		cp->own_ns += ns;
	else
		group_add(cp, s, ns);
	if (chan) {
		for (i = 0; i < cp->nby_channel && cp->by_channel[i].chan != chan; i++)
			;
		if (i == cp->nby_channel) {
			if (i == w->cchan) {
				size_t ncap = w->cchan ? w->cchan * 2 : 16;
				struct cp_chan_total *n = realloc(cp->by_channel, ncap * sizeof(*n));

				if (!n) {
					w->err = -ENOMEM;
					return;
				}
				cp->by_channel = n;
				w->cchan = ncap;
			}
			cp->by_channel[cp->nby_channel++] = (struct cp_chan_total){ .chan = chan };
		}
		cp->by_channel[i].ns += ns;
	}
	if (cp->nkept >= w->keep)
		return;
	if (cp->nkept == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct cp_step *n;

		if (ncap > w->keep)
			ncap = w->keep;
		n = realloc(cp->steps, ncap * sizeof(*n));
		if (!n) {
			w->err = -ENOMEM;
			return;
		}
		cp->steps = n;
		w->cap = ncap;
	}
	cp->steps[cp->nkept++] = *s;
}

static void emit(struct walk *w, const struct cp_step *s)
{
	struct critical_path *cp = w->cp;

	if (s->end <= s->start || w->err)
		return;
	if (cp->nsteps && same_step(&w->last, s)) {
		w->last.end = s->end;
		return;
	}
	settle(w);
	w->last = *s;
	cp->nsteps++;
}

static void emit_state(struct walk *w, const struct model_thread *t, enum cp_state st,
		       uint64_t a, uint64_t b, int via, unsigned depth)
{
	struct cp_step s = { .pid = t->pid, .tid = t->tid, .state = st, .start = a, .end = b,
			     .mode = MODE_NONE, .via = via, .depth = (uint16_t)depth };

	emit(w, &s);
}

/* An off-CPU stretch on a lane: the first at or after index lo whose `in` is past t. */
static size_t first_off_after(const struct cp_lane *l, uint64_t t)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->offs[mid].in <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void walk_thread(struct walk *w, const struct model_thread *t, uint64_t a, uint64_t b,
			int via, unsigned depth);

/* The thread that forked t's process, when t is its main thread and the parent was traced. */
static const struct model_thread *forked_by(const struct model *m, const struct model_thread *t)
{
	const struct model_process *p = t->tid == t->pid ? model__process(m, t->pid) : NULL;
	const struct model_thread *parent = p && p->ppid ? model__thread(m, p->ppid) : NULL;

	return parent && parent->first_ts < t->first_ts ? parent : NULL;
}

/* The blocked part [a, b] of stretch o of thread t: who ended the wait, and what it did. */
static void walk_wait(struct walk *w, const struct model_thread *t, const struct cp_off *o,
		      uint64_t a, uint64_t b, int via, unsigned depth)
{
	const struct model_thread *waker = NULL;
	struct cp_step s = { .pid = t->pid, .tid = t->tid, .start = a, .end = b, .chan = o->chan,
			     .op = o->op, .mode = cp_wait_mode(o->op, o->chan), .via = via,
			     .depth = (uint16_t)depth };
	size_t mark;

	if (o->flags & OFF_WOKEN && o->waker_tid)
		waker = model__thread(w->m, o->waker_tid);
	if (!(o->flags & OFF_WOKEN)) {
		s.state = CP_BLOCKED;
	} else if (!o->waker_tid) {
		s.state = irq_wake_state(o);
	} else if (!waker) {
		s.state = CP_UNTRACED;
		s.waker_pid = o->waker_pid;
		s.waker_tid = o->waker_tid;
	} else if (waker == t || depth >= CP_MAX_DEPTH) {
		s.state = CP_BLOCKED;
	} else {
		mark = w->cp->nsteps;
		walk_thread(w, waker, a, b, o->wake_chan ? o->wake_chan : o->chan, depth + 1);
		/* the waker's last stretch before the wakeup hands the path back */
		if (b == o->wake && w->cp->nsteps > mark) {
			struct cp_step *h = &w->last;

			if (h->tid == waker->tid && h->state == CP_RUNNING && h->end == b) {
				h->handover = true;
				h->chan = o->wake_chan;
				h->op = o->waker_op;
				h->mode = cp_wait_mode(o->op, o->chan);
			}
		}
		return;
	}
	emit(w, &s);
}

static void walk_thread(struct walk *w, const struct model_thread *t, uint64_t a, uint64_t b,
			int via, unsigned depth)
{
	static const struct cp_lane none;
	size_t li = lane_find(w->c, t->tid);
	const struct cp_lane *l = li == SIZE_MAX ? &none : &w->c->lanes[li];
	uint64_t life_a = t->first_ts, life_b = t->last_ts, x = a;
	size_t i;

	if (x < life_a) {
		uint64_t e = life_a < b ? life_a : b;
		const struct model_thread *parent = forked_by(w->m, t);

		/* before it was born, its parent was on the way to it: forking it */
		if (parent && depth < CP_MAX_DEPTH)
			walk_thread(w, parent, x, e, via, depth + 1);
		else
			emit_state(w, t, CP_UNKNOWN, x, e, via, depth);
		x = e;
	}
	for (i = first_off_after(l, x); x < b && i < l->n && l->offs[i].out < b && !w->err; i++) {
		const struct cp_off *o = &l->offs[i];

		if (o->out > x) {
			emit_state(w, t, CP_RUNNING, x, o->out, via, depth);
			x = o->out;
		}
		if ((o->flags & OFF_BLOCKED) && o->wake > x) {
			uint64_t e = o->wake < b ? o->wake : b;

			walk_wait(w, t, o, x, e, via, depth);
			x = e;
		}
		if (o->in > x && x < b) {
			uint64_t e = o->in < b ? o->in : b;
			struct cp_step s = { .pid = t->pid, .tid = t->tid, .state = CP_RUNNABLE,
					     .start = x, .end = e, .mode = MODE_NONE, .via = via,
					     .depth = (uint16_t)depth };

			emit(w, &s);
			x = e;
		}
	}
	if (x < b) {
		uint64_t e = life_b > x ? (life_b < b ? life_b : b) : x;

		emit_state(w, t, CP_RUNNING, x, e, via, depth);
		emit_state(w, t, CP_UNKNOWN, e, b, via, depth);
	}
}

static int cmp_thread_total(const void *a, const void *b)
{
	const struct cp_thread_total *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int cmp_chan_total(const void *a, const void *b)
{
	const struct cp_chan_total *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return (x->chan > y->chan) - (x->chan < y->chan);
}

/* The totals, most first, once every step is settled. */
static int totals(struct walk *w)
{
	struct critical_path *cp = w->cp;
	const struct model *m = w->m;
	size_t nt = 0;

	for (size_t i = 0; i < m->nthreads; i++)
		nt += w->ns_of[i] != 0;
	cp->by_thread = calloc(nt ? nt : 1, sizeof(*cp->by_thread));
	if (!cp->by_thread)
		return -ENOMEM;
	for (size_t i = 0; i < m->nthreads; i++)
		if (w->ns_of[i])
			cp->by_thread[cp->nby_thread++] = (struct cp_thread_total){
				.pid = m->threads[i].pid, .tid = m->threads[i].tid, .ns = w->ns_of[i] };
	qsort(cp->by_thread, cp->nby_thread, sizeof(*cp->by_thread), cmp_thread_total);
	qsort(cp->by_channel, cp->nby_channel, sizeof(*cp->by_channel), cmp_chan_total);
	return 0;
}

struct critical_path *cp_collector__path_kept(const struct cp_collector *c, const struct model *m,
					      uint32_t tid, uint64_t from, uint64_t to, size_t keep)
{
	const struct model_thread *t = model__thread(m, tid);
	struct critical_path *cp;
	struct walk w = { .c = c, .m = m, .keep = keep, .ns_idx = SIZE_MAX };

	if (!t) {
		errno = ESRCH;
		return NULL;
	}
	if (c->err) {
		errno = -c->err;
		return NULL;
	}
	cp = calloc(1, sizeof(*cp));
	w.ns_of = calloc(m->nthreads ? m->nthreads : 1, sizeof(*w.ns_of));
	if (cp)
		cp->groups = calloc(CP_SUMMARY_GROUPS, sizeof(*cp->groups));
	if (!cp || !w.ns_of || !cp->groups) {
		critical_path__free(cp);
		free(w.ns_of);
		errno = ENOMEM;
		return NULL;
	}
	cp->best = SIZE_MAX;
	cp->pid = t->pid;
	cp->tid = t->tid;
	cp->from = from && from > t->first_ts ? from : t->first_ts;
	cp->to = to && to < t->last_ts ? to : t->last_ts;
	if (cp->to < cp->from)
		cp->to = cp->from;
	w.cp = cp;
	walk_thread(&w, t, cp->from, cp->to, 0, 0);
	settle(&w);
	if (!w.err)
		w.err = totals(&w);
	free(w.ns_of);
	if (w.err) {
		critical_path__free(cp);
		errno = -w.err;
		return NULL;
	}
	return cp;
}

struct critical_path *cp_collector__path(const struct cp_collector *c, const struct model *m,
					 uint32_t tid, uint64_t from, uint64_t to)
{
	return cp_collector__path_kept(c, m, tid, from, to, SIZE_MAX);
}

void critical_path__free(struct critical_path *cp)
{
	if (!cp)
		return;
	free(cp->steps);
	free(cp->by_thread);
	free(cp->by_channel);
	free(cp->groups);
	free(cp);
}

struct cp_collector *cp_collector__for(const struct model *names, uint32_t tid, uint64_t from,
				       uint64_t to)
{
	const struct model_thread *t = model__thread(names, tid);
	struct cp_collector *c;

	if (!t) {
		errno = ESRCH;
		return NULL;
	}
	/* keep only what the window can reach: wakers act inside the target's waits */
	c = cp_collector__new(from && from > t->first_ts ? from : t->first_ts,
			      to && to < t->last_ts ? to : t->last_ts);
	if (!c)
		errno = ENOMEM;
	return c;
}
