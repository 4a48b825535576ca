// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The critical path on synthetic event streams whose chains are known step by step. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "critical_path.h"
#include "cp_same.h"
#include "model.h"
#include "synth.h"

#define P1 0x100     /* pipe seq -> sort */
#define P2 0x200     /* pipe sort -> reader */
#define FILE_CH 0x300

typedef void (*scenario)(struct model *m);

struct cp_run {
	struct model *names, *pass;
	struct cp_collector *c;
};

/* The two passes the CLI makes: names, then the collector's. */
static struct cp_run run_passes(scenario feed)
{
	struct cp_run r = { 0 };
	struct model_opts mo = { 0 };

	r.names = model__new(NULL);
	feed(r.names);
	model__finish(r.names);
	r.c = cp_collector__new(0, 0);
	cr_assert(r.c);
	cp_collector__sinks(r.c, &mo);
	r.pass = model__new(&mo);
	feed(r.pass);
	model__finish(r.pass);
	return r;
}

static void run_free(struct cp_run *r)
{
	cp_collector__free(r->c);
	model__free(r->pass);
	model__free(r->names);
}

/* Steps are contiguous and cover [from, to] exactly; by_thread adds up to the window. */
static void covers(const struct critical_path *cp)
{
	uint64_t sum = 0, t = cp->from;

	for (size_t i = 0; i < cp->nsteps; i++) {
		cr_assert_eq(cp->steps[i].start, t, "step %zu starts at %lu, expected %lu", i,
			     (unsigned long)cp->steps[i].start, (unsigned long)t);
		cr_assert_gt(cp->steps[i].end, cp->steps[i].start, "step %zu is empty", i);
		t = cp->steps[i].end;
	}
	cr_assert_eq(t, cp->to, "steps end at %lu, window at %lu", (unsigned long)t,
		     (unsigned long)cp->to);
	for (size_t i = 0; i < cp->nby_thread; i++)
		sum += cp->by_thread[i].ns;
	cr_assert_eq(sum, cp->to - cp->from);
}

static void step_is(const struct critical_path *cp, size_t i, uint32_t tid, enum cp_state st,
		    uint64_t a, uint64_t b, int chan, unsigned op, int via, bool handover)
{
	const struct cp_step *s;

	cr_assert_lt(i, cp->nsteps, "only %zu steps", cp->nsteps);
	s = &cp->steps[i];
	cr_assert_eq(s->tid, tid, "step %zu: tid %u, expected %u", i, s->tid, tid);
	cr_assert_eq(s->state, st, "step %zu: %s, expected %s", i, cp_state_name(s->state),
		     cp_state_name(st));
	cr_assert_eq(s->start, a, "step %zu: start %lu, expected %lu", i, (unsigned long)s->start,
		     (unsigned long)a);
	cr_assert_eq(s->end, b, "step %zu: end %lu, expected %lu", i, (unsigned long)s->end,
		     (unsigned long)b);
	cr_assert_eq(s->chan, chan, "step %zu: channel %d, expected %d", i, s->chan, chan);
	cr_assert_eq(s->op, op, "step %zu: op %u, expected %u", i, s->op, op);
	cr_assert_eq(s->via, via, "step %zu: via %d, expected %d", i, s->via, via);
	cr_assert_eq(s->handover, handover, "step %zu: handover %d", i, s->handover);
}

/*
 * seq (30) sleeps in nanosleep [40, 85] until a timer, writes pipe 1 at 90;
 * sort (20) runs [10, 40], blocks reading pipe 1 until 90, writes pipe 2 at 100;
 * reader (10) blocks reading pipe 2 [10, 100].
 */
