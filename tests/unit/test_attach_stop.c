// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What was going on when tracing began and when it ended: the recording's
 * window, threads found asleep at attach, calls and sleeps still going at
 * the stop (the recorder's snapshots, as events).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "synth.h"

#define PIPE 0x100
#define MQ 0x300

#define START 1000
#define STOP 2001000

static void thread_adds_up(const struct model_thread *t)
{
	cr_assert_eq(t->user_ns + t->kernel_ns + t->blocked_ns + t->runnable_ns, t->last_ts - t->first_ts,
		     "tid %u: the parts do not add up to its life", t->tid);
}

/* A call still going at the stop, as the stop snapshot writes it. */
static void ev_unfinished_call(struct model *m, uint32_t pid, uint32_t tid, uint64_t enter, unsigned op,
			       uint64_t chan, int64_t arg)
{
	struct ipct_syscall e = { 0 };

	hdr(&e.h, IPCT_EV_SYSCALL, STOP, pid, tid);
	e.h.flags = IPCT_F_UNFINISHED;
	e.enter_ts = enter;
	e.op = op;
	e.chan = chan;
	e.arg = arg;
	model__add(m, &e.h);
}

/* Off CPU since out (asleep if state), still so at the stop. */
static void ev_unfinished_sleep(struct model *m, uint32_t pid, uint32_t tid, uint64_t out, uint32_t state,
				unsigned op, uint64_t chan)
{
	struct ipct_sleep e = { 0 };

	hdr(&e.h, IPCT_EV_SLEEP, STOP, pid, tid);
	e.h.flags = IPCT_F_UNFINISHED;
	e.out_ts = out;
	e.state = state;
	e.op = op;
	e.nr = op ? 0 : 0xffff;
	e.chan = chan;
	model__add(m, &e.h);
}

struct span_log {
	struct model_span s[16];
	size_t n;
};

static void log_span(void *ctx, const struct model_span *s)
{
	struct span_log *l = ctx;

	if (l->n < 16)
		l->s[l->n++] = *s;
}

Test(attach_stop, window_is_the_recording_not_its_events)
{
	struct model *m = synth_model(NULL, false);

	ev_window(m, IPCT_F_START, START);
	ev_task(m, START + 10, 10, 10, "idle");
	ev_window(m, IPCT_F_STOP, STOP);
	model__finish(m);

	cr_assert_eq(m->start_ts, START);
	cr_assert_eq(m->end_ts, STOP, "the window ends at the stop, not at the last thread event");
	cr_assert_eq(m->events, 3);
	model__free(m);
}

Test(attach_stop, thread_asleep_all_along_is_blocked_not_user)
{
	struct model *m = synth_model(NULL, false);
	const struct model_thread *t;

	ev_window(m, IPCT_F_START, START);
	ev_task(m, START, 10, 10, "python3");
	/* asleep in clock_nanosleep at attach (no entry seen: enter_ts 0) and still at the stop */
	ev_unfinished_sleep(m, 10, 10, START, 1, IPCT_OP_NANOSLEEP, 0);
	ev_unfinished_call(m, 10, 10, 0, IPCT_OP_NANOSLEEP, 0, -1);
	ev_window(m, IPCT_F_STOP, STOP);
	model__finish(m);

	t = model__thread(m, 10);
	cr_assert_not_null(t);
	cr_assert_eq(t->blocked_ns, STOP - START, "blocked %lu", (unsigned long)t->blocked_ns);
	cr_assert_eq(t->user_ns, 0, "user %lu", (unsigned long)t->user_ns);
	cr_assert_eq(t->syscalls, 1);
	thread_adds_up(t);
	model__free(m);
}

Test(attach_stop, reader_blocked_at_attach_waits_on_its_pipe_until_the_stop)
{
	struct span_log log = { .n = 0 };
	struct model_opts o = { .ctx = &log, .on_span = log_span };
	struct model *m = model__new(&o);
	const struct model_channel *c;
	const struct model_endpoint *ep;
	const struct model_thread *t;
	bool blocked_span = false, call_span = false;

	ev_window(m, IPCT_F_START, START);
	ev_task(m, START, 20, 20, "reader");
	ev_chan(m, START, 20, PIPE, IPCT_KIND_PIPE, 0, 77, NULL);
	ev_unfinished_sleep(m, 20, 20, START, 1, IPCT_OP_READ, PIPE);
	ev_unfinished_call(m, 20, 20, 0, IPCT_OP_READ, PIPE, 1);
	ev_window(m, IPCT_F_STOP, STOP);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	ep = synth_ep(c, 20);
	cr_assert_not_null(ep, "the blocked reader is an endpoint of its pipe");
	cr_assert_eq(ep->recvs, 0, "a read that has not returned received nothing");
	cr_assert_eq(ep->bytes_received, 0);
	cr_assert_eq(ep->blocked, 1);
	cr_assert_eq(ep->blocked_ns, STOP - START);
	cr_assert_eq(ep->mode, MODE_SYNC_BLOCKING);
	t = model__thread(m, 20);
	cr_assert_eq(t->blocked_ns, STOP - START);
	thread_adds_up(t);
	for (size_t i = 0; i < log.n; i++) {
		if (log.s[i].state == SPAN_BLOCKED) {
			blocked_span = true;
			cr_assert(log.s[i].unfinished);
			cr_assert_eq(log.s[i].start, START);
			cr_assert_eq(log.s[i].end, STOP);
			cr_assert_eq(log.s[i].op, IPCT_OP_READ, "blocked in the read");
		}
		if (log.s[i].state == SPAN_SYSCALL) {
			call_span = true;
			cr_assert(log.s[i].unfinished);
			cr_assert_eq(log.s[i].op, IPCT_OP_READ);
		}
	}
	cr_assert(blocked_span && call_span);
	model__free(m);
}

Test(attach_stop, unfinished_send_moved_no_bytes)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;
	const struct model_endpoint *ep;

	ev_window(m, IPCT_F_START, START);
	ev_task(m, START, 30, 30, "sender");
	ev_chan(m, START, 30, MQ, IPCT_KIND_MQUEUE, 0, 5, "/q");
	/* blocked in mq_send on a full queue: ret 0 would mean "sent arg bytes" had it returned */
	ev_unfinished_sleep(m, 30, 30, 5000, 1, IPCT_OP_MQ_SEND, MQ);
	ev_unfinished_call(m, 30, 30, 4000, IPCT_OP_MQ_SEND, MQ, 512);
	ev_window(m, IPCT_F_STOP, STOP);
	model__finish(m);

	c = model__channel(m, 1);
	cr_assert_not_null(c);
	cr_assert_eq(c->bytes, 0);
	cr_assert_eq(c->messages, 0);
	ep = synth_ep(c, 30);
	cr_assert_not_null(ep);
	cr_assert_eq(ep->sends, 0);
	cr_assert_eq(ep->blocked_ns, STOP - 5000);
	model__free(m);
}

Test(attach_stop, runnable_at_the_stop_is_runnable_until_it)
{
	struct model *m = synth_model(NULL, false);
	const struct model_thread *t;

	ev_window(m, IPCT_F_START, START);
	ev_task(m, START, 40, 40, "busy");
	ev_sys(m, 40, 40, 1000000, 1000100, IPCT_OP_OTHER, 0, 0, 0);
	/* preempted at 1.5 ms, still waiting for a CPU at the stop */
	ev_unfinished_sleep(m, 40, 40, 1500000, 0, IPCT_OP_OTHER, 0);
	ev_window(m, IPCT_F_STOP, STOP);
	model__finish(m);

	t = model__thread(m, 40);
	cr_assert_eq(t->runnable_ns, STOP - 1500000);
	cr_assert_eq(t->blocked_ns, 0);
	cr_assert_eq(t->last_ts, STOP);
	thread_adds_up(t);
	model__free(m);
}
