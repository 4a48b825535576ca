// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The critical path. A second model pass hands its spans and wakeups to a
 * collector that keeps, per thread, each off-CPU stretch inside the window
 * with the wakeup that ended it. The walk then goes over the target's
 * window: time between stretches is running, a stretch's runnable tail is
 * runnable, and its blocked part is replaced by the waker's own walk over
 * the same interval, until a wait ends in an interrupt, a timer, an
 * untraced task or a wait nobody was seen to end.
 *
 * Streaming (cp_collector__stream): the walk of the target goes on while the
 * trace is read. A stretch of the target is walked once nothing it reads can
 * change: every waker acted before the wakeup, so its stretches are in; what
 * a stretch learns at its call's return (a first wait's channel, a timeout
 * behind an interrupt's wakeup) is in once no such stretch still waits for
 * its return (the watermark). Its running time is walked up to its last
 * return or its exit. Then every stretch that ended before the walk's
 * position is dropped, so memory follows the target's longest wait, not the
 * trace. What the walk took from the model so far (a thread's life and
 * parent, a waker untraced) is checked against the finished model; a
 * stretch reported late, or changed where the walk has read, is caught when
 * it comes. Either breaks the stream, and the caller walks again after a
 * second read: the path is the same either way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"
#include "hmap.h"

#define CP_MAX_DEPTH 64          /* deeper chains end as `blocked`: a guard against bad data */
#define CP_WAKE_LOOKBACK 4       /* stretches searched back for the one a wakeup ends */

#define OFF_BLOCKED 0x1          /* asleep in [out, wake]; else preempted (runnable all along) */
#define OFF_WOKEN 0x2            /* a wakeup ended it: waker_* are known (0 = interrupt) */
#define OFF_EXITED 0x4           /* the call it slept in returned */
#define OFF_TIMED_OUT 0x8        /* ... saying its timeout expired */
#define OFF_OUTSIDE 0x10         /* its thread was in no call: no return will tell more */

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
	size_t nfinal;               /* streaming: offs[0, nfinal) will not change */
	uint32_t pend;               /* streaming: index in cp_collector.pend, UINT32_MAX: none */
	uint32_t rec;                /* streaming: its thread's cp_record, UINT32_MAX: none */
};

/* A thread's life as it stood in the model so far */
struct cp_who {
	uint32_t pid, tid;
	uint64_t first_ts, last_ts;
};

#define REC_UNTRACED 0x1         /* not in the model when a wakeup by it was walked */
#define REC_FIRST 0x2            /* first: the start of its life the walk took */
#define REC_SHORT 0x4            /* last: the end of its life the walk took, before a walk's end */
#define REC_PARENT 0x8           /* parent: who forked it (0 = nobody traced) as the walk took it */

/* What a streamed walk took of a thread, to check against the finished model. */
struct cp_record {
	uint32_t tid, parent;
	uint64_t first, last;
	uint64_t alive_to;           /* walked as alive until then */
	uint64_t seen_to;            /* its stretches that began before are read: they must not change */
	uint8_t flags;
};

struct walk;

struct cp_collector {
	uint64_t from, to;
	struct cp_lane *lanes;
	size_t nlanes, clanes;
	uint32_t *slot_tid, *slot_lane;   /* open addressing tid -> lane; slot_lane UINT32_MAX = free */
	size_t nslots;
	int err;
	size_t held, peak;                /* stretches held, and the most at once */
	/* streaming: tid's walk as the trace is read (NULL: the walk waits for the end) */
	struct walk *sw;
	const struct model *live;         /* the model being read */
	uint32_t tid;
	uint64_t from_ns, to_ns;
	uint64_t start;                   /* the model's start when the walk began */
	uint64_t walk_to;                 /* the window's end, absolute; UINT64_MAX: tid's life */
	uint64_t x;                       /* where the walk is: nothing ended before is read again */
	uint64_t ran;                     /* the target was last seen running then (a call's return) */
	uint64_t latest;                  /* the latest end of a span */
	uint64_t until;                   /* the walk waits for latest to pass this (0: not) */
	uint64_t early;                   /* dropped before the walk began: what ended before */
	struct cp_who target;
	size_t tlane;                     /* tid's lane, SIZE_MAX: none yet */
	size_t ti;                        /* its next stretch to walk */
	bool started, done, broken;
	bool dirty;                       /* a stretch became final since the walk last tried */
	uint32_t *pend;                   /* lanes with stretches that may still change */
	size_t npend, cpend;
	struct cp_record *recs;
	size_t nrecs, crecs;
	struct hmap rec_by_tid;
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

static void walk_free(struct walk *w);

void cp_collector__free(struct cp_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlanes; i++)
		free(c->lanes[i].offs);
	free(c->lanes);
	free(c->slot_tid);
	free(c->slot_lane);
	walk_free(c->sw);
	free(c->pend);
	free(c->recs);
	hmap_free(&c->rec_by_tid);
	free(c);
}