static void pipe_chain(struct model *m)
{
	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "sort");
	ev_task(m, 0, 30, 30, "seq");
	ev_chan(m, 0, 30, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_chan(m, 0, 20, P2, IPCT_KIND_PIPE, 0, 12, NULL);
	ev_sys(m, 30, 30, 2, 3, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 20, 20, 4, 5, IPCT_OP_READ, P1, 1, 0);
	ev_sys(m, 20, 20, 6, 7, IPCT_OP_WRITE, P2, 1, 0);
	ev_sys(m, 10, 10, 8, 9, IPCT_OP_READ, P2, 1, 0);
	ev_sleep(m, 30, 30, 40, 85, 86, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_sys(m, 30, 30, 39, 86, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_sys(m, 30, 30, 89, 90, IPCT_OP_WRITE, P1, 10, 0);
	ev_sleep(m, 20, 20, 40, 90, 95, 1, IPCT_OP_READ, P1, 30, P1);
	ev_sys(m, 20, 20, 39, 96, IPCT_OP_READ, P1, 10, 0);
	ev_sys(m, 20, 20, 99, 100, IPCT_OP_WRITE, P2, 10, 0);
	ev_sleep(m, 10, 10, 10, 100, 105, 1, IPCT_OP_READ, P2, 20, P2);
	ev_sys(m, 10, 10, 9, 106, IPCT_OP_READ, P2, 10, 0);
	ev_sys(m, 10, 10, 119, 120, IPCT_OP_OTHER, 0, 0, 0);
}

static int chan_id(const struct model *m, unsigned kind, uint64_t ino)
{
	char name[32];

	snprintf(name, sizeof(name), "pipe:[%lu]", (unsigned long)ino);
	for (size_t i = 0; i < m->nchannels; i++)
		if (m->channels[i].kind == kind && !strcmp(m->channels[i].name, name))
			return m->channels[i].id;
	cr_assert_fail("no channel %s", name);
	return 0;
}

Test(critical_path, pipe_chain_down_to_a_timer)
{
	struct cp_run r = run_passes(pipe_chain);
	int p1 = chan_id(r.names, IPCT_KIND_PIPE, 11), p2 = chan_id(r.names, IPCT_KIND_PIPE, 12);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 10, 0, 0);

	cr_assert(cp);
	covers(cp);
	cr_assert_eq(cp->from, 0);
	cr_assert_eq(cp->to, 120);
	step_is(cp, 0, 10, CP_RUNNING, 0, 10, 0, 0, 0, false);
	step_is(cp, 1, 20, CP_RUNNING, 10, 40, 0, 0, p2, false);
	step_is(cp, 2, 30, CP_TIMER, 40, 85, 0, IPCT_OP_NANOSLEEP, p1, false);
	step_is(cp, 3, 30, CP_RUNNABLE, 85, 86, 0, 0, p1, false);
	step_is(cp, 4, 30, CP_RUNNING, 86, 90, p1, IPCT_OP_WRITE, p1, true);
	cr_assert_eq(cp->steps[4].mode, MODE_SYNC_BLOCKING, "the reader of pipe 1 waited sync-blocking");
	cr_assert_eq(cp->steps[4].depth, 2);
	step_is(cp, 5, 20, CP_RUNNABLE, 90, 95, 0, 0, p2, false);
	step_is(cp, 6, 20, CP_RUNNING, 95, 100, p2, IPCT_OP_WRITE, p2, true);
	step_is(cp, 7, 10, CP_RUNNABLE, 100, 105, 0, 0, 0, false);
	step_is(cp, 8, 10, CP_RUNNING, 105, 120, 0, 0, 0, false);
	cr_assert_eq(cp->nsteps, 9);
	cr_assert_eq(cp->own_ns, 10 + 5 + 15);
	/* by thread: seq 50, sort 40, reader 30; by channel: pipe 1 50, pipe 2 40 */
	cr_assert_eq(cp->nby_thread, 3);
	cr_assert_eq(cp->by_thread[0].tid, 30);
	cr_assert_eq(cp->by_thread[0].ns, 50);
	cr_assert_eq(cp->by_thread[1].tid, 20);
	cr_assert_eq(cp->by_thread[1].ns, 40);
	cr_assert_eq(cp->nby_channel, 2);
	cr_assert_eq(cp->by_channel[0].chan, p1);
	cr_assert_eq(cp->by_channel[0].ns, 50);
	cr_assert_eq(cp->by_channel[1].chan, p2);
	cr_assert_eq(cp->by_channel[1].ns, 40);
	critical_path__free(cp);
	run_free(&r);
}

Test(critical_path, window_cuts_steps)
{
	struct cp_run r = run_passes(pipe_chain);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 10, 50, 97);

	cr_assert(cp);
	covers(cp);
	cr_assert_eq(cp->from, 50);
	cr_assert_eq(cp->to, 97);
	cr_assert_eq(cp->steps[0].tid, 30);
	cr_assert_eq(cp->steps[0].state, CP_TIMER);
	cr_assert_eq(cp->steps[0].start, 50);
	/* the window ends inside sort's last run, before its write: no hand-over yet */
	cr_assert_eq(cp->steps[cp->nsteps - 1].tid, 20);
	cr_assert_eq(cp->steps[cp->nsteps - 1].state, CP_RUNNING);
	cr_assert_eq(cp->steps[cp->nsteps - 1].end, 97);
	critical_path__free(cp);
	run_free(&r);
}

Test(critical_path, an_intermediate_thread_walks_its_own_waits)
{
	struct cp_run r = run_passes(pipe_chain);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 20, 0, 0);

	cr_assert(cp);
	covers(cp);
	/* sort: its own run, then seq's sleep via pipe 1, then its own time again */
	cr_assert_eq(cp->steps[0].tid, 20);
	cr_assert_eq(cp->steps[1].tid, 30);
	cr_assert_eq(cp->steps[1].state, CP_TIMER);
	cr_assert_eq(cp->steps[1].depth, 1);
	critical_path__free(cp);
	run_free(&r);
}

