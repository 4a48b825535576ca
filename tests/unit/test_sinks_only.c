// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model_opts.sinks_only: a model whose only product is its sinks skips the
 * report's work, and its sinks get exactly the calls a full model's get.
 * Oracle: a full model over the same events. The events are random streams
 * over a few processes and channels (every op, EAGAIN, zero-timeout polls,
 * epoll sets, AIO completion signals, sleeps with wakers, wakeups, channels
 * joined after both ends were used, forks, execs, exits, lost records).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "load.h"
#include "sink_calls.h"
#include "svg_synth.h"

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

#define NPROC 4
/* kernel channel ids: described ones, two unix connections joined late, one never described */
static const uint64_t chans[] = { 0, 0x10, 0x11, 0x20, 0x21, 0x22, 0x23, 0x30, 0x40, 0x50,
				  0x60, 0x70, 0x80, 0x90, 0xA0, 0xA0 };
static const unsigned ops[] = {
	IPCT_OP_READ, IPCT_OP_READ, IPCT_OP_WRITE, IPCT_OP_WRITE, IPCT_OP_RECV, IPCT_OP_SEND,
	IPCT_OP_POLL, IPCT_OP_POLL, IPCT_OP_SELECT, IPCT_OP_EPOLL_WAIT, IPCT_OP_EPOLL_WAIT,
	IPCT_OP_EPOLL_CTL, IPCT_OP_SPLICE, IPCT_OP_ACCEPT, IPCT_OP_LISTEN, IPCT_OP_CONNECT,
	IPCT_OP_CLOSE, IPCT_OP_MMAP, IPCT_OP_FUTEX_WAIT, IPCT_OP_FUTEX_WAKE, IPCT_OP_KILL,
	IPCT_OP_KILL, IPCT_OP_SIGWAIT, IPCT_OP_MQ_SEND, IPCT_OP_MQ_RECV, IPCT_OP_MQ_NOTIFY,
	IPCT_OP_IO_SUBMIT, IPCT_OP_NANOSLEEP, IPCT_OP_SEMOP, IPCT_OP_OTHER,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t pid_of(uint64_t i) { return 100 * (uint32_t)(i + 1); }

static uint32_t tid_of(uint32_t pid) { return pid + (uint32_t)rnd(3); }

static uint64_t any_chan(void) { return chans[rnd(N(chans))]; }

static int64_t call_ret(unsigned op, uint8_t *flags)
{
	if (op == IPCT_OP_POLL || op == IPCT_OP_SELECT || op == IPCT_OP_EPOLL_WAIT) {
		if (rnd(2))
			*flags |= IPCT_F_ZERO_TMO;
		return (int64_t)rnd(3);
	}
	switch (rnd(20)) {
	case 0: case 1: case 2: case 3: case 4:
		return -EAGAIN;
	case 5: case 6:
		return 0;
	case 7:
		return -EINTR;
	default:
		return 1 + (int64_t)rnd(4096);
	}
}

static void gen_call(struct sy *s, uint64_t *now)
{
	uint32_t pid = pid_of(rnd(NPROC)), tid = tid_of(pid);
	unsigned op = ops[rnd(N(ops))];
	uint64_t enter = *now, chan = any_chan();
	uint8_t flags = rnd(4) ? 0 : IPCT_F_NONBLOCK;
	int64_t ret = call_ret(op, &flags);
	union sy_ev *e;

	/* off CPU inside the call, woken by another process's call on some channel */
	if (!rnd(3)) {
		union sy_ev *sl = sy_add(s, IPCT_EV_SLEEP, *now + 800, pid, tid);
		uint32_t waker = pid_of(rnd(NPROC));

		sl->sl.out_ts = *now + 100;
		sl->sl.state = (uint32_t)rnd(2);
		sl->sl.wake_ts = sl->sl.state ? *now + 100 + rnd(700) : 0;
		sl->sl.chan = chan;
		sl->sl.op = (uint8_t)op;
		if (sl->sl.state && rnd(4)) {
			sl->sl.waker_pid = waker;
			sl->sl.waker_tid = waker;
			sl->sl.waker_chan = any_chan();
			sl->sl.waker_op = rnd(5) ? IPCT_OP_WRITE : IPCT_OP_KILL;
		}
		if (!rnd(50))
			sl->h.flags = IPCT_F_UNFINISHED;
	}
	*now += 1000 + rnd(2000);
	if (!rnd(6))
		flags |= IPCT_F_ASYNC;
	if (!rnd(30))
		flags |= IPCT_F_INSIGNAL;
	if (!rnd(30) && (op == IPCT_OP_SEND || op == IPCT_OP_RECV))
		flags |= IPCT_F_MSGS;
	if (!rnd(200))
		flags |= IPCT_F_UNFINISHED;
	e = sy_add(s, IPCT_EV_SYSCALL, *now, pid, tid);
	e->h.flags = flags;
	e->sc.enter_ts = rnd(40) ? enter : 0;
	e->sc.op = (uint8_t)op;
	e->sc.nr = (uint16_t)op;
	e->sc.chan = chan;
	e->sc.fd = 3 + (int32_t)rnd(3);
	e->sc.ret = ret;
	e->sc.arg = ret > 0 ? ret : (int64_t)rnd(64);
	if (op == IPCT_OP_SPLICE || ((op == IPCT_OP_POLL || op == IPCT_OP_SELECT) && !rnd(3)))
		e->sc.chan2 = any_chan();
	if (op == IPCT_OP_EPOLL_CTL) {
		e->sc.arg = (int64_t)rnd(3);          /* 0: epoll_create (ret the fd), 1 ADD, 2 DEL */
		e->sc.ret = e->sc.arg ? 0 : 3 + (int64_t)rnd(3);
	}
	if (op == IPCT_OP_KILL) {
		e->sc.arg = rnd(2) ? tid : tid_of(pid_of(rnd(NPROC)));
		e->sc.ret = rnd(4) ? 0 : -EPERM;
	}
}

/* Everything else a trace holds: wakeups of untraced tasks, process life, mappings, lost records. */
static void gen_other(struct sy *s, uint64_t *now)
{
	uint32_t pid = pid_of(rnd(NPROC)), tid = tid_of(pid);
	union sy_ev *e;

	*now += 500 + rnd(1000);
	switch (rnd(8)) {
	case 0: case 1: case 2:
		e = sy_add(s, IPCT_EV_WAKEUP, *now, pid, tid);
		((struct ipct_wakeup *)e)->chan = any_chan();
		((struct ipct_wakeup *)e)->wakee_pid = rnd(2) ? 999 : pid_of(rnd(NPROC));
		((struct ipct_wakeup *)e)->wakee_tid = ((struct ipct_wakeup *)e)->wakee_pid;
		((struct ipct_wakeup *)e)->op = rnd(4) ? IPCT_OP_WRITE : IPCT_OP_KILL;
		break;
	case 3:
		e = sy_add(s, IPCT_EV_FORK, *now, pid, tid);
		e->tk.child_pid = rnd(2) ? pid : 5000 + (uint32_t)rnd(4);
		e->tk.child_tid = e->tk.child_pid == pid ? pid + 3 : e->tk.child_pid;
		e->h.flags = e->tk.child_pid == pid ? IPCT_F_THREAD : 0;
		break;
	case 4:
		e = sy_add(s, IPCT_EV_EXEC, *now, pid, pid);
		sy_copy(e->pr.name, sizeof(e->pr.name), "/usr/bin/worker");
		break;
	case 5:
		e = sy_add(s, IPCT_EV_MAP, *now, pid, pid);
		((struct ipct_map *)e)->chan = rnd(2) ? 0x40 : 0xA0;
		((struct ipct_map *)e)->prot = rnd(2) ? 3 : 1;
		break;
	case 6:
		e = sy_add(s, IPCT_EV_LOST, *now, 0, 0);
		e->lo.count = 1 + rnd(9);
		e->lo.first_ts = *now - 100;
		break;
	default:
		/* forked children too: one that kept its parent's mappings holds them from its fork */
		if (!rnd(3))
			pid = tid = 5000 + (uint32_t)rnd(4);
		e = sy_add(s, IPCT_EV_EXIT, *now, pid, tid);
		e->h.flags = tid == pid && !rnd(4) ? IPCT_F_GROUP_DEAD : 0;
		break;
	}
}

static void gen_unix(struct sy *s, uint64_t ts, uint64_t a, uint64_t b, uint32_t pid)
{
	union sy_ev *e = sy_add(s, IPCT_EV_CHAN, ts, pid, pid);

	e->ch.chan = a;
	e->ch.peer = b;
	e->ch.kind = IPCT_KIND_UNIX_STREAM;
	e->ch.ino = a;
}

/* A trace of about n random events from seed; the file bytes, *len long. */
static void *gen(uint64_t seed, size_t n, size_t *len)
{
	struct sy s = { 0 };
	uint64_t now = SY_T0 + 1000;
	size_t join_at = 1 + seed % n;
	union sy_ev *e;

	rng = seed * 0x9e3779b97f4a7c15ull | 1;
	for (uint64_t i = 0; i < NPROC; i++)
		for (uint32_t t = 0; t < 3; t++)
			sy_task(&s, now, pid_of(i), pid_of(i) + t, "task");
	sy_chan(&s, now, 100, 0x10, IPCT_KIND_PIPE, "pipe:[16]");
	sy_chan(&s, now, 100, 0x11, IPCT_KIND_FIFO, "/tmp/fifo");
	gen_unix(&s, now, 0x20, 0x21, 100);
	gen_unix(&s, now, 0x21, 0x20, 200);
	sy_chan(&s, now, 100, 0x22, IPCT_KIND_UNIX_STREAM, "@srv");
	sy_chan(&s, now, 300, 0x23, IPCT_KIND_UNIX_STREAM, "");
	sy_chan(&s, now, 100, 0x30, IPCT_KIND_FUTEX, "");
	sy_chan(&s, now, 100, 0x40, IPCT_KIND_SHM, "/dev/shm/ring");
	sy_chan(&s, now, 100, 0x50, IPCT_KIND_FILE, "/tmp/log");
	sy_chan(&s, now, 100, 0x60, IPCT_KIND_TCP, "");
	sy_chan(&s, now, 100, 0x70, IPCT_KIND_UDP, "");
	sy_chan(&s, now, 100, 0x80, IPCT_KIND_MQUEUE, "/q");
	sy_chan(&s, now, 100, 0xA0, IPCT_KIND_MMAP, "/tmp/mapped");
	for (size_t i = 0; i < n; i++) {
		/* the second connection's ends are paired only after both were used: two channels merge */
		if (i == join_at) {
			gen_unix(&s, now, 0x22, 0x23, 100);
			gen_unix(&s, now, 0x23, 0x22, 300);
		}
		if (rnd(5))
			gen_call(&s, &now);
		else
			gen_other(&s, &now);
		/* now and then a pause that ends a polling run */
		if (!rnd(40))
			now += 2000000;
	}
	/* at the stop, a thread asleep in a read that never returned: the report's stuck */
	e = sy_add(&s, IPCT_EV_SLEEP, now + 100, 100, 150);
	e->h.flags = IPCT_F_UNFINISHED;
	e->sl.out_ts = now + 50;
	e->sl.state = 1;
	e->sl.op = IPCT_OP_READ;
	e->sl.chan = 0x10;
	sy_call(&s, 100, 150, now, now + 100, IPCT_OP_READ, 0, 0x10, 0, IPCT_F_UNFINISHED);
	return sy_write(&s, "random", len);
}

static struct model *run(const void *buf, size_t len, struct sink_calls *k, bool sinks_only)
{
	struct trace_reader *r = trace_reader__open_mem(buf, len, NULL, NULL);
	struct model_opts o = sink_calls__opts(k, sinks_only);
	struct model *m;

	cr_assert_not_null(r);
	m = model__from_reader(r, &o);
	cr_assert_not_null(m);
	trace_reader__free(r);
	return m;
}

static void assert_same(const struct sink_calls *full, const struct sink_calls *lean, uint64_t seed)
{
	size_t i = sink_calls__first_diff(full, lean);

	cr_assert_eq(i, SIZE_MAX, "seed %llu: sink call %zu of %zu (a full model makes %zu) differs",
		     (unsigned long long)seed, i, lean->n, full->n);
}

/* What the streams exercised, so that an equality over nothing cannot pass. */
struct seen {
	size_t polling, blocked, chan_spans, transfers, chan_wakes, lost;
	size_t modes[MODE_COUNT], full_duplex, stuck, wake_pairs;
};

static void note(struct seen *n, const struct sink_calls *k, const struct model *m)
{
	for (size_t i = 0; i < k->n; i++) {
		const struct sink_call *r = &k->c[i];

		n->polling += r->what == SINK_SPAN && r->a[2] == SPAN_POLLING;
		n->blocked += r->what == SINK_SPAN && r->a[2] == SPAN_BLOCKED;
		n->chan_spans += r->what == SINK_SPAN && r->a[5];
		n->transfers += r->what == SINK_TRANSFER;
		n->chan_wakes += r->what == SINK_WAKE && r->a[0];
		n->lost += r->what == SINK_LOST;
	}
	for (size_t i = 0; i < m->nchannels; i++) {
		n->full_duplex += m->channels[i].direction == DIR_FULL_DUPLEX;
		for (size_t j = 0; j < m->channels[i].nendpoints; j++)
			for (int mo = 0; mo < MODE_COUNT; mo++)
				n->modes[mo] += m->channels[i].endpoints[j].mode_calls[mo] > 0;
	}
	for (size_t i = 0; i < m->nthreads; i++)
		n->stuck += m->threads[i].stuck;
	n->wake_pairs += m->nwakeups;
}

Test(sinks_only, every_sink_call_is_a_full_models)
{
	struct seen n = { 0 };

	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct sink_calls full = { 0 }, lean = { 0 };
		size_t len;
		void *buf = gen(seed, 4000, &len);
		struct model *fm, *lm;

		cr_assert_not_null(buf);
		fm = run(buf, len, &full, false);
		lm = run(buf, len, &lean, true);
		assert_same(&full, &lean, seed);
		note(&n, &full, fm);
		cr_assert(fm->nchannels && fm->nthreads, "seed %llu: a full model has its arrays",
			  (unsigned long long)seed);
		cr_assert(!lm->nchannels && !lm->nthreads && !lm->nwakeups,
			  "seed %llu: a sinks-only model skipped the report's arrays",
			  (unsigned long long)seed);
		model__free(fm);
		model__free(lm);
		sink_calls__free(&full);
		sink_calls__free(&lean);
		free(buf);
	}
	cr_assert(n.polling && n.blocked && n.chan_spans && n.transfers && n.chan_wakes && n.lost,
		  "every kind of sink call: %zu polling, %zu blocked, %zu on a channel, %zu transfers, "
		  "%zu wakes on a channel, %zu lost", n.polling, n.blocked, n.chan_spans, n.transfers,
		  n.chan_wakes, n.lost);
	for (int mo = 0; mo < MODE_COUNT; mo++)
		cr_assert(n.modes[mo], "the skipped work had evidence of mode %d to find", mo);
	cr_assert(n.full_duplex && n.stuck && n.wake_pairs,
		  "directions, stuck threads and wake counts were skipped work too: %zu %zu %zu",
		  n.full_duplex, n.stuck, n.wake_pairs);
}