size_t cp_collector__peak(const struct cp_collector *c)
{
	return c->peak;
}

/* The streamed walk read something that changed since: it must be walked again. */
static void stream_break(struct cp_collector *c)
{
	c->broken = true;
}

/* Streaming, and nothing it read has changed yet: what arrives is checked, what it passed dropped. */
static bool streaming(const struct cp_collector *c)
{
	return c->sw && !c->broken;
}

static size_t lane_find(const struct cp_collector *c, uint32_t tid);

/* The record of tid, made if it has none (NULL on ENOMEM). */
static struct cp_record *record_of(struct cp_collector *c, uint32_t tid)
{
	uint32_t i = hmap_get(&c->rec_by_tid, tid);

	if (i == HMAP_NONE) {
		size_t li;

		if (grow(&c->recs, &c->crecs, c->nrecs, sizeof(*c->recs)) ||
		    hmap_put(&c->rec_by_tid, tid, (uint32_t)c->nrecs))
			return NULL;
		i = (uint32_t)c->nrecs++;
		c->recs[i] = (struct cp_record){ .tid = tid };
		li = lane_find(c, tid);
		if (li != SIZE_MAX)
			c->lanes[li].rec = i;
	}
	return &c->recs[i];
}

/* A stretch of lane l that began at out arrives or changes: the walk must not have read it. */
static void stream_check(struct cp_collector *c, const struct cp_lane *l, uint64_t out)
{
	if (streaming(c) && l->rec != UINT32_MAX && out < c->recs[l->rec].seen_to)
		stream_break(c);
}

static void pend_add(struct cp_collector *c, struct cp_lane *l)
{
	if (l->pend != UINT32_MAX)
		return;
	if (grow(&c->pend, &c->cpend, c->npend, sizeof(*c->pend))) {
		c->err = -ENOMEM;
		return;
	}
	l->pend = (uint32_t)c->npend;
	c->pend[c->npend++] = (uint32_t)(l - c->lanes);
	c->dirty = true;   /* it may be settled already (watermark) */
}

/* Every stretch of l is final: nothing later in the trace changes them. */
static void lane_final(struct cp_collector *c, struct cp_lane *l)
{
	if (l->nfinal == l->n && l->pend == UINT32_MAX)
		return;
	l->nfinal = l->n;
	c->dirty = true;
	if (l->pend != UINT32_MAX) {
		uint32_t moved = c->pend[--c->npend];

		c->pend[l->pend] = moved;
		c->lanes[moved].pend = l->pend;
		l->pend = UINT32_MAX;
	}
}

/*
 * Whether what a walk reads of o is settled before its call returns: the
 * return tells only a channel the stretch lacks (a channel's first wait) and
 * whether the call timed out, which only an interrupt's wakeup asks.
 */
static bool settled(const struct cp_off *o)
{
	if (!(o->flags & OFF_BLOCKED) || o->op == IPCT_OP_NANOSLEEP)
		return true;
	if (!o->chan && o->op != IPCT_OP_OTHER)
		return false;
	return !(o->flags & OFF_WOKEN) || o->waker_tid;
}

/*
 * The watermark: stretches that began before it are final in every lane.
 * Stretches whose walk nothing can change are final already (most waits on a
 * channel, ended by a thread): only a first wait or a wait ended by an
 * interrupt waits for its call's return.
 */
static uint64_t watermark(struct cp_collector *c)
{
	uint64_t g = UINT64_MAX;

	for (size_t i = c->npend; i-- > 0;) {
		struct cp_lane *l = &c->lanes[c->pend[i]];

		while (l->nfinal < l->n && settled(&l->offs[l->nfinal]))
			l->nfinal++;
		if (l->nfinal == l->n)
			lane_final(c, l);
		else if (l->offs[l->nfinal].out < g)
			g = l->offs[l->nfinal].out;
	}
	return g;
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
	if (grow(&c->lanes, &c->clanes, c->nlanes, sizeof(*c->lanes)))
		goto oom;
	i = slot_of(c, tid);
	c->slot_tid[i] = tid;
	c->slot_lane[i] = c->nlanes;
	c->lanes[c->nlanes] = (struct cp_lane){ .pend = UINT32_MAX, .rec = UINT32_MAX };
	if (c->sw && tid == c->tid)
		c->tlane = c->nlanes;
	if (c->nrecs) {
		uint32_t r = hmap_get(&c->rec_by_tid, tid);

		c->lanes[c->nlanes].rec = r == HMAP_NONE ? UINT32_MAX : r;
	}
	return &c->lanes[c->nlanes++];
oom:
	c->err = -ENOMEM;
	return NULL;
}