/* A reader of a file woken by the disk's interrupt, then by a task that was not traced. */
static void irq_and_untraced(struct model *m)
{
	ev_task(m, 0, 10, 10, "reader");
	ev_chan(m, 0, 10, FILE_CH, IPCT_KIND_PIPE, 0, 13, NULL);
	ev_sleep(m, 10, 10, 10, 50, 52, 1, IPCT_OP_READ, FILE_CH, 0, 0);
	ev_sys(m, 10, 10, 9, 53, IPCT_OP_READ, FILE_CH, 4096, 0);
	ev_sleep(m, 10, 10, 60, 70, 71, 1, IPCT_OP_READ, FILE_CH, 999, FILE_CH);
	ev_sys(m, 10, 10, 59, 72, IPCT_OP_READ, FILE_CH, 4096, 0);
	ev_sleep(m, 10, 10, 80, 90, 90, 1, IPCT_OP_POLL, FILE_CH, 0, 0);
	ev_sys(m, 10, 10, 79, 91, IPCT_OP_POLL, FILE_CH, 0, 0);
	ev_sys(m, 10, 10, 99, 100, IPCT_OP_OTHER, 0, 0, 0);
}

Test(critical_path, interrupt_timer_and_untraced_end_the_walk)
{
	struct cp_run r = run_passes(irq_and_untraced);
	int f = chan_id(r.names, IPCT_KIND_PIPE, 13);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 10, 0, 0);

	cr_assert(cp);
	covers(cp);
	step_is(cp, 1, 10, CP_INTERRUPT, 10, 50, f, IPCT_OP_READ, 0, false);
	step_is(cp, 4, 10, CP_UNTRACED, 60, 70, f, IPCT_OP_READ, 0, false);
	cr_assert_eq(cp->steps[4].waker_tid, 999);
	/* a poll that returned 0 timed out: its interrupt wakeup was the timer */
	step_is(cp, 7, 10, CP_TIMER, 80, 90, f, IPCT_OP_POLL, 0, false);
	cr_assert_eq(cp->steps[7].mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(cp->nby_channel, 1);
	cr_assert_eq(cp->by_channel[0].ns, 40 + 10 + 10);
	critical_path__free(cp);
	run_free(&r);
}

/* A thread still blocked when the trace ends: no wakeup to follow. */
static void still_blocked(struct model *m)
{
	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "writer");
	ev_chan(m, 0, 10, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 20, 20, 1, 2, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 10, 10, 3, 4, IPCT_OP_READ, P1, 1, 0);
	ev_sleep(m, 10, 10, 10, 0, 60, 1, IPCT_OP_READ, P1, 0, 0);
	ev_sys(m, 20, 20, 99, 100, IPCT_OP_OTHER, 0, 0, 0);
}

Test(critical_path, a_wait_without_wakeup_stays_blocked)
{
	struct cp_run r = run_passes(still_blocked);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 10, 0, 0);

	cr_assert(cp);
	covers(cp);
	cr_assert_eq(cp->steps[1].state, CP_BLOCKED);
	cr_assert_eq(cp->steps[1].op, IPCT_OP_READ);
	cr_assert_eq(cp->steps[1].start, 10);
	cr_assert_eq(cp->steps[1].end, 60);
	critical_path__free(cp);
	run_free(&r);
}

Test(critical_path, unknown_thread_is_esrch)
{
	struct cp_run r = run_passes(still_blocked);

	errno = 0;
	cr_assert_null(cp_collector__path(r.c, r.names, 4242, 0, 0));
	cr_assert_eq(errno, ESRCH);
	run_free(&r);
}

/* Many threads waking each other at random, with bogus overlaps: the path still covers. */
static unsigned long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(rng_state >> 33) % n;
}