/* model_load__pass runs sinks-only models: its sinks get what a full model's sinks get. */
Test(sinks_only, a_load_pass_feeds_what_a_full_model_does)
{
	for (uint64_t seed = 41; seed <= 50; seed++) {
		struct sink_calls full = { 0 }, win = { 0 }, whole = { 0 };
		struct model_opts wo = sink_calls__opts(&win, false), ho = sink_calls__opts(&whole, false);
		size_t len;
		void *buf = gen(seed, 3000, &len);
		struct trace_reader *r = trace_reader__open_mem(buf, len, NULL, NULL);
		struct model_load *l;

		cr_assert_not_null(r);
		model__free(run(buf, len, &full, false));
		l = model_load__open(r, NULL, NULL);
		cr_assert_not_null(l);
		cr_assert_eq(model_load__pass(l, &wo, &ho), 0);
		assert_same(&full, &win, seed);
		assert_same(&full, &whole, seed);
		cr_assert(l->model->nchannels, "the loaded model is still a full one");
		model_load__free(l);
		trace_reader__free(r);
		sink_calls__free(&full);
		sink_calls__free(&win);
		sink_calls__free(&whole);
		free(buf);
	}
}

/*
 * Shared memory that becomes a channel only through a forked child's holding
 * it (repros: a parent's mmap, its child keeps it): at the child's exit, and
 * at the end of the recording, where a polling run still open is drawn.
 */
