// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Threads stuck at the stop of a recording, whom they wait for, and deadlock cycles. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "report.h"
#include "stuck.h"
#include "synth.h"

#define PIPE 0x100
#define SOCK_A 0x200
#define SOCK_B 0x201
#define FUTEX 0x300
#define STOP 1000

/* What the recorder writes at the stop for a thread asleep in a call (IPCT_F_UNFINISHED). */
static void asleep_at_stop(struct model *m, uint32_t pid, uint32_t tid, uint64_t enter,
			   uint64_t out, unsigned op, uint64_t chan)
{
	struct ipct_sleep s = { 0 };
	struct ipct_syscall c = { 0 };

	hdr(&s.h, IPCT_EV_SLEEP, STOP, pid, tid);
	s.h.flags = IPCT_F_UNFINISHED;
	s.out_ts = out;
	s.state = 1;
	s.op = op;
	s.chan = chan;
	model__add(m, &s.h);
	hdr(&c.h, IPCT_EV_SYSCALL, STOP, pid, tid);
	c.h.flags = IPCT_F_UNFINISHED;
	c.enter_ts = enter;
	c.op = op;
	c.chan = chan;
	c.arg = -1;
	model__add(m, &c.h);
}

/* After the stop, the recorder ends the program it ran: the kill wakes, ends the call, exits. */
static void killed_after_stop(struct model *m, uint32_t pid, uint64_t out, unsigned op, uint64_t chan)
{
	ev_sleep(m, pid, pid, out, STOP + 50, STOP + 60, 1, op, chan, 99, 0);
	ev_sys(m, pid, pid, out - 1, STOP + 61, op, chan, -4, 0);
	ev_exit(m, STOP + 70, pid, pid, 143);
}

/* dl-a reads the pipe only dl-b writes; dl-b receives on the socket only dl-a sends on. */
static struct model *deadlock_killed(bool killed)
{
	struct model *m = model__new(NULL);