static void random_wakes(struct model *m)
{
	uint64_t t[8] = { 0 };

	rng_state = 12345;
	for (uint32_t i = 0; i < 8; i++)
		ev_task(m, 0, 100 + i, 100 + i, "w");
	ev_chan(m, 0, 100, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	for (int k = 0; k < 4000; k++) {
		uint32_t i = rnd(8), waker = rnd(10);
		uint64_t out = t[i] + rnd(50), wake = out + rnd(200), in = wake + rnd(30);

		ev_sleep(m, 100 + i, 100 + i, out, rnd(7) ? wake : 0, in, rnd(4), IPCT_OP_READ, P1,
			 waker < 8 ? 100 + waker : 5000 + waker, rnd(2) ? P1 : 0);
		if (rnd(3) == 0)
			ev_sys(m, 100 + i, 100 + i, out, in + 1, IPCT_OP_READ, P1, 1, 0);
		t[i] = in + (rnd(9) == 0 ? 0 : 3);
	}
}

Test(critical_path, random_chains_cover_the_window)
{
	struct cp_run r = run_passes(random_wakes);

	for (uint32_t tid = 100; tid < 108; tid++) {
		struct critical_path *cp = cp_collector__path(r.c, r.names, tid, 0, 0);

		cr_assert(cp, "tid %u", tid);
		covers(cp);
		for (size_t i = 0; i < cp->nsteps; i++)
			cr_assert_leq(cp->steps[i].depth, 64);
		critical_path__free(cp);
	}
	run_free(&r);
}

/*
 * The text report keeps only the steps it prints: the totals, the summary's
 * groups and the steps it keeps are those of the whole path. The groups are
 * checked against the rule written here (the summary's rule, over every step).
 */
Test(critical_path, keeping_the_first_steps_changes_no_total)
{
	struct cp_run r = run_passes(random_wakes);
	static const size_t keeps[] = { 1, 3, 17, 1000000 };

	for (uint32_t tid = 100; tid < 108; tid++) {
		struct critical_path *all = cp_collector__path(r.c, r.names, tid, 0, 0);
		struct cp_group ref[CP_SUMMARY_GROUPS] = { 0 };
		size_t nref = 0, best = SIZE_MAX;

		cr_assert(all, "tid %u", tid);
		cr_assert_eq(all->nkept, all->nsteps);
		cr_assert_gt(all->nsteps, 20, "tid %u: a path long enough to cut: %zu", tid, all->nsteps);
		for (size_t i = 0; i < all->nsteps; i++) {
			const struct cp_step *s = &all->steps[i];
			struct cp_group k = { .chan = s->via ? s->via : s->chan, .state = s->state,
					      .tid = s->state == CP_UNTRACED ? s->waker_tid : s->tid,
					      .op = s->state == CP_RUNNING || s->state == CP_RUNNABLE ? 0 : s->op };
			size_t j;

			if (s->depth == 0 && (s->state == CP_RUNNING || s->state == CP_RUNNABLE))
				continue;
			for (j = 0; j < nref; j++)
				if (ref[j].chan == k.chan && ref[j].tid == k.tid && ref[j].state == k.state &&
				    ref[j].op == k.op)
					break;
			if (j == nref)
				ref[nref++] = k;
			ref[j].ns += s->end - s->start;
			if (best == SIZE_MAX || ref[j].ns > ref[best].ns)
				best = j;
		}
		cr_assert_eq(all->ngroups, nref, "tid %u", tid);
		cr_assert_eq(all->best, best, "tid %u", tid);
		cr_assert(cp_same_groups(all->groups, ref, nref), "tid %u", tid);
		for (size_t k = 0; k < sizeof(keeps) / sizeof(keeps[0]); k++) {
			struct critical_path *cut = cp_collector__path_kept(r.c, r.names, tid, 0, 0, keeps[k]);
			size_t want = keeps[k] < all->nsteps ? keeps[k] : all->nsteps;

			cr_assert(cut);
			cr_assert_eq(cut->nsteps, all->nsteps);
			cr_assert_eq(cut->nkept, want, "tid %u keep %zu: %zu", tid, keeps[k], cut->nkept);
			cr_assert(cp_same_steps(cut->steps, all->steps, want));
			cr_assert_eq(cut->own_ns, all->own_ns);
			cr_assert(cp_same_totals(cut, all), "tid %u keep %zu", tid, keeps[k]);
			cr_assert_eq(cut->ngroups, all->ngroups);
			cr_assert_eq(cut->best, all->best);
			cr_assert(cp_same_groups(cut->groups, all->groups, all->ngroups));
			critical_path__free(cut);
		}
		critical_path__free(all);
	}
	run_free(&r);
}

/* The reader's waker was forked during the wait: before its birth, its parent forking it. */
static void forked_waker(struct model *m)
{
	struct ipct_task f = { 0 };

	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "parent");
	ev_chan(m, 0, 10, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 20, 20, 1, 2, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 10, 10, 3, 4, IPCT_OP_READ, P1, 1, 0);
	hdr(&f.h, IPCT_EV_FORK, 50, 20, 20);
	f.child_pid = 30;
	f.child_tid = 30;
	strcpy(f.comm, "child");
	model__add(m, &f.h);
	ev_sys(m, 30, 30, 99, 100, IPCT_OP_WRITE, P1, 1, 0);
	ev_sleep(m, 10, 10, 10, 100, 100, 1, IPCT_OP_READ, P1, 30, P1);
	ev_sys(m, 10, 10, 9, 101, IPCT_OP_READ, P1, 1, 0);
	ev_sys(m, 20, 20, 119, 120, IPCT_OP_OTHER, 0, 0, 0);
}

Test(critical_path, before_its_birth_a_waker_is_its_parent_forking_it)
{
	struct cp_run r = run_passes(forked_waker);
	int p1 = chan_id(r.names, IPCT_KIND_PIPE, 11);
	struct critical_path *cp = cp_collector__path(r.c, r.names, 10, 0, 0);

	cr_assert(cp);
	covers(cp);
	step_is(cp, 1, 20, CP_RUNNING, 10, 50, 0, 0, p1, false);
	cr_assert_eq(cp->steps[1].depth, 2);
	step_is(cp, 2, 30, CP_RUNNING, 50, 100, p1, IPCT_OP_WRITE, p1, true);
	critical_path__free(cp);
	run_free(&r);
}

/*
 * Streaming: the path walked while the trace is read, keeping only what the
 * walk can still reach. It must be the path of the whole trace, or say it
 * has to be walked again (EAGAIN).
 */