static size_t first_off_after(const struct cp_lane *l, uint64_t t);

/*
 * Streaming, l full: drop what ended before the walk's position (never read again), but the
 * last CP_WAKE_LOOKBACK, which a wakeup or the next stretch may still touch. True if it is
 * still three quarters full and must grow: so each stretch is moved a bounded number of times.
 */
static bool lane_prune(struct cp_collector *c, struct cp_lane *l)
{
	/* once done, nothing more is read: all but the last few go; before the walk begins, while
	 * the model has not seen the target, what ended well before the latest span (the target
	 * is born later: checked) */
	struct model_thread_so_far sf;
	uint64_t to = c->x;
	size_t k;

	if (!c->started)
		to = c->latest > CP_ORDER_SLACK_NS && c->live &&
		     !model__thread_so_far(c->live, c->tid, &sf) ? c->latest - CP_ORDER_SLACK_NS : 0;
	k = c->done ? l->n : first_off_after(l, to);

	if (k + CP_WAKE_LOOKBACK > l->n)
		k = l->n > CP_WAKE_LOOKBACK ? l->n - CP_WAKE_LOOKBACK : 0;
	if (k) {
		memmove(l->offs, l->offs + k, (l->n - k) * sizeof(*l->offs));
		l->n -= k;
		l->nfinal = l->nfinal > k ? l->nfinal - k : 0;
		c->held -= k;
		if (!c->started && to > c->early)
			c->early = to;
		if ((size_t)(l - c->lanes) == c->tlane)
			c->ti -= k < c->ti ? k : c->ti;
	}
	return l->n * 4 >= l->cap * 3;
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
	stream_check(c, l, o.out);
	/* full: streaming, what the walk has passed goes first; still three quarters full, it grows */
	if (l->n == l->cap && (!streaming(c) || lane_prune(c, l)) &&
	    grow(&l->offs, &l->cap, l->cap, sizeof(*l->offs))) {
		c->err = -ENOMEM;
		return NULL;
	}
	l->offs[l->n] = o;
	if (++c->held > c->peak)
		c->peak = c->held;
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
static void syscall_exit(struct cp_collector *c, struct cp_lane *l, const struct model_span *s)
{
	for (size_t i = l->n; i-- > 0;) {
		struct cp_off *o = &l->offs[i];
		uint8_t timeout;

		if (o->out < s->start || (o->flags & (OFF_EXITED | OFF_OUTSIDE)))
			break;
		if (o->in > s->end)
			continue;
		timeout = timed_out(o->op, s->ret) ? OFF_TIMED_OUT : 0;
		/* what a walk reads changes: a channel learnt, the timer behind an interrupt's wakeup */
		if ((!o->chan && s->chan) ||
		    (timeout && !(o->flags & OFF_TIMED_OUT) && (o->flags & OFF_WOKEN) && !o->waker_tid))
			stream_check(c, l, o->out);
		/* a channel's first wait may precede its report id: the exit has it */
		if (!o->chan)
			o->chan = s->chan;
		o->flags |= OFF_EXITED | timeout;
	}
}

static void try_walk(struct cp_collector *c);

static void on_span(void *ctx, const struct model_span *s)
{
	struct cp_collector *c = ctx;
	struct cp_lane *l;
	struct cp_off *last, *pushed = NULL;

	if (s->end < s->start || (s->state != SPAN_BLOCKED && s->state != SPAN_RUNNABLE &&
				  s->state != SPAN_SYSCALL) || (c->sw && c->broken))
		return;
	if (c->sw && s->end > c->latest) {
		c->latest = s->end;
		if (c->until && c->latest > c->until) {
			c->until = 0;
			c->dirty = true;
		}
	}
	if (c->sw && s->state == SPAN_SYSCALL && s->tid == c->tid && s->end > c->ran) {
		/* the target runs when its call returns: its next wait begins later */
		c->ran = s->end;
		c->dirty = true;
	}
	l = lane_of(c, s->tid, s->state != SPAN_SYSCALL);
	if (!l) {
		if (s->state == SPAN_SYSCALL && c->sw)
			try_walk(c);
		return;
	}
	last = l->n ? &l->offs[l->n - 1] : NULL;
	switch (s->state) {
	case SPAN_BLOCKED:
		if (outside(c, s->start, s->end))
			return;
		pushed = lane_push(c, l, (struct cp_off){ .out = s->start, .wake = s->end,
							  .in = s->end, .chan = s->chan, .op = s->op,
							  .flags = OFF_BLOCKED });
		break;
	case SPAN_RUNNABLE:
		/* the runnable tail of the sleep just seen */
		if (last && (last->flags & OFF_BLOCKED) && last->wake == s->start &&
		    last->in == last->wake) {
			stream_check(c, l, last->out);
			last->in = s->end;
			return;
		}
		if (outside(c, s->start, s->end))
			return;
		pushed = lane_push(c, l, (struct cp_off){ .out = s->start, .wake = s->start,
							  .in = s->end, .chan = s->chan, .op = s->op });
		break;
	case SPAN_SYSCALL:
		syscall_exit(c, l, s);
		if (c->sw) {
			/* its calls returned: its stretches are final, the walk may go on */
			lane_final(c, l);
			try_walk(c);
		}
		return;
	default:
		return;
	}
	if (!pushed)
		return;
	if (s->nr == IPCT_NR_NONE) {
		/* in no call: the calls it slept in before have returned */
		pushed->flags |= OFF_OUTSIDE;
		if (c->sw)
			lane_final(c, l);
	} else if (c->sw && l->nfinal < l->n) {
		pend_add(c, l);
	}
}

static void on_wake(void *ctx, const struct model_wake *w)
{
	struct cp_collector *c = ctx;
	struct cp_lane *l = c->sw && c->broken ? NULL : lane_of(c, w->wakee_tid, false);

	if (!l)
		return;
	for (size_t i = l->n, k = 0; i-- > 0 && k < CP_WAKE_LOOKBACK; k++) {
		struct cp_off *o = &l->offs[i];

		if ((o->flags & (OFF_BLOCKED | OFF_WOKEN)) == OFF_BLOCKED && o->wake == w->ts) {
			stream_check(c, l, o->out);
			o->flags |= OFF_WOKEN;
			o->waker_pid = w->waker_pid;
			o->waker_tid = w->waker_tid;
			o->wake_chan = w->chan;
			o->waker_op = w->waker_op;
			return;
		}
	}
}

static void on_model(void *ctx, const struct model *m)
{
	struct cp_collector *c = ctx;

	c->live = m;
}

void cp_collector__sinks(struct cp_collector *c, struct model_opts *mo)
{
	mo->ctx = c;
	mo->on_span = on_span;
	mo->on_wake = on_wake;
	mo->on_model = c->sw ? on_model : NULL;
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
	struct cp_collector *stream; /* streaming: what it takes of the model is recorded here */
	const struct model *m;       /* finished, or (stream) being read */
	struct critical_path *cp;
	size_t keep, cap;
	struct cp_step last;         /* the open step, if cp->nsteps */
	struct cp_thread_total *tot; /* time on the path by thread, first met first */
	size_t ntot, ctot;
	struct hmap tot_by_tid;
	uint32_t tot_tid;            /* the thread of the last step settled, and its entry */
	size_t tot_idx;              /* SIZE_MAX: none yet */
	size_t cchan;
	int err;
};

static void walk_free(struct walk *w)
{
	if (!w)
		return;
	critical_path__free(w->cp);
	free(w->tot);
	hmap_free(&w->tot_by_tid);
	free(w);
}

static struct cp_who who_final(const struct model_thread *t)
{
	return (struct cp_who){ .pid = t->pid, .tid = t->tid, .first_ts = t->first_ts,
				.last_ts = t->last_ts };
}

/* A thread of the walk: as the finished model gives it, or (streaming) as the model stands. */
static bool who(struct walk *w, uint32_t tid, struct cp_who *out)
{
	struct model_thread_so_far sf;
	struct cp_record *r;

	if (!w->stream) {
		const struct model_thread *t = model__thread(w->m, tid);

		if (t)
			*out = who_final(t);
		return t != NULL;
	}
	r = record_of(w->stream, tid);
	if (!r) {
		w->err = -ENOMEM;
		return false;
	}
	if (!model__thread_so_far(w->m, tid, &sf)) {
		r->flags |= REC_UNTRACED;
		return false;
	}
	if (r->flags & REC_UNTRACED || (r->flags & REC_FIRST && r->first != sf.first_ts))
		stream_break(w->stream);
	r->flags |= REC_FIRST;
	r->first = sf.first_ts;
	*out = (struct cp_who){ .pid = sf.pid, .tid = tid, .first_ts = sf.first_ts,
				.last_ts = sf.last_ts };
	return true;
}

/* The end of t's life a walk up to b takes: recorded when streaming, to be checked at the end. */
static uint64_t life_end(struct walk *w, const struct cp_who *t, uint64_t b)
{
	struct cp_record *r;

	if (!w->stream)
		return t->last_ts;
	r = record_of(w->stream, t->tid);
	if (!r) {
		w->err = -ENOMEM;
	} else if (t->last_ts >= b) {
		if (b > r->alive_to)
			r->alive_to = b;
	} else {
		if (r->flags & REC_SHORT && r->last != t->last_ts)
			stream_break(w->stream);
		r->flags |= REC_SHORT;
		r->last = t->last_ts;
	}
	return t->last_ts;
}

/* The thread that forked t's process, when t is its main thread and the parent was traced. */
static const struct model_thread *forked_by(const struct model *m, const struct model_thread *t)
{
	const struct model_process *p = t->tid == t->pid ? model__process(m, t->pid) : NULL;
	const struct model_thread *parent = p && p->ppid ? model__thread(m, p->ppid) : NULL;

	return parent && parent->first_ts < t->first_ts ? parent : NULL;
}

/* forked_by for the walk (streaming: as the model stands, recorded). */
static bool parent_of(struct walk *w, const struct cp_who *t, struct cp_who *out)
{
	struct model_thread_so_far sf;
	struct cp_record *r;
	bool found = false;

	if (!w->stream) {
		const struct model_thread *mt = model__thread(w->m, t->tid);
		const struct model_thread *p = mt ? forked_by(w->m, mt) : NULL;

		return p && who(w, p->tid, out);
	}
	if (t->tid == t->pid && model__thread_so_far(w->m, t->tid, &sf) && sf.ppid)
		found = who(w, sf.ppid, out) && out->first_ts < t->first_ts;
	r = record_of(w->stream, t->tid);
	if (!r) {
		w->err = -ENOMEM;
		return false;
	}
	if (r->flags & REC_PARENT && r->parent != (found ? out->tid : 0))
		stream_break(w->stream);
	r->flags |= REC_PARENT;
	r->parent = found ? out->tid : 0;
	return found;
}

/* Streaming: t's stretches that began before b are read (they must not change from now on). */
static void seen_to(struct walk *w, const struct cp_who *t, uint64_t b)
{
	struct cp_record *r;

	if (!w->stream)
		return;
	r = record_of(w->stream, t->tid);
	if (!r)
		w->err = -ENOMEM;
	else if (b > r->seen_to)
		r->seen_to = b;
}

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

/* The entry of the thread of step s in the totals by thread (SIZE_MAX on ENOMEM). */
static size_t total_of(struct walk *w, const struct cp_step *s)
{
	uint32_t i;

	/* steps come in runs of one thread: look it up when it changes */
	if (w->tot_idx != SIZE_MAX && s->tid == w->tot_tid)
		return w->tot_idx;
	i = hmap_get(&w->tot_by_tid, s->tid);
	if (i == HMAP_NONE) {
		if (grow(&w->tot, &w->ctot, w->ntot, sizeof(*w->tot)) ||
		    hmap_put(&w->tot_by_tid, s->tid, (uint32_t)w->ntot))
			return SIZE_MAX;
		i = (uint32_t)w->ntot++;
		w->tot[i] = (struct cp_thread_total){ .pid = s->pid, .tid = s->tid };
	}
	w->tot_tid = s->tid;
	w->tot_idx = i;
	return i;
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
	i = total_of(w, s);
	if (i == SIZE_MAX) {
		w->err = -ENOMEM;
		return;
	}
	w->tot[i].ns += ns;
	if (s->depth == 0 && (s->state == CP_RUNNING || s->state == CP_RUNNABLE))
		cp->own_ns += ns;
	else
		group_add(cp, s, ns);
	if (chan) {
		for (i = 0; i < cp->nby_channel && cp->by_channel[i].chan != chan; i++)
			;
		if (i == cp->nby_channel) {
			if (grow(&cp->by_channel, &w->cchan, i, sizeof(*cp->by_channel))) {
				w->err = -ENOMEM;
				return;
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

static void emit_state(struct walk *w, const struct cp_who *t, enum cp_state st,
		       uint64_t a, uint64_t b, int via, unsigned depth)
{
	struct cp_step s = { .pid = t->pid, .tid = t->tid, .state = st, .start = a, .end = b,
			     .mode = MODE_NONE, .via = via, .depth = (uint16_t)depth };

	emit(w, &s);
}

/* An off-CPU stretch on a lane: the first whose `in` is past t. */
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

static void walk_thread(struct walk *w, const struct cp_who *t, uint64_t a, uint64_t b,
			int via, unsigned depth);

/* The blocked part [a, b] of stretch o of thread t: who ended the wait, and what it did. */
static void walk_wait(struct walk *w, const struct cp_who *t, const struct cp_off *o,
		      uint64_t a, uint64_t b, int via, unsigned depth)
{
	struct cp_who waker;
	bool traced = false;
	struct cp_step s = { .pid = t->pid, .tid = t->tid, .start = a, .end = b, .chan = o->chan,
			     .op = o->op, .mode = cp_wait_mode(o->op, o->chan), .via = via,
			     .depth = (uint16_t)depth };
	size_t mark;

	if (o->flags & OFF_WOKEN && o->waker_tid)
		traced = who(w, o->waker_tid, &waker);
	if (!(o->flags & OFF_WOKEN)) {
		s.state = CP_BLOCKED;
	} else if (!o->waker_tid) {
		s.state = irq_wake_state(o);
	} else if (!traced) {
		s.state = CP_UNTRACED;
		s.waker_pid = o->waker_pid;
		s.waker_tid = o->waker_tid;
	} else if (waker.tid == t->tid || depth >= CP_MAX_DEPTH) {
		s.state = CP_BLOCKED;
	} else {
		mark = w->cp->nsteps;
		walk_thread(w, &waker, a, b, o->wake_chan ? o->wake_chan : o->chan, depth + 1);
		/* the waker's last stretch before the wakeup hands the path back */
		if (b == o->wake && w->cp->nsteps > mark) {
			struct cp_step *h = &w->last;

			if (h->tid == waker.tid && h->state == CP_RUNNING && h->end == b) {
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

static void walk_thread(struct walk *w, const struct cp_who *t, uint64_t a, uint64_t b,
			int via, unsigned depth)
{
	static const struct cp_lane none;
	size_t li = lane_find(w->c, t->tid);
	const struct cp_lane *l = li == SIZE_MAX ? &none : &w->c->lanes[li];
	uint64_t life_a = t->first_ts, x = a;
	size_t i;

	seen_to(w, t, b);
	if (x < life_a) {
		uint64_t e = life_a < b ? life_a : b;
		struct cp_who parent;

		/* before it was born, its parent was on the way to it: forking it */
		if (depth < CP_MAX_DEPTH && parent_of(w, t, &parent))
			walk_thread(w, &parent, x, e, via, depth + 1);
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
		uint64_t life_b = life_end(w, t, b);
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

/* The totals, most first, once every step is settled (threads of the finished model only). */
static int totals(struct walk *w)
{
	struct critical_path *cp = w->cp;
	size_t nt = 0;

	for (size_t i = 0; i < w->ntot; i++)
		nt += w->tot[i].ns != 0;
	cp->by_thread = calloc(nt ? nt : 1, sizeof(*cp->by_thread));
	if (!cp->by_thread)
		return -ENOMEM;
	for (size_t i = 0; i < w->ntot; i++)
		if (w->tot[i].ns && model__thread(w->m, w->tot[i].tid))
			cp->by_thread[cp->nby_thread++] = w->tot[i];
	qsort(cp->by_thread, cp->nby_thread, sizeof(*cp->by_thread), cmp_thread_total);
	if (cp->nby_channel)
		qsort(cp->by_channel, cp->nby_channel, sizeof(*cp->by_channel), cmp_chan_total);
	return 0;
}

/* A walk that will keep keep steps (NULL on ENOMEM). */
static struct walk *walk_new(const struct cp_collector *c, size_t keep)
{
	struct walk *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->c = c;
	w->keep = keep;
	w->tot_idx = SIZE_MAX;
	w->cp = calloc(1, sizeof(*w->cp));
	if (w->cp)
		w->cp->groups = calloc(CP_SUMMARY_GROUPS, sizeof(*w->cp->groups));
	if (!w->cp || !w->cp->groups) {
		walk_free(w);
		return NULL;
	}
	w->cp->best = SIZE_MAX;
	return w;
}

/* Where the walk of a thread born at first begins over a window from from (0: its life). */
static uint64_t walk_from(uint64_t from, uint64_t first)
{
	return from && from > first ? from : first;
}

/* The window [from, to] of tid's walk, cut to its life t (as path_kept takes it). */
static void walk_window(struct critical_path *cp, const struct cp_who *t, uint64_t from,
			uint64_t to)
{
	cp->pid = t->pid;
	cp->tid = t->tid;
	cp->from = walk_from(from, t->first_ts);
	cp->to = to && to < t->last_ts ? to : t->last_ts;
	if (cp->to < cp->from)
		cp->to = cp->from;
}

/* The walk from x to the end of its window with the finished model m; its path, w freed. */
static struct critical_path *walk_finish(struct walk *w, const struct model *m,
					 const struct cp_who *t, uint64_t x)
{
	struct critical_path *cp = w->cp;

	w->m = m;
	w->stream = NULL;
	if (x < cp->to)
		walk_thread(w, t, x, cp->to, 0, 0);
	settle(w);
	if (!w->err)
		w->err = totals(w);
	if (w->err) {
		errno = -w->err;
		walk_free(w);
		return NULL;
	}
	w->cp = NULL;
	walk_free(w);
	return cp;
}

struct critical_path *cp_collector__path_kept(const struct cp_collector *c, const struct model *m,
					      uint32_t tid, uint64_t from, uint64_t to, size_t keep)
{
	const struct model_thread *mt = model__thread(m, tid);
	struct walk *w;
	struct cp_who t;

	if (!mt) {
		errno = ESRCH;
		return NULL;
	}
	if (c->err) {
		errno = -c->err;
		return NULL;
	}
	w = walk_new(c, keep);
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->m = m;
	t = who_final(mt);
	walk_window(w->cp, &t, from, to);
	return walk_finish(w, m, &t, w->cp->from);
}

struct critical_path *cp_collector__path(const struct cp_collector *c, const struct model *m,
					 uint32_t tid, uint64_t from, uint64_t to)
{
	return cp_collector__path_kept(c, m, tid, from, to, SIZE_MAX);
}

struct cp_collector *cp_collector__stream(uint32_t tid, uint64_t from_ns, uint64_t to_ns,
					  size_t keep)
{
	struct cp_collector *c = cp_collector__new(0, 0);

	if (!c)
		return NULL;
	c->sw = walk_new(c, keep);
	if (!c->sw) {
		cp_collector__free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->sw->stream = c;
	c->tid = tid;
	c->from_ns = from_ns;
	c->to_ns = to_ns;
	c->tlane = SIZE_MAX;
	return c;
}

/* The walk begins where tid's life or the window does. */
static bool stream_start(struct cp_collector *c)
{
	struct walk *w = c->sw;
	struct model_thread_so_far sf;

	if (!c->live || !model__thread_so_far(c->live, c->tid, &sf))
		return false;
	w->m = c->live;
	if (!who(w, c->tid, &c->target))
		return false;
	c->start = c->live->start_ts;
	c->walk_to = c->to_ns ? c->start + c->to_ns : UINT64_MAX;
	walk_window(w->cp, &c->target, c->start + c->from_ns, 0);   /* its end: at the end */
	c->x = w->cp->from;
	c->started = true;
	if (c->x < c->early)
		stream_break(c);   /* it began before what was dropped */
	return true;
}

/*
 * Where the target's walk stops: its window's end, or its life's end once it
 * exited. Calls or stretches of its tid after its EXIT (a reused tid whose
 * FORK was lost, a damaged trace) are past its life, where the whole walk
 * cuts its window (walk_window): the stream does not walk them either.
 */
static uint64_t walk_stop(struct cp_collector *c)
{
	struct model_thread_so_far sf;

	if (c->target.last_ts == UINT64_MAX && model__thread_so_far(c->live, c->tid, &sf) &&
	    sf.last_ts != UINT64_MAX)
		who(c->sw, c->tid, &c->target);   /* it exited since: its life as it stands now */
	return c->target.last_ts < c->walk_to ? c->target.last_ts : c->walk_to;
}

/*
 * Walk the target's stretches that nothing later can change: each final, and
 * (when it waited) its wakeup before the watermark, so that whatever its wakers
 * did before it is in and final too.
 */
static void try_walk(struct cp_collector *c)
{
	static const struct cp_lane none;
	const struct cp_lane *l;
	uint64_t g, end, stop;

	if (!c->dirty || !streaming(c) || c->done || c->sw->err)
		return;
	g = watermark(c);
	/* CPUs' events reach the trace out of clock order by microseconds: a stretch still to
	 * come may have begun a little before the latest seen; walk only what is older */
	end = c->latest > CP_ORDER_SLACK_NS ? c->latest - CP_ORDER_SLACK_NS : 0;
	if (g > end)
		g = end;
	c->dirty = false;
	l = c->tlane == SIZE_MAX ? &none : &c->lanes[c->tlane];
	if (!c->started) {
		/* begun at its first stretch (that may say it was asleep since before it was first
		 * seen) or at a return of its calls (seen running: no earlier stretch can come) */
		if ((!l->n && !c->ran) || !stream_start(c))
			return;
		c->ti = first_off_after(l, c->x);
	}
	stop = walk_stop(c);
	for (; c->ti < l->nfinal && !c->broken && !c->sw->err; c->ti++) {
		const struct cp_off *o = &l->offs[c->ti];
		uint64_t e = o->in < stop ? o->in : stop;
		uint64_t woke = o->wake < e ? o->wake : e;

		if (o->in <= c->x)
			continue;   /* before the window */
		if (o->out >= stop) {
			c->done = true;   /* the rest is the window's end, walked at the end */
			return;
		}
		if ((o->flags & OFF_BLOCKED) && woke > g) {
			if (g == end)   /* held by the slack only: go on once the trace is past it */
				c->until = woke + CP_ORDER_SLACK_NS;
			return;
		}
		walk_thread(c->sw, &c->target, c->x, e, 0, 0);
		c->x = e;
		if (e == stop) {
			c->done = true;
			return;
		}
	}
	if (c->ti < l->n || c->broken || c->sw->err)
		return;
	/* every stretch walked: if it exited, the rest is its own running until then; if it ran
	 * since, its running so far (merged into one step with what follows): either way what
	 * ended meanwhile can go */
	end = c->x;
	if (c->ran > c->x)
		end = c->ran < stop ? c->ran : stop;   /* alive then: an exit comes later */
	else if (who(c->sw, c->tid, &c->target) && c->target.last_ts != UINT64_MAX)
		end = c->target.last_ts < c->walk_to ? c->target.last_ts : c->walk_to;
	if (end > c->x) {
		walk_thread(c->sw, &c->target, c->x, end, 0, 0);
		c->x = end;
	}
	c->done = c->x >= c->walk_to || c->x >= c->target.last_ts;
}

/* The finished model says what the streamed walk took of it. */
static bool stream_held(const struct cp_collector *c, const struct model *m)
{
	const struct model_thread *target = model__thread(m, c->tid);

	if (c->broken || (c->started && m->start_ts != c->start))
		return false;
	/* dropped while the model had not seen the target: its walk must begin after */
	if (!c->started && target && walk_from(m->start_ts + c->from_ns, target->first_ts) < c->early)
		return false;
	for (size_t i = 0; i < c->nrecs; i++) {
		const struct cp_record *r = &c->recs[i];
		const struct model_thread *t = model__thread(m, r->tid), *p;

		if (r->flags & REC_UNTRACED) {
			if (t)
				return false;
			continue;
		}
		if (!t)
			return false;
		if ((r->flags & REC_FIRST && t->first_ts != r->first) || t->last_ts < r->alive_to ||
		    (r->flags & REC_SHORT && t->last_ts != r->last))
			return false;
		p = r->flags & REC_PARENT ? forked_by(m, t) : NULL;
		if (r->flags & REC_PARENT && (p ? p->tid : 0) != r->parent)
			return false;
	}
	return true;
}

struct critical_path *cp_collector__stream_path(struct cp_collector *c, const struct model *m)
{
	const struct model_thread *mt = model__thread(m, c->tid);
	uint64_t from, to;
	struct cp_who t;
	struct walk *w = c->sw;

	if (!w) {
		errno = EINVAL;
		return NULL;
	}
	if (!mt) {
		errno = ESRCH;
		return NULL;
	}
	if (c->err || w->err) {
		errno = c->err ? -c->err : -w->err;
		return NULL;
	}
	if (!stream_held(c, m)) {
		errno = EAGAIN;
		return NULL;
	}
	c->sw = NULL;
	t = who_final(mt);
	from = m->start_ts + c->from_ns;
	to = c->to_ns ? m->start_ts + c->to_ns : m->end_ts;
	walk_window(w->cp, &t, from, to);
	return walk_finish(w, m, &t, c->started ? c->x : w->cp->from);
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