	ev_task(m, 0, 10, 10, "dl-a");
	ev_task(m, 0, 20, 20, "dl-b");
	ev_task(m, 0, 30, 30, "locker");
	ev_task(m, 0, 40, 40, "napper");
	ev_chan(m, 0, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_chan(m, 0, 10, SOCK_A, IPCT_KIND_UNIX_STREAM, SOCK_B, 8, NULL);
	ev_chan(m, 0, 20, SOCK_B, IPCT_KIND_UNIX_STREAM, SOCK_A, 9, NULL);
	ev_sys(m, 20, 20, 99, 100, IPCT_OP_WRITE, PIPE, 1, 0);
	ev_sys(m, 10, 10, 105, 110, IPCT_OP_READ, PIPE, 1, 0);
	ev_sys(m, 10, 10, 115, 120, IPCT_OP_SEND, SOCK_A, 1, 0);
	ev_sys(m, 20, 20, 125, 130, IPCT_OP_RECV, SOCK_B, 1, 0);
	ev_sys(m, 30, 30, 140, 150, IPCT_OP_FUTEX_WAIT, FUTEX, 0, 0);
	/* the napper slept, woke, and its call returned before the stop: not stuck */
	ev_sleep(m, 40, 40, 300, 400, 410, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_sys(m, 40, 40, 299, 411, IPCT_OP_NANOSLEEP, 0, 0, 0);
	asleep_at_stop(m, 10, 10, 199, 200, IPCT_OP_READ, PIPE);
	asleep_at_stop(m, 20, 20, 209, 210, IPCT_OP_RECV, SOCK_B);
	asleep_at_stop(m, 30, 30, 219, 220, IPCT_OP_FUTEX_WAIT, FUTEX);
	if (killed) {
		killed_after_stop(m, 10, 200, IPCT_OP_READ, PIPE);
		killed_after_stop(m, 20, 210, IPCT_OP_RECV, SOCK_B);
	}
	model__finish(m);
	return m;
}

static struct model *deadlock(void)
{
	return deadlock_killed(false);
}

Test(stuck, threads_asleep_at_the_stop_and_whom_they_wait_for)
{
	struct model *m = deadlock();
	struct stuck_report *s = stuck__find(m);
	const struct model_channel *pipe = NULL;

	cr_assert(s);
	for (size_t i = 0; i < m->nchannels; i++)
		if (m->channels[i].kind == IPCT_KIND_PIPE)
			pipe = &m->channels[i];
	cr_assert(pipe);
	cr_assert_eq(s->nthreads, 3, "stuck: %zu", s->nthreads);
	cr_assert_eq(s->threads[0].tid, 10);
	cr_assert_eq(s->threads[0].op, IPCT_OP_READ);
	cr_assert_eq(s->threads[0].chan, pipe->id);
	cr_assert_eq(s->threads[0].since, 199, "since the call's entry");
	cr_assert_eq(s->threads[0].nwaiting_for, 1);
	cr_assert_eq(s->threads[0].waiting_for[0], 20);
	cr_assert_eq(s->threads[1].tid, 20);
	cr_assert_eq(s->threads[1].waiting_for[0], 10);
	cr_assert_eq(s->threads[2].tid, 30);
	cr_assert_eq(s->threads[2].nwaiting_for, 0);
	cr_assert(s->threads[2].unknown && strstr(s->threads[2].unknown, "futex"));
	cr_assert_eq(s->ncycles, 1);
	cr_assert_eq(s->cycles[0].n, 2);
	cr_assert_eq(s->cycles[0].members[0].pid, 10);
	cr_assert_eq(s->cycles[0].members[0].chan, pipe->id);
	cr_assert_eq(s->cycles[0].members[1].pid, 20);
	stuck__free(s);
	model__free(m);
}

Test(stuck, no_cycle_while_a_peer_can_still_move)
{
	struct model *m = model__new(NULL);
	struct stuck_report *s;

	ev_task(m, 0, 10, 10, "reader");
	ev_task(m, 0, 20, 20, "writer");
	ev_chan(m, 0, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_sys(m, 20, 20, 99, 100, IPCT_OP_WRITE, PIPE, 1, 0);
	ev_sys(m, 10, 10, 105, 110, IPCT_OP_READ, PIPE, 1, 0);
	asleep_at_stop(m, 10, 10, 199, 200, IPCT_OP_READ, PIPE);
	ev_sys(m, 20, 20, 900, 950, IPCT_OP_OTHER, 0, 0, 0);
	model__finish(m);
	s = stuck__find(m);
	cr_assert(s);
	cr_assert_eq(s->nthreads, 1);
	cr_assert_eq(s->threads[0].waiting_for[0], 20);
	cr_assert_eq(s->ncycles, 0, "the writer still runs: no deadlock");
	stuck__free(s);
	model__free(m);
}

static char *report_of(struct model *m, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	cr_assert_eq(json ? report__json(m, NULL, f) : report__text(m, NULL, NULL, f), 0);
	fclose(f);
	return buf;
}

Test(stuck, the_report_says_deadlock_and_names_the_cycle)
{
	struct model *m = deadlock();
	char *text = report_of(m, false), *json = report_of(m, true);

	cr_assert(strstr(text, "DEADLOCK: dl-a 10 waits in read on #"), "%s", text);
	cr_assert(strstr(text, "for dl-b 20; dl-b 20 waits in recv on #"), "%s", text);
	cr_assert(strstr(json, "\"stuck\": ["), "%s", json);
	cr_assert(strstr(json, "\"waiting_for_unknown\": \"a futex does not say"), "%s", json);
	cr_assert(strstr(json, "\"cycles\": [\n"), "%s", json);
	free(text);
	free(json);
	model__free(m);
}

Test(stuck, woken_before_the_stop_is_not_stuck)
{
	struct model *m = model__new(NULL);
	struct ipct_sleep s = { 0 };

	ev_task(m, 0, 10, 10, "reader");
	ev_chan(m, 0, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	hdr(&s.h, IPCT_EV_SLEEP, STOP, 10, 10);
	s.h.flags = IPCT_F_UNFINISHED;
	s.out_ts = 200;
	s.wake_ts = 900;
	s.waker_pid = s.waker_tid = 20;
	s.state = 1;
	s.op = IPCT_OP_READ;
	s.chan = PIPE;
	model__add(m, &s.h);
	model__finish(m);
	cr_assert_not(model__thread(m, 10)->stuck, "woken at 900, runnable at the stop");
	model__free(m);
}

Test(stuck, what_happens_after_the_stop_does_not_unstick)
{
	struct model *m = deadlock_killed(true);
	struct stuck_report *s = stuck__find(m);

	cr_assert(s);
	cr_assert_eq(s->nthreads, 3, "stuck: %zu", s->nthreads);
	cr_assert_eq(s->threads[0].since, 199);
	cr_assert_eq(s->ncycles, 1, "the kill after the stop does not undo the deadlock");
	stuck__free(s);
	model__free(m);
}