static struct critical_path *streamed(scenario feed, uint32_t tid, uint64_t from, uint64_t to,
				      size_t keep, size_t *peak)
{
	struct model_opts mo = { 0 };
	struct cp_collector *c = cp_collector__stream(tid, from, to, keep);
	struct critical_path *cp;
	struct model *m;
	int err;

	cr_assert(c);
	cp_collector__sinks(c, &mo);
	m = model__new(&mo);
	cr_assert(m);
	feed(m);
	model__finish(m);
	errno = 0;
	cp = cp_collector__stream_path(c, m);
	err = errno;
	if (peak)
		*peak = cp_collector__peak(c);
	cp_collector__free(c);
	model__free(m);
	errno = err;
	return cp;
}

/* The path from a collector of the whole trace (the scenarios start at 0: absolute = relative). */
static struct critical_path *whole(scenario feed, uint32_t tid, uint64_t from, uint64_t to,
				   size_t keep, size_t *peak)
{
	struct cp_run r = run_passes(feed);
	struct critical_path *cp = cp_collector__path_kept(r.c, r.names, tid, from, to, keep);

	cr_assert(cp, "tid %u", tid);
	if (peak)
		*peak = cp_collector__peak(r.c);
	run_free(&r);
	return cp;
}

/*
 * ping (1) and pong (2) bounce a byte over two pipes `rounds` times, one
 * round every `step` ns; a third thread (3), never on their path, is
 * preempted in each round; `more` adds a scenario's own events to a round.
 */
static void pingpong_rounds(struct model *m, unsigned rounds, uint64_t step,
			    void (*more)(struct model *m, unsigned k, uint64_t t))
{
	uint64_t pong_enter = 1, pong_out = 2;

	ev_task(m, 0, 1, 1, "ping");
	ev_task(m, 0, 2, 2, "pong");
	ev_task(m, 0, 3, 3, "busy");
	ev_chan(m, 0, 1, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_chan(m, 0, 2, P2, IPCT_KIND_PIPE, 0, 12, NULL);
	for (unsigned k = 1; k <= rounds; k++) {
		uint64_t t = step * k;

		ev_sys(m, 1, 1, t + 1, t + 2, IPCT_OP_WRITE, P1, 1, 0);
		ev_sleep(m, 2, 2, pong_out, t + 2, t + 3, 1, IPCT_OP_READ, P1, 1, P1);
		ev_sys(m, 2, 2, pong_enter, t + 4, IPCT_OP_READ, P1, 1, 0);
		ev_sys(m, 2, 2, t + 5, t + 6, IPCT_OP_WRITE, P2, 1, 0);
		ev_sleep(m, 1, 1, t + 4, t + 6, t + 7, 1, IPCT_OP_READ, P2, 2, P2);
		ev_sys(m, 1, 1, t + 3, t + 8, IPCT_OP_READ, P2, 1, 0);
		ev_sleep(m, 3, 3, t + 10, 0, t + 20, 0, IPCT_OP_OTHER, 0, 0, 0);
		if (more)
			more(m, k, t);
		pong_enter = t + 7;
		pong_out = t + 8;
	}
}

static void pingpong_short(struct model *m)
{
	pingpong_rounds(m, 50, 100, NULL);
}

/* 10 us a round, as a real ping-pong: the stream walks what is CP_ORDER_SLACK_NS old */
#define LONG_STEP 10000

static void pingpong_long(struct model *m)
{
	pingpong_rounds(m, 20000, LONG_STEP, NULL);
}

Test(critical_path, streamed_walk_is_the_walk_of_the_whole_trace)
{
	static const struct {
		scenario feed;
		uint32_t tids[8];
		bool consistent;      /* a trace as the recorder writes it: the stream must hold */
	} cases[] = {
		{ pipe_chain, { 10, 20, 30 }, true },
		{ irq_and_untraced, { 10 }, true },
		{ still_blocked, { 10, 20 }, true },
		{ forked_waker, { 10, 20, 30 }, true },
		{ pingpong_short, { 1, 2, 3 }, true },
		{ random_wakes, { 100, 101, 102, 103, 104, 105, 106, 107 }, false },
	};
	static const uint64_t windows[][2] = { { 0, 0 }, { 15, 95 }, { 50, 0 }, { 0, 3000 }, { 1000, 3000 } };
	static const size_t keeps[] = { SIZE_MAX, 3 };
	unsigned held = 0, again = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t j = 0; j < 8 && cases[i].tids[j]; j++)
			for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++)
				for (size_t k = 0; k < 2; k++) {
					uint32_t tid = cases[i].tids[j];
					uint64_t a = windows[w][0], b = windows[w][1];
					struct critical_path *s = streamed(cases[i].feed, tid, a, b, keeps[k], NULL);
					struct critical_path *o = whole(cases[i].feed, tid, a, b, keeps[k], NULL);

					if (!s) {
						cr_assert_eq(errno, EAGAIN, "case %zu tid %u: %s", i, tid,
							     strerror(errno));
						cr_assert_not(cases[i].consistent,
							      "case %zu tid %u window %zu: walked again", i, tid, w);
						again++;
					} else {
						cr_assert(cp_same(s, o), "case %zu tid %u window %zu keep %zu", i,
							  tid, w, keeps[k]);
						held++;
					}
					critical_path__free(s);
					critical_path__free(o);
				}
	cr_assert_gt(held, 100, "held %u, walked again %u", held, again);
}