Test(sinks_only, a_mapping_held_by_a_child_names_the_same_channel)
{
	struct sink_calls full = { 0 }, lean = { 0 };
	struct sy s = { 0 };
	union sy_ev *e;
	size_t len, named = 0;
	void *buf;

	sy_task(&s, SY_T0 + 1000, 100, 100, "parent");
	sy_task(&s, SY_T0 + 1000, 200, 200, "other");
	sy_chan(&s, SY_T0 + 1000, 100, 0xA0, IPCT_KIND_MMAP, "/tmp/a");
	sy_chan(&s, SY_T0 + 1000, 200, 0xA1, IPCT_KIND_MMAP, "/tmp/b");
	sy_call(&s, 100, 100, SY_T0 + 2000, SY_T0 + 3000, IPCT_OP_MMAP, 9, 0xA0, 0x7f0000, 0);
	s.ev[s.n - 1].sc.arg = 3; /* PROT_READ | PROT_WRITE */
	sy_call(&s, 200, 200, SY_T0 + 2000, SY_T0 + 3000, IPCT_OP_MMAP, 9, 0xA1, 0x7f0000, 0);
	s.ev[s.n - 1].sc.arg = 3;
	e = sy_add(&s, IPCT_EV_FORK, SY_T0 + 4000, 100, 100);
	e->tk.child_pid = e->tk.child_tid = 5000;
	e = sy_add(&s, IPCT_EV_FORK, SY_T0 + 4000, 200, 200);
	e->tk.child_pid = e->tk.child_tid = 5001;
	e = sy_add(&s, IPCT_EV_EXIT, SY_T0 + 5000, 5000, 5000);
	e->h.flags = IPCT_F_GROUP_DEAD;
	sy_call(&s, 100, 100, SY_T0 + 6000, SY_T0 + 7000, IPCT_OP_READ, 0, 0xA0, 8, 0);
	/* written, but by its only holder so far: no channel yet */
	sy_call(&s, 200, 200, SY_T0 + 5000, SY_T0 + 5500, IPCT_OP_WRITE, 1, 0xA1, 8, 0);
	sy_call(&s, 200, 200, SY_T0 + 6000, SY_T0 + 7000, IPCT_OP_READ, 0, 0xA1, -EAGAIN, 0);
	sy_call(&s, 200, 200, SY_T0 + 8000, SY_T0 + 9000, IPCT_OP_READ, 0, 0xA1, -EAGAIN, 0);
	buf = sy_write(&s, "mapping", &len);
	cr_assert_not_null(buf);
	model__free(run(buf, len, &full, false));
	model__free(run(buf, len, &lean, true));
	assert_same(&full, &lean, 0);
	for (size_t i = 0; i < full.n; i++)
		named += full.c[i].what == SINK_SPAN && full.c[i].a[5] &&
			 (full.c[i].a[2] == SPAN_POLLING || full.c[i].a[6] == IPCT_OP_READ);
	cr_assert_eq(named, 2, "the read after the child's exit and the final polling run are on a "
		     "channel: %zu", named);
	sink_calls__free(&full);
	sink_calls__free(&lean);
	free(buf);
}