Test(critical_path, streaming_holds_what_the_walk_can_reach)
{
	size_t peak_stream, peak_whole;
	struct critical_path *s = streamed(pingpong_long, 1, 0, 0, 100, &peak_stream);
	struct critical_path *o = whole(pingpong_long, 1, 0, 0, 100, &peak_whole);

	cr_assert(s, "%s", strerror(errno));
	cr_assert(cp_same(s, o));
	cr_assert_gt(s->nsteps, 40000, "a path through every round: %zu steps", s->nsteps);
	/* the whole trace: three stretches a round; the stream, in each of the three lanes: the
	 * rounds of the last CP_ORDER_SLACK_NS, under 8/3 times over (a lane prunes when full,
	 * doubles when still three quarters full), and a few */
	cr_assert_geq(peak_whole, 3 * 20000);
	cr_assert_lt(peak_stream, 3 * (3 * CP_ORDER_SLACK_NS / LONG_STEP + 32),
		     "held %zu stretches at once", peak_stream);
	critical_path__free(s);
	critical_path__free(o);
}

/*
 * The writer's stretch around the wakeup is reported after the reader's wait
 * (a switch-in the kernel did not report: the writer's SLEEP comes at its
 * call's return), `late` ns after the trace's latest span. Read whole, the
 * writer was off CPU, woken by an interrupt; a stream that walked it as
 * running must say so. Late by microseconds, as two CPUs' events are, the
 * stream has not walked it yet.
 */
static void late_waker_stretch_by(struct model *m, uint64_t late)
{
	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "writer");
	ev_chan(m, 0, 10, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 20, 20, 1, 2, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 10, 10, 3, 4, IPCT_OP_READ, P1, 1, 0);
	ev_sleep(m, 10, 10, 10, 50, 52, 1, IPCT_OP_READ, P1, 20, P1);
	ev_sys(m, 10, 10, 9, 53, IPCT_OP_READ, P1, 1, 0);
	ev_sys(m, 10, 10, 60, 55 + late, IPCT_OP_OTHER, 0, 0, 0);
	ev_sleep(m, 20, 20, 5, 30, 55, 1, IPCT_OP_WRITE, P1, 0, 0);
	ev_sys(m, 20, 20, 4, 56, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 10, 10, 70 + late, 71 + late, IPCT_OP_OTHER, 0, 0, 0);
}

static void late_waker_stretch(struct model *m)
{
	late_waker_stretch_by(m, 2 * CP_ORDER_SLACK_NS);
}

static void slightly_late_waker_stretch(struct model *m)
{
	late_waker_stretch_by(m, 3000);
}

Test(critical_path, a_stretch_reported_late_is_walked_again)
{
	struct critical_path *o = whole(late_waker_stretch, 10, 0, 0, SIZE_MAX, NULL);
	size_t i;

	cr_assert_null(streamed(late_waker_stretch, 10, 0, 0, SIZE_MAX, NULL));
	cr_assert_eq(errno, EAGAIN);
	for (i = 0; i < o->nsteps && o->steps[i].tid != 20; i++)
		;
	step_is(o, i, 20, CP_INTERRUPT, 10, 30, o->steps[i].chan, IPCT_OP_WRITE, o->steps[i].via, false);
	critical_path__free(o);
}

Test(critical_path, a_stretch_reported_microseconds_late_streams)
{
	struct critical_path *o = whole(slightly_late_waker_stretch, 10, 0, 0, SIZE_MAX, NULL);
	struct critical_path *s = streamed(slightly_late_waker_stretch, 10, 0, 0, SIZE_MAX, NULL);
	size_t i;

	cr_assert(s, "%s", strerror(errno));
	cr_assert(cp_same(s, o));
	for (i = 0; i < s->nsteps && s->steps[i].tid != 20; i++)
		;
	cr_assert_lt(i, s->nsteps);
	cr_assert_eq(s->steps[i].state, CP_INTERRUPT, "the writer was woken, not running: %s",
		     cp_state_name(s->steps[i].state));
	critical_path__free(s);
	critical_path__free(o);
}

/*
 * The waker of the reader's wait shows up in the trace only after the wait was
 * walked (its first event more than CP_ORDER_SLACK_NS behind the latest).
 */
static void waker_seen_later(struct model *m)
{
	ev_task(m, 0, 10, 10, "reader");
	ev_chan(m, 0, 10, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 10, 10, 3, 4, IPCT_OP_READ, P1, 1, 0);
	ev_sleep(m, 10, 10, 10, 50, 52, 1, IPCT_OP_READ, P1, 20, P1);
	ev_sys(m, 10, 10, 9, 53, IPCT_OP_READ, P1, 1, 0);
	ev_sys(m, 10, 10, 54, 2 * CP_ORDER_SLACK_NS, IPCT_OP_OTHER, 0, 0, 0);
	ev_task(m, 54, 20, 20, "writer");
	ev_sys(m, 20, 20, 55, 56, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 10, 10, 3 * CP_ORDER_SLACK_NS, 3 * CP_ORDER_SLACK_NS + 1, IPCT_OP_OTHER, 0, 0, 0);
}

Test(critical_path, a_waker_traced_after_its_wakeup_is_walked_again)
{
	struct critical_path *o = whole(waker_seen_later, 10, 0, 0, SIZE_MAX, NULL);

	cr_assert_null(streamed(waker_seen_later, 10, 0, 0, SIZE_MAX, NULL));
	cr_assert_eq(errno, EAGAIN);
	/* read whole, the writer is a thread of the trace, not an untraced task */
	for (size_t i = 0; i < o->nsteps; i++)
		cr_assert_neq(o->steps[i].state, CP_UNTRACED, "step %zu", i);
	critical_path__free(o);
}

/*
 * Attached to a running program: the reader is first seen at 40, but its
 * first SLEEP says it went off CPU at 20, which moves the start of its life.
 * The walk begins at its first stretch, so the stream holds.
 */
static void asleep_before_first_seen(struct model *m)
{
	ev_task(m, 0, 20, 20, "writer");
	ev_chan(m, 0, 20, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 20, 20, 1, 2, IPCT_OP_WRITE, P1, 1, 0);
	ev_task(m, 40, 10, 10, "reader");
	ev_sys(m, 20, 20, 59, 60, IPCT_OP_WRITE, P1, 1, 0);
	ev_sleep(m, 10, 10, 20, 60, 62, 1, IPCT_OP_READ, P1, 20, P1);
	ev_sys(m, 10, 10, 19, 63, IPCT_OP_READ, P1, 1, 0);
	ev_sys(m, 10, 10, 70, 71, IPCT_OP_OTHER, 0, 0, 0);
	ev_sys(m, 20, 20, 80, 81, IPCT_OP_OTHER, 0, 0, 0);
}

/* tid's whole life walked as it streams (which must hold) and over the whole trace */
static void stream_and_whole(scenario feed, uint32_t tid, struct critical_path **s,
			     struct critical_path **o)
{
	*s = streamed(feed, tid, 0, 0, SIZE_MAX, NULL);
	cr_assert(*s, "the stream did not hold: %s", strerror(errno));
	*o = whole(feed, tid, 0, 0, SIZE_MAX, NULL);
}

Test(critical_path, a_life_begun_before_first_seen_streams)
{
	struct critical_path *s, *o;

	stream_and_whole(asleep_before_first_seen, 10, &s, &o);
	cr_assert_eq(o->from, 19, "the reader's life begins at its call: %lu", (unsigned long)o->from);
	cr_assert(cp_same(s, o));
	critical_path__free(s);
	critical_path__free(o);
}

/*
 * Calls of a tid after its EXIT (a reused tid whose FORK was lost, or a
 * damaged trace; the fuzzer found it): the whole walk cuts the window at the
 * exit, so the stream must not walk past it either, neither to a return
 * after the exit nor through stretches after it.
 */
static void calls_after_exit(struct model *m)
{
	ev_task(m, 0, 20, 20, "writer");
	ev_exit(m, 30, 10, 10, 0);
	/* entries the model cannot place (after the exit): it counts them from the exit */
	ev_sys(m, 10, 10, 1ull << 62, 60, IPCT_OP_OTHER, 0, 1, 0);
	ev_sys(m, 10, 10, 1ull << 62, 70, IPCT_OP_OTHER, 0, 1, 0);
	ev_sys(m, 20, 20, 5000, 5001, IPCT_OP_OTHER, 0, 0, 0);
}

Test(critical_path, a_tid_seen_after_its_exit_is_walked_up_to_the_exit)
{
	struct critical_path *s, *o;

	stream_and_whole(calls_after_exit, 10, &s, &o);
	cr_assert_eq(o->to, 30, "the whole walk ends at the exit: %lu", (unsigned long)o->to);
	cr_assert_eq(s->to, 30, "the stream's ends at the exit: %lu", (unsigned long)s->to);
	cr_assert(cp_same(s, o), "stream %zu steps, last ends %lu; whole %zu", s->nsteps,
		  (unsigned long)(s->nsteps ? s->steps[s->nsteps - 1].end : 0), o->nsteps);
	critical_path__free(s);
	critical_path__free(o);
}

/*
 * The writer's one write fills the pipe again and again (pipe_full, `cat big
 * | slow`): each time the reader's read wakes it, and it wakes the reader.
 * Its stretches wait for a return that comes only at the end, but nothing a
 * walk reads of them can change (their channel and waker are known): the
 * reader's waits are walked as they come.
 */
static void one_long_write(struct model *m)
{
	const unsigned rounds = 5000;

	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "writer");
	ev_chan(m, 0, 10, P1, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 10, 10, 1, 2, IPCT_OP_READ, P1, 1, 0);
	for (unsigned k = 1; k <= rounds; k++) {
		uint64_t t = (uint64_t)LONG_STEP * k;

		ev_sys(m, 10, 10, t + 1, t + 2, IPCT_OP_READ, P1, 65536, 0);
		ev_sleep(m, 20, 20, t - 40, t + 2, t + 3, 1, IPCT_OP_WRITE, P1, 10, P1);
		ev_sleep(m, 10, 10, t + 10, t + 20, t + 21, 1, IPCT_OP_READ, P1, 20, P1);
		ev_sys(m, 10, 10, t + 9, t + 22, IPCT_OP_READ, P1, 65536, 0);
	}
	ev_sys(m, 20, 20, 3, (uint64_t)LONG_STEP * rounds + 50, IPCT_OP_WRITE, P1, 65536ull * 2 * rounds, 0);
}

Test(critical_path, a_long_call_with_settled_stretches_does_not_hold_the_walk)
{
	size_t peak_stream, peak_whole;
	struct critical_path *s = streamed(one_long_write, 10, 0, 0, 100, &peak_stream);
	struct critical_path *o = whole(one_long_write, 10, 0, 0, 100, &peak_whole);

	cr_assert(s, "%s", strerror(errno));
	cr_assert(cp_same(s, o));
	cr_assert_geq(peak_whole, 2 * 5000);
	cr_assert_lt(peak_stream, 2 * (3 * CP_ORDER_SLACK_NS / LONG_STEP + 32),
		     "held %zu stretches at once", peak_stream);
	critical_path__free(s);
	critical_path__free(o);
}

/*
 * Beside a ping-pong of 5,000 rounds, 10 us apart: a thread that never
 * sleeps (4: its calls return each round), one forked half-way (5) and one
 * that lives ten rounds (6).
 */
#define ROUNDS 5000
#define STEP 10000

static void beside(struct model *m, unsigned k, uint64_t t)
{
	ev_sys(m, 4, 4, t + 30, t + 31, IPCT_OP_OTHER, 0, 0, 0);
	if (k == 1)
		ev_fork(m, t + 32, 1, 1, 6, 6, "brief");
	if (k < 10)
		ev_sys(m, 6, 6, t + 33, t + 34, IPCT_OP_OTHER, 0, 0, 0);
	if (k == 10)
		ev_exit(m, t + 35, 6, 6, 0);
	if (k == ROUNDS / 2)
		ev_fork(m, t + 36, 1, 1, 5, 5, "late");
	if (k > ROUNDS / 2)
		ev_sys(m, 5, 5, t + 37, t + 38, IPCT_OP_OTHER, 0, 0, 0);
}

static void pingpong_beside(struct model *m)
{
	ev_task(m, 0, 4, 4, "spinner");
	pingpong_rounds(m, ROUNDS, STEP, beside);
}

Test(critical_path, a_target_running_born_late_or_gone_holds_little)
{
	static const uint32_t tids[] = { 4, 5, 6 };
	/* before the late one is seen, the stretches of the last millisecond are held (100 rounds:
	 * 300 stretches, the lanes' room for growth beside) */
	static const size_t most[] = { 100, 1000, 100 };

	for (size_t i = 0; i < 3; i++) {
		size_t peak_stream, peak_whole;
		struct critical_path *s = streamed(pingpong_beside, tids[i], 0, 0, 100, &peak_stream);
		struct critical_path *o = whole(pingpong_beside, tids[i], 0, 0, 100, &peak_whole);

		cr_assert(s, "tid %u: %s", tids[i], strerror(errno));
		cr_assert(cp_same(s, o), "tid %u", tids[i]);
		cr_assert_geq(peak_whole, 3 * ROUNDS);
		cr_assert_lt(peak_stream, most[i], "tid %u: held %zu stretches at once", tids[i], peak_stream);
		critical_path__free(s);
		critical_path__free(o);
	}
}

/* A thread first seen late, whose first SLEEP says it slept since the start. */
static void asleep_from_start(struct model *m, unsigned k, uint64_t t)
{
	if (k == ROUNDS - 1)
		ev_sleep(m, 7, 7, 5, t + 2, t + 3, 1, IPCT_OP_READ, P1, 1, P1);
	if (k == ROUNDS)
		ev_sys(m, 7, 7, t + 4, t + 5, IPCT_OP_OTHER, 0, 0, 0);
}

static void pingpong_asleep(struct model *m)
{
	pingpong_rounds(m, ROUNDS, STEP, asleep_from_start);
}

Test(critical_path, a_life_begun_before_what_was_dropped_is_walked_again)
{
	struct critical_path *o = whole(pingpong_asleep, 7, 0, 0, SIZE_MAX, NULL);

	/* dropped while the model had not seen it: its life begins before */
	cr_assert_null(streamed(pingpong_asleep, 7, 0, 0, SIZE_MAX, NULL));
	cr_assert_eq(errno, EAGAIN);
	cr_assert_eq(o->from, 5);
	critical_path__free(o);
}
