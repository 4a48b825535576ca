// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "synth.h"

#define PIPE 0x100
#define SOCK_A 0x200
#define SOCK_B 0x201

static void two_procs(struct model *m)
{
	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "reader");
}

static void thread_adds_up(const struct model_thread *t)
{
	uint64_t life = t->last_ts - t->first_ts;

	cr_assert_eq(t->user_ns + t->kernel_ns + t->blocked_ns + t->runnable_ns, life,
		     "tid %u: %lu+%lu+%lu+%lu != %lu", t->tid, (unsigned long)t->user_ns,
		     (unsigned long)t->kernel_ns, (unsigned long)t->blocked_ns,
		     (unsigned long)t->runnable_ns, (unsigned long)life);
}

Test(model, blocking_reader)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;
	const struct model_endpoint *w, *r;
	const struct model_thread *rt, *wt;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 42, NULL);
	/* reader blocks in read from 2100 until the writer's write wakes it at 5000 */
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 100, 0);
	ev_sleep(m, 20, 20, 2100, 5000, 5100, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sys(m, 20, 20, 2000, 5200, IPCT_OP_READ, PIPE, 100, 0);
	ev_exit(m, 6000, 20, 20, 0);
	ev_exit(m, 7000, 10, 10, 3);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->id, 1);
	cr_assert_eq(c->kind, IPCT_KIND_PIPE);
	cr_assert_str_eq(c->name, "pipe:[42]");
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	cr_assert_eq(c->bytes, 100);
	cr_assert_eq(c->messages, 1);
	cr_assert_eq(c->nendpoints, 2);
	w = synth_ep(c, 10);
	r = synth_ep(c, 20);
	cr_assert(w && r);
	cr_assert_eq(w->sends, 1);
	cr_assert_eq(w->bytes_sent, 100);
	cr_assert_eq(w->recvs, 0);
	cr_assert_eq(w->mode, MODE_NONE, "a writer that never waited has no mode");
	cr_assert_str_eq(w->comm, "writer");
	cr_assert_eq(r->recvs, 1);
	cr_assert_eq(r->bytes_received, 100);
	cr_assert_eq(r->blocked, 1);
	cr_assert_eq(r->blocked_ns, 2900);
	cr_assert_eq(r->mode, MODE_SYNC_BLOCKING);
	cr_assert_eq(r->mode_ns[MODE_SYNC_BLOCKING], 2900);

	cr_assert_eq(m->nwakeups, 1);
	cr_assert_eq(m->wakeups[0].waker_pid, 10);
	cr_assert_eq(m->wakeups[0].wakee_pid, 20);
	cr_assert_eq(m->wakeups[0].chan, 1);
	cr_assert_eq(m->wakeups[0].count, 1);
	cr_assert_eq(k.nwakes, 1);
	cr_assert_eq(k.wakes[0].chan, 1);
	cr_assert_eq(k.wakes[0].ts, 5000);

	cr_assert_eq(k.ntransfers, 1);
	cr_assert_eq(k.transfers[0].src_pid, 10);
	cr_assert_eq(k.transfers[0].dst_pid, 20);
	cr_assert_eq(k.transfers[0].bytes, 100);
	cr_assert_eq(k.transfers[0].src_ts, 5050);
	cr_assert_eq(k.transfers[0].dst_ts, 5200);
	cr_assert_eq(k.spans_by_state[SPAN_SYSCALL], 2);
	cr_assert_eq(k.spans_by_state[SPAN_BLOCKED], 1);
	cr_assert_eq(k.spans_by_state[SPAN_RUNNABLE], 1);

	rt = model__thread(m, 20);
	wt = model__thread(m, 10);
	cr_assert(rt && wt);
	cr_assert_eq(rt->kernel_ns, 200);
	cr_assert_eq(rt->blocked_ns, 2900);
	cr_assert_eq(rt->runnable_ns, 100);
	cr_assert_eq(rt->user_ns, 1800);
	thread_adds_up(rt);
	cr_assert_eq(wt->kernel_ns, 150);
	thread_adds_up(wt);
	cr_assert_eq(m->nprocesses, 2);
	cr_assert_eq(model__process(m, 10)->exit_code, 3);
	cr_assert(model__process(m, 10)->exited);
	cr_assert_eq(m->start_ts, 1000);
	cr_assert_eq(m->end_ts, 7000);
	model__free(m);
}

Test(model, eagain_reader_is_sync_nonblocking)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r, *w;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	for (int i = 0; i < 5; i++)
		ev_sys(m, 20, 20, 2000 + i * 100, 2050 + i * 100, IPCT_OP_READ, PIPE, -EAGAIN,
		       IPCT_F_NONBLOCK);
	ev_sys(m, 10, 10, 2450, 2480, IPCT_OP_WRITE, PIPE, 64, 0);
	ev_sys(m, 20, 20, 2500, 2550, IPCT_OP_READ, PIPE, 64, IPCT_F_NONBLOCK);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	r = synth_ep(&m->channels[0], 20);
	w = synth_ep(&m->channels[0], 10);
	cr_assert_eq(r->eagain, 5);
	cr_assert_eq(r->mode, MODE_SYNC_NONBLOCKING);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 5);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 500, "busy-wait from first EAGAIN to the read that got data");
	cr_assert_eq(r->blocked, 0);
	cr_assert_eq(w->mode, MODE_NONE);
	cr_assert_eq(k.npolling, 1);
	cr_assert_eq(k.polling[0].calls, 5);
	cr_assert_eq(k.polling[0].start, 2000);
	cr_assert_eq(k.polling[0].end, 2450);
	cr_assert_eq(k.polling[0].chan, 1);
	cr_assert_eq(k.polling[0].ret, -EAGAIN);
	model__free(m);
}

Test(model, polling_runs_split_on_gaps)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_sys(m, 20, 20, 2000, 2010, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	ev_sys(m, 20, 20, 2020, 2030, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	/* 5 ms later: a new run */
	ev_sys(m, 20, 20, 5002030, 5002040, IPCT_OP_POLL, PIPE, 0, IPCT_F_ZERO_TMO);
	ev_sys(m, 20, 20, 5002050, 5002060, IPCT_OP_POLL, PIPE, 0, IPCT_F_ZERO_TMO);
	ev_sys(m, 20, 20, 5002070, 5002080, IPCT_OP_POLL, PIPE, 0, IPCT_F_ZERO_TMO);
	model__finish(m);

	cr_assert_eq(k.npolling, 2);
	cr_assert_eq(k.polling[0].calls, 2);
	cr_assert_eq(k.polling[1].calls, 3, "the open run is emitted at finish");
	cr_assert_eq(k.polling[1].end, 5002080);
	model__free(m);
}

Test(model, poll_reader_is_async_blocking)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 100, 0);
	ev_sleep(m, 20, 20, 2100, 5000, 5100, 1, IPCT_OP_POLL, PIPE, 10, PIPE);
	ev_sys(m, 20, 20, 2000, 5200, IPCT_OP_POLL, PIPE, 1, 0);
	ev_sys(m, 20, 20, 5300, 5400, IPCT_OP_READ, PIPE, 100, 0);
	/* a second read before the next poll is not credited again */
	ev_sys(m, 10, 10, 5500, 5550, IPCT_OP_WRITE, PIPE, 10, 0);
	ev_sys(m, 20, 20, 5600, 5700, IPCT_OP_READ, PIPE, 10, 0);
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_BLOCKING], 1);
	cr_assert_eq(r->mode_ns[MODE_ASYNC_BLOCKING], 2900);
	cr_assert_eq(r->mode_calls[MODE_SYNC_BLOCKING], 0, "the read itself never slept");
	cr_assert_eq(r->recvs, 2);
	cr_assert_eq(r->bytes_received, 110);
	cr_assert_eq(m->nwakeups, 1);
	cr_assert_eq(m->wakeups[0].chan, 1);
	model__free(m);
}

Test(model, sigio_reader_is_async_nonblocking)
{
	struct model *m = synth_model(NULL, false);
	const struct model_endpoint *r, *q;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_chan(m, 1000, 20, 0x150, IPCT_KIND_MQUEUE, 0, 0, "/jobs");
	ev_sys(m, 20, 20, 1100, 1200, IPCT_OP_MQ_NOTIFY, 0x150, 0, 0);
	ev_sleep(m, 20, 20, 1300, 2000, 2050, 1, IPCT_OP_SIGWAIT, 0, 10, 0);
	ev_sys(m, 10, 10, 1900, 1950, IPCT_OP_WRITE, PIPE, 32, 0);
	ev_sys(m, 20, 20, 1250, 2100, IPCT_OP_SIGWAIT, 0, -4, 0);
	/* in the SIGIO handler: read until EAGAIN */
	ev_sys(m, 20, 20, 2110, 2120, IPCT_OP_READ, PIPE, 32, IPCT_F_ASYNC | IPCT_F_INSIGNAL | IPCT_F_NONBLOCK);
	ev_sys(m, 20, 20, 2130, 2140, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_ASYNC | IPCT_F_INSIGNAL | IPCT_F_NONBLOCK);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(m->channels[0].kind, IPCT_KIND_PIPE, "the pipe moved data first");
	cr_assert_eq(r->mode, MODE_ASYNC_NONBLOCKING);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_NONBLOCKING], 2);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0, "EAGAIN in a handler is not polling");
	cr_assert_eq(r->eagain, 1);
	q = synth_ep(&m->channels[1], 20);
	cr_assert_str_eq(m->channels[1].name, "/jobs");
	cr_assert_eq(q->mode, MODE_ASYNC_NONBLOCKING);
	model__free(m);
}

static struct model *socketpair_model(struct sink *k, bool overlap)
{
	struct model *m = synth_model(k, false);

	two_procs(m);
	ev_chan(m, 1000, 10, SOCK_A, IPCT_KIND_UNIX_STREAM, SOCK_B, 0, NULL);
	ev_chan(m, 1000, 10, SOCK_B, IPCT_KIND_UNIX_STREAM, SOCK_A, 0, NULL);
	if (!overlap) {
		/* ping-pong: each answer is sent after the question arrived */
		for (int i = 0; i < 3; i++) {
			uint64_t t = 2000 + i * 1000;

			ev_sys(m, 10, 10, t, t + 10, IPCT_OP_SEND, SOCK_A, 8, 0);
			ev_sys(m, 20, 20, t + 20, t + 30, IPCT_OP_RECV, SOCK_B, 8, 0);
			ev_sys(m, 20, 20, t + 40, t + 50, IPCT_OP_SEND, SOCK_B, 8, 0);
			ev_sys(m, 10, 10, t + 60, t + 70, IPCT_OP_RECV, SOCK_A, 8, 0);
		}
	} else {
		/* both stream at once: data in flight both ways */
		ev_sys(m, 10, 10, 2000, 2010, IPCT_OP_WRITE, SOCK_A, 100, 0);
		ev_sys(m, 20, 20, 2005, 2015, IPCT_OP_WRITE, SOCK_B, 200, 0);
		ev_sys(m, 20, 20, 2020, 2030, IPCT_OP_READ, SOCK_B, 100, 0);
		ev_sys(m, 10, 10, 2025, 2040, IPCT_OP_READ, SOCK_A, 200, 0);
	}
	model__finish(m);
	return m;
}

Test(model, unix_socketpair_ping_pong_is_half_duplex)
{
	struct sink k;
	struct model *m = socketpair_model(&k, false);
	const struct model_channel *c;

	cr_assert_eq(m->nchannels, 1, "both ends of the pair are one channel");
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_UNIX_STREAM);
	cr_assert_eq(c->direction, DIR_HALF_DUPLEX);
	cr_assert_eq(c->nendpoints, 2);
	cr_assert_eq(synth_ep(c, 10)->sends, 3);
	cr_assert_eq(synth_ep(c, 10)->recvs, 3);
	cr_assert_eq(synth_ep(c, 20)->bytes_received, 24);
	cr_assert_eq(k.ntransfers, 6);
	for (size_t i = 0; i < k.ntransfers; i++)
		cr_assert_neq(k.transfers[i].src_pid, k.transfers[i].dst_pid,
			      "a socket never receives its own sends");
	model__free(m);
}

Test(model, streaming_both_ways_is_full_duplex)
{
	struct sink k;
	struct model *m = socketpair_model(&k, true);

	cr_assert_eq(m->nchannels, 1);
	cr_assert_eq(m->channels[0].direction, DIR_FULL_DUPLEX);
	cr_assert_eq(m->channels[0].bytes, 300);
	cr_assert_eq(k.transfer_bytes, 300);
	model__free(m);
}

Test(model, direction_none_and_simplex)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 1, NULL);
	ev_chan(m, 1000, 10, PIPE + 1, IPCT_KIND_FIFO, 0, 2, "/tmp/fifo");
	ev_sys(m, 20, 20, 1100, 1200, IPCT_OP_READ, PIPE, 0, 0);
	ev_sys(m, 10, 10, 1300, 1400, IPCT_OP_WRITE, PIPE + 1, 5, 0);
	ev_sys(m, 20, 20, 1500, 1600, IPCT_OP_READ, PIPE + 1, 5, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	cr_assert_eq(m->channels[0].direction, DIR_NONE);
	cr_assert_eq(m->channels[1].direction, DIR_SIMPLEX);
	cr_assert_str_eq(m->channels[1].name, "/tmp/fifo");
	cr_assert_eq(model__channel(m, 2), &m->channels[1]);
	cr_assert_null(model__channel(m, 3));
	model__free(m);
}

Test(model, tcp_loopback_ends_merge)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;

	two_procs(m);
	ev_inet(m, 1000, 10, 0x300, IPCT_KIND_TCP, "127.0.0.1", 40312, "127.0.0.1", 5000);
	ev_inet(m, 1001, 20, 0x301, IPCT_KIND_TCP, "127.0.0.1", 5000, "127.0.0.1", 40312);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_SEND, 0x300, 1000, 0);
	ev_sys(m, 20, 20, 1300, 1400, IPCT_OP_RECV, 0x301, 600, 0);
	ev_sys(m, 20, 20, 1500, 1600, IPCT_OP_READ, 0x301, 400, 0);
	/* a v6 pair and a remote peer */
	ev_inet(m, 1700, 10, 0x310, IPCT_KIND_TCP, "::1", 40000, "::1", 8080);
	ev_inet(m, 1700, 20, 0x311, IPCT_KIND_TCP, "::1", 8080, "::1", 40000);
	ev_sys(m, 20, 20, 1800, 1900, IPCT_OP_SEND, 0x311, 3, 0);
	ev_inet(m, 2000, 10, 0x320, IPCT_KIND_TCP, "10.0.0.5", 33000, "93.184.216.34", 443);
	ev_sys(m, 10, 10, 2100, 2200, IPCT_OP_SEND, 0x320, 77, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 3);
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_TCP);
	cr_assert_str_eq(c->name, "127.0.0.1:40312 <-> 127.0.0.1:5000");
	cr_assert_not(c->remote);
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	cr_assert_eq(synth_ep(c, 20)->recvs, 2);
	cr_assert_eq(synth_ep(c, 20)->bytes_received, 1000);
	cr_assert_eq(k.ntransfers, 2);
	cr_assert_eq(k.transfers[0].bytes, 600);
	cr_assert_eq(k.transfers[1].bytes, 400);
	cr_assert_str_eq(m->channels[1].name, "[::1]:40000 <-> [::1]:8080");
	cr_assert_eq(m->channels[1].nendpoints, 1);
	cr_assert_not(m->channels[1].remote);
	cr_assert(m->channels[2].remote);
	cr_assert_str_eq(m->channels[2].name, "10.0.0.5:33000 <-> 93.184.216.34:443");
	model__free(m);
}

Test(model, exact_bytes_and_transfers)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *w, *r;
	static const uint64_t want[][2] = { { 100, 1010 }, { 150, 1030 }, { 50, 1030 }, { 300, 1050 } };

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 9, NULL);
	ev_sys(m, 10, 10, 1000, 1010, IPCT_OP_WRITE, PIPE, 100, 0);
	ev_sys(m, 10, 10, 1020, 1030, IPCT_OP_WRITE, PIPE, 200, 0);
	ev_sys(m, 10, 10, 1040, 1050, IPCT_OP_WRITE, PIPE, 300, 0);
	ev_sys(m, 20, 20, 1060, 1070, IPCT_OP_READ, PIPE, 250, 0);
	ev_sys(m, 20, 20, 1080, 1090, IPCT_OP_READ, PIPE, 350, 0);
	ev_sys(m, 20, 20, 1100, 1110, IPCT_OP_READ, PIPE, 0, 0);
	model__finish(m);

	w = synth_ep(&m->channels[0], 10);
	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(w->sends, 3);
	cr_assert_eq(w->bytes_sent, 600);
	cr_assert_eq(r->recvs, 2, "EOF moved nothing");
	cr_assert_eq(r->bytes_received, 600);
	cr_assert_eq(m->channels[0].messages, 3);
	cr_assert_eq(k.ntransfers, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(k.transfers[i].bytes, want[i][0], "transfer %d", i);
		cr_assert_eq(k.transfers[i].src_ts, want[i][1], "transfer %d", i);
	}
	model__free(m);
}

Test(model, mq_and_sysv_sends_count_asked_bytes)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	two_procs(m);
	ev_chan(m, 1000, 10, 0x600, IPCT_KIND_MQUEUE, 0, 0, "/q");
	ev_sys2(m, 10, 10, 1100, 1200, IPCT_OP_MQ_SEND, 0x600, 0, 0, 48);
	ev_sys2(m, 20, 20, 1300, 1400, IPCT_OP_MQ_RECV, 0x600, 0, 48, 8192);
	model__finish(m);
	c = &m->channels[0];
	cr_assert_eq(synth_ep(c, 10)->bytes_sent, 48);
	cr_assert_eq(synth_ep(c, 20)->bytes_received, 48);
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	model__free(m);
}

Test(model, file_channels_hidden_unless_written)
{
	for (int all = 0; all < 2; all++) {
		struct model *m = synth_model(NULL, all);

		two_procs(m);
		ev_chan(m, 1000, 10, 0x500, IPCT_KIND_FILE, 0, 0, "/usr/lib/libc.so.6");
		ev_chan(m, 1000, 10, 0x501, IPCT_KIND_FILE, 0, 0, "temp.txt");
		ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_READ, 0x500, 4096, 0);
		ev_sys(m, 10, 10, 1300, 1400, IPCT_OP_WRITE, 0x501, 19, 0);
		ev_sys(m, 20, 20, 1500, 1600, IPCT_OP_READ, 0x501, 19, 0);
		/* a process's own temp file is not communication */
		ev_chan(m, 1700, 20, 0x502, IPCT_KIND_FILE, 0, 0, "/tmp/sortXYZ");
		ev_sys(m, 20, 20, 1700, 1800, IPCT_OP_WRITE, 0x502, 100, 0);
		ev_sys(m, 20, 20, 1900, 2000, IPCT_OP_READ, 0x502, 100, 0);
		model__finish(m);
		if (!all) {
			cr_assert_eq(m->nchannels, 1, "the library read and the temp file are noise");
			cr_assert_str_eq(m->channels[0].name, "temp.txt");
			cr_assert_eq(m->channels[0].id, 1);
			cr_assert_eq(m->channels[0].direction, DIR_SIMPLEX);
		} else {
			cr_assert_eq(m->nchannels, 3, "%zu", m->nchannels);
			cr_assert_str_eq(m->channels[0].name, "/usr/lib/libc.so.6");
		}
		model__free(m);
	}
}

Test(model, thread_time_split)
{
	struct model *m = synth_model(NULL, false);
	struct ipct_sleep s = { 0 };
	const struct model_thread *t;

	ev_task(m, 1000, 30, 30, "sleeper");
	ev_task(m, 1000, 30, 31, "worker");
	/* blocked in read since before tracing began */
	hdr(&s.h, IPCT_EV_SLEEP, 1600, 30, 30);
	s.h.flags = IPCT_F_OUT_UNKNOWN;
	s.wake_ts = 1500;
	s.state = 1;
	s.op = IPCT_OP_READ;
	s.nr = 0;
	model__add(m, &s.h);
	ev_sys(m, 30, 30, 0, 1700, IPCT_OP_READ, 0, 5, 0);
	/* preempted in user space */
	ev_sleep(m, 30, 30, 2000, 0, 2300, 0, 0, 0, 0, 0);
	ev_sys(m, 30, 31, 2000, 2600, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_exit(m, 3000, 30, 31, 0);
	ev_exit(m, 3000, 30, 30, 0);
	model__finish(m);

	t = model__thread(m, 30);
	cr_assert_eq(t->blocked_ns, 500);
	cr_assert_eq(t->runnable_ns, 400);
	cr_assert_eq(t->kernel_ns, 100);
	cr_assert_eq(t->user_ns, 1000);
	thread_adds_up(t);
	t = model__thread(m, 31);
	cr_assert_eq(t->kernel_ns, 600);
	thread_adds_up(t);
	cr_assert_eq(m->nprocesses, 1);
	cr_assert_eq(m->processes[0].nthreads, 2);
	cr_assert_str_eq(m->processes[0].comm, "sleeper", "the main thread names the process");
	cr_assert_eq(m->unknown_chans, 0);
	model__free(m);
}

/*
 * A wait whose switch back in the kernel never reported (on the VM here no
 * sched_switch fires for a switch away from the agent's threads): the
 * recorder ends it where the thread is next seen running, flagged
 * IPCT_F_IN_UNKNOWN. It is a wait like any other (the write blocked twice),
 * and the report says how many such ends it has.
 */
Test(model, wait_with_unseen_switch_in)
{
	struct model *m = synth_model(NULL, false);
	const struct model_endpoint *w;
	const struct model_thread *t;
	struct ipct_sleep s = { 0 };

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 42, NULL);
	ev_sleep(m, 10, 10, 1100, 1500, 1600, 1, IPCT_OP_WRITE, PIPE, 20, PIPE);
	/* out at 1700, woken at 2500; back on a CPU by 2900, when its call returned */
	hdr(&s.h, IPCT_EV_SLEEP, 2900, 10, 10);
	s.h.flags = IPCT_F_IN_UNKNOWN;
	s.out_ts = 1700;
	s.wake_ts = 2500;
	s.state = 1;
	s.op = IPCT_OP_WRITE;
	s.nr = 1;
	s.chan = PIPE;
	s.waker_pid = s.waker_tid = 20;
	s.waker_chan = PIPE;
	s.waker_op = IPCT_OP_READ;
	model__add(m, &s.h);
	ev_sys(m, 10, 10, 1000, 2950, IPCT_OP_WRITE, PIPE, 65536, 0);
	ev_sys(m, 20, 20, 1400, 1450, IPCT_OP_READ, PIPE, 16384, 0);
	ev_sys(m, 20, 20, 2400, 2450, IPCT_OP_READ, PIPE, 16384, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	w = synth_ep(&m->channels[0], 10);
	cr_assert_not_null(w);
	cr_assert_eq(w->blocked, 2, "both stretches are waits in the write: %lu", (unsigned long)w->blocked);
	cr_assert_eq(w->blocked_ns, 400 + 800);
	cr_assert_eq(m->unseen_switch_ins, 1);
	t = model__thread(m, 10);
	cr_assert_eq(t->runnable_ns, 100 + 400, "the unseen part counts as waiting for a CPU");
	thread_adds_up(t);
	model__free(m);
}

Test(model, out_of_order_and_bogus_times)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 42, NULL);
	/* the reader's CPU delivered first */
	ev_sleep(m, 20, 20, 2100, 5000, 5100, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sys(m, 20, 20, 2000, 5200, IPCT_OP_READ, PIPE, 100, 0);
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 100, 0);
	/* nonsense: woken before sleeping, out after in, enter after exit, before the start */
	ev_sleep(m, 20, 20, 9000, 100, 8000, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sleep(m, 10, 10, 500, 9999, 6000, 1, 0, 0, 0, 0);
	ev_sys(m, 10, 10, 7000, 6500, IPCT_OP_WRITE, PIPE, 1, 0);
	ev_sys(m, 10, 10, 1, 900, IPCT_OP_READ, PIPE, -EAGAIN, 0);
	model__finish(m);

	cr_assert_not(k.negative);
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct model_thread *t = &m->threads[i];
		uint64_t life = t->last_ts - t->first_ts;

		cr_assert_leq(t->kernel_ns, life);
		cr_assert_leq(t->blocked_ns, life);
		cr_assert_leq(t->runnable_ns, life);
		cr_assert_leq(t->user_ns, life);
		cr_assert_geq(t->first_ts, m->start_ts);
	}
	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->bytes_received, 100);
	cr_assert_eq(synth_ep(&m->channels[0], 10)->bytes_sent, 101);
	cr_assert_eq(m->channels[0].direction, DIR_SIMPLEX);
	cr_assert_eq(m->start_ts, 900);
	model__free(m);
}

Test(model, unknown_channels_lost_and_interrupt_wakeups)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	two_procs(m);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_WRITE, 0x999, 10, 0);
	ev_sys(m, 10, 10, 1300, 1400, IPCT_OP_WRITE, 0x999, 10, 0);
	ev_sleep(m, 20, 20, 1500, 1600, 1700, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_sleep(m, 20, 20, 1800, 1900, 2000, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
	ev_lost(m, 1900, 2100, 3, 17);
	ev_lost(m, 2200, 2300, 1, 5);
	model__finish(m);

	cr_assert_eq(m->nchannels, 0);
	cr_assert_eq(m->unknown_chans, 1);
	cr_assert_eq(m->nwakeups, 1);
	cr_assert_eq(m->wakeups[0].waker_pid, 0);
	cr_assert_eq(m->wakeups[0].chan, 0);
	cr_assert_eq(m->wakeups[0].count, 2);
	cr_assert_eq(m->lost_events, 22);
	cr_assert_eq(m->nlost, 2);
	cr_assert_eq(m->lost[0].cpu, 3);
	cr_assert_eq(m->lost[0].first_ts, 1900);
	cr_assert_eq(k.nlost, 2);
	cr_assert_eq(m->events, 8);
	model__free(m);
}

Test(model, wakeups_sorted_by_count)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_task(m, 1000, 30, 30, "third");
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 1, NULL);
	ev_sys(m, 10, 10, 1001, 1002, IPCT_OP_WRITE, PIPE, 1, 0);
	for (int i = 0; i < 3; i++)
		ev_sleep(m, 20, 20, 1100 + i * 100, 1150 + i * 100, 1160 + i * 100, 1,
			 IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sleep(m, 30, 30, 1100, 1150, 1160, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sleep(m, 30, 30, 1200, 1250, 1260, 1, IPCT_OP_READ, PIPE, 10, 0);
	model__finish(m);

	cr_assert_eq(m->nwakeups, 3);
	cr_assert_eq(m->wakeups[0].wakee_pid, 20);
	cr_assert_eq(m->wakeups[0].count, 3);
	cr_assert_eq(m->wakeups[1].wakee_pid, 30);
	cr_assert_eq(m->wakeups[1].chan, 0);
	cr_assert_eq(m->wakeups[2].chan, 1);
	model__free(m);
}

Test(model, first_switch_in_of_unknown_sleeps)
{
	struct model *m = synth_model(NULL, false);
	struct ipct_task f = { 0 };
	struct ipct_sleep s = { 0 };
	const struct model_thread *t;

	ev_task(m, 1000, 10, 10, "parent");
	hdr(&f.h, IPCT_EV_FORK, 5000, 10, 10);
	f.child_pid = 10;
	f.child_tid = 11;
	f.h.flags = IPCT_F_THREAD;
	strcpy(f.comm, "child");
	model__add(m, &f.h);
	/* the new thread waits for its first CPU: runnable since the fork */
	hdr(&s.h, IPCT_EV_SLEEP, 5300, 10, 11);
	s.h.flags = IPCT_F_OUT_UNKNOWN;
	s.nr = 0xffff;
	model__add(m, &s.h);
	/* the old thread was off CPU since before tracing: asleep, not runnable */
	hdr(&s.h, IPCT_EV_SLEEP, 6000, 10, 10);
	model__add(m, &s.h);
	ev_exit(m, 7000, 10, 11, 0);
	ev_exit(m, 7000, 10, 10, 0);
	model__finish(m);

	t = model__thread(m, 11);
	cr_assert_eq(t->first_ts, 5000);
	cr_assert_eq(t->runnable_ns, 300);
	cr_assert_eq(t->blocked_ns, 0);
	thread_adds_up(t);
	t = model__thread(m, 10);
	cr_assert_eq(t->blocked_ns, 1000, "from its last sighting (the fork) to the switch-in: %lu", (unsigned long)t->blocked_ns);
	cr_assert_eq(t->runnable_ns, 0);
	thread_adds_up(t);
	model__free(m);
}

Test(model, signals_between_processes)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;

	two_procs(m);
	ev_task(m, 1000, 20, 21, "reader-thread");
	for (int i = 0; i < 4; i++) {
		uint64_t t = 2000 + i * 1000;
		struct ipct_sleep s = { .out_ts = t - 500, .wake_ts = t + 5, .state = 1,
					.op = IPCT_OP_SIGWAIT, .waker_pid = 10, .waker_tid = 10,
					.waker_op = IPCT_OP_KILL };

		hdr(&s.h, IPCT_EV_SLEEP, t + 20, 20, 20);
		/* 10 signals 20 (by tid 21), 20 answers; each kill wakes the other side */
		ev_sys2(m, 10, 10, t, t + 10, IPCT_OP_KILL, 0, 0, 0, 21);
		model__add(m, &s.h);
		ev_sys2(m, 20, 20, t + 30, t + 40, IPCT_OP_KILL, 0, 0, 0, 10);
	}
	ev_sys2(m, 10, 10, 9000, 9010, IPCT_OP_KILL, 0, 0, -3, 4242);  /* ESRCH */
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_SIGNAL);
	cr_assert_eq(synth_ep(c, 10)->sends, 4);
	cr_assert_eq(synth_ep(c, 10)->recvs, 4);
	cr_assert_eq(synth_ep(c, 20)->sends, 4);
	cr_assert_eq(c->bytes, 0);
	cr_assert_eq(c->messages, 8);
	cr_assert_eq(c->direction, DIR_HALF_DUPLEX);
	cr_assert_eq(m->nwakeups, 1);
	cr_assert_eq(m->wakeups[0].chan, c->id, "woken by a kill: the signal channel");
	cr_assert_eq(m->wakeups[0].count, 4);
	model__free(m);
}

Test(model, shared_memory_keeps_its_kind_and_attachers)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	two_procs(m);
	ev_chan(m, 1000, 10, 0x700, IPCT_KIND_SHM, 0, 5, "/ipctrace-shm-10");
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_OPEN, 0x700, 3, 0);
	/* mapping it shared announces it again, as mmap */
	ev_chan(m, 1250, 10, 0x700, IPCT_KIND_MMAP, 0, 5, "ipctrace-shm-10");
	ev_sys(m, 10, 10, 1300, 1400, IPCT_OP_MMAP, 0x700, 0x7f0000, 0);
	ev_sys(m, 20, 20, 1500, 1600, IPCT_OP_MMAP, 0x700, 0x7f1000, 0);
	ev_chan(m, 1000, 10, 0x701, IPCT_KIND_FILE, 0, 6, "/tmp/map");
	ev_chan(m, 1700, 10, 0x701, IPCT_KIND_MMAP, 0, 6, NULL);
	/* one process maps it writable (ev_sys: arg -1, every prot bit), another too */
	ev_sys(m, 10, 10, 1750, 1780, IPCT_OP_MMAP, 0x701, 0x7f3000, 0);
	ev_sys(m, 20, 20, 1800, 1900, IPCT_OP_MMAP, 0x701, 0x7f2000, 0);
	ev_chan(m, 2000, 10, 0x701, IPCT_KIND_FILE, 0, 6, NULL);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_SHM);
	cr_assert_str_eq(c->name, "ipctrace-shm-10", "later names win");
	cr_assert_eq(c->nendpoints, 2, "both processes that mapped it");
	cr_assert_eq(c->direction, DIR_NONE);
	cr_assert_eq(m->channels[1].kind, IPCT_KIND_MMAP);
	cr_assert_str_eq(m->channels[1].name, "/tmp/map");
	model__free(m);
}

Test(model, futexes_shown_when_someone_waits)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "main");
	ev_task(m, 1000, 10, 11, "worker");
	/* glibc-internal wake nobody waits for */
	ev_chan(m, 1000, 10, 0x800, IPCT_KIND_FUTEX, 0, 0, NULL);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_FUTEX_WAKE, 0x800, 0, 0);
	/* a thread handing work to another */
	ev_chan(m, 1000, 10, 0x801, IPCT_KIND_FUTEX, 0, 0, NULL);
	ev_sleep(m, 10, 11, 1300, 1600, 1650, 1, IPCT_OP_FUTEX_WAIT, 0x801, 10, 0x801);
	ev_sys(m, 10, 10, 1550, 1620, IPCT_OP_FUTEX_WAKE, 0x801, 1, 0);
	ev_sys(m, 10, 11, 1250, 1700, IPCT_OP_FUTEX_WAIT, 0x801, 0, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->id, 1);
	cr_assert_eq(c->kind, IPCT_KIND_FUTEX);
	cr_assert_eq(synth_ep(c, 10)->blocked, 1);
	cr_assert_eq(synth_ep(c, 10)->mode, MODE_SYNC_BLOCKING);
	cr_assert_eq(m->nwakeups, 1);
	cr_assert_eq(m->wakeups[0].chan, 1);
	cr_assert_eq(m->wakeups[0].waker_pid, 10);
	cr_assert_eq(m->wakeups[0].wakee_pid, 10);
	model__free(m);
}

Test(model, epoll_edge_triggered_reader_is_async_blocking)
{
	struct model *m = synth_model(NULL, false);
	const struct model_endpoint *r;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 10000;

		/* sleep in epoll_wait, read what came, read until EAGAIN, wait again */
		ev_sys(m, 10, 10, t + 4000, t + 4100, IPCT_OP_WRITE, PIPE, 64, 0);
		ev_sleep(m, 20, 20, t, t + 4050, t + 4200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
		ev_sys(m, 20, 20, t - 10, t + 4300, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
		ev_sys(m, 20, 20, t + 4400, t + 4500, IPCT_OP_READ, PIPE, 64, IPCT_F_NONBLOCK);
		ev_sys(m, 20, 20, t + 4600, t + 4700, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_BLOCKING], 3);
	cr_assert_eq(r->mode_ns[MODE_ASYNC_BLOCKING], 3 * 4050);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0, "waiting in epoll is not busy-waiting");
	cr_assert_eq(r->eagain, 3);
	cr_assert_eq(r->blocked, 0, "epoll_wait over no single fd");
	model__free(m);
}

Test(model, splice_receives_on_one_channel_and_sends_on_the_other)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	two_procs(m);
	ev_task(m, 1000, 30, 30, "consumer");
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 1, NULL);
	ev_chan(m, 1000, 20, PIPE + 1, IPCT_KIND_PIPE, 0, 2, NULL);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_WRITE, PIPE, 500, 0);
	ev_sys2(m, 20, 20, 1300, 1400, IPCT_OP_SPLICE, PIPE, PIPE + 1, 500, 65536);
	ev_sys(m, 30, 30, 1500, 1600, IPCT_OP_READ, PIPE + 1, 500, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	cr_assert_eq(synth_ep(&m->channels[0], 20)->bytes_received, 500);
	cr_assert_eq(synth_ep(&m->channels[1], 20)->bytes_sent, 500);
	cr_assert_eq(synth_ep(&m->channels[1], 30)->bytes_received, 500);
	cr_assert_eq(m->channels[0].direction, DIR_SIMPLEX);
	cr_assert_eq(m->channels[1].direction, DIR_SIMPLEX);
	cr_assert_eq(k.ntransfers, 2);
	cr_assert_eq(k.transfers[1].src_pid, 20);
	cr_assert_eq(k.transfers[1].chan, 2);
	model__free(m);
}

Test(model, zero_timeout_polls_are_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	for (int i = 0; i < 4; i++)
		ev_sys(m, 20, 20, 2000 + i * 100, 2020 + i * 100, IPCT_OP_POLL, PIPE, i == 3, IPCT_F_ZERO_TMO);
	ev_sys(m, 10, 10, 2250, 2280, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sys(m, 20, 20, 2400, 2420, IPCT_OP_READ, PIPE, 8, 0);
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_SYNC_NONBLOCKING);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 1);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 400);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_BLOCKING], 0);
	cr_assert_eq(k.npolling, 1);
	cr_assert_eq(k.polling[0].calls, 4);
	model__free(m);
}

Test(model, signal_channels_from_the_kernel_side)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	two_procs(m);
	ev_chan(m, 1000, 10, 0x900, IPCT_KIND_SIGNAL, 0, 20, NULL);
	ev_chan(m, 1000, 20, 0x901, IPCT_KIND_SIGNAL, 0, 10, NULL);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 2000 + i * 1000;

		ev_sys2(m, 10, 10, t, t + 10, IPCT_OP_KILL, 0x900, 0, 0, 20);
		ev_sleep(m, 20, 20, t - 500, t + 5, t + 20, 1, IPCT_OP_SIGWAIT, 0, 10, 0x900);
		ev_sys(m, 20, 20, t - 600, t + 25, IPCT_OP_SIGWAIT, 0, 10, 0);
		ev_sys2(m, 20, 20, t + 30, t + 40, IPCT_OP_KILL, 0x901, 0, 0, 10);
	}
	model__finish(m);

	cr_assert_eq(m->nchannels, 2, "one channel per target, no pair channel besides");
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_SIGNAL);
	cr_assert_str_eq(c->name, "signals to 20");
	cr_assert_eq(synth_ep(c, 10)->sends, 3);
	cr_assert_eq(synth_ep(c, 20)->recvs, 3);
	cr_assert_eq(synth_ep(c, 20)->blocked, 3, "sigwaitinfo waits on the signals to its process");
	cr_assert_eq(synth_ep(c, 20)->blocked_ns, 3 * 505);
	cr_assert_eq(synth_ep(c, 20)->mode, MODE_SYNC_BLOCKING);
	cr_assert_eq(synth_ep(c, 10)->mode, MODE_NONE);
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	cr_assert_eq(m->wakeups[0].chan, 1);
	cr_assert_eq(m->wakeups[0].count, 3);
	model__free(m);
}

Test(model, reused_address_is_a_new_channel)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_WRITE, PIPE, 5, 0);
	ev_sys(m, 20, 20, 1300, 1400, IPCT_OP_READ, PIPE, 5, 0);
	ev_chan(m, 1500, 10, PIPE, IPCT_KIND_PIPE, 0, 11, NULL);
	ev_chan(m, 2000, 10, PIPE, IPCT_KIND_PIPE, 0, 12, NULL);
	ev_sys(m, 10, 10, 2100, 2200, IPCT_OP_WRITE, PIPE, 7, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	cr_assert_str_eq(m->channels[0].name, "pipe:[11]");
	cr_assert_eq(m->channels[0].bytes, 5);
	cr_assert_str_eq(m->channels[1].name, "pipe:[12]");
	cr_assert_eq(m->channels[1].bytes, 7);
	model__free(m);
}

Test(model, receive_that_returns_before_its_send)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	two_procs(m);
	ev_chan(m, 1000, 10, SOCK_A, IPCT_KIND_TCP, SOCK_B, 0, NULL);
	ev_chan(m, 1000, 20, SOCK_B, IPCT_KIND_TCP, SOCK_A, 0, NULL);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 2000 + i * 1000;

		/* loopback: the peer's recv returns before the send's own exit */
		ev_sys(m, 20, 20, t - 100, t + 50, IPCT_OP_RECV, SOCK_B, 64, 0);
		ev_sys(m, 10, 10, t, t + 80, IPCT_OP_SEND, SOCK_A, 64, 0);
		ev_sys(m, 10, 10, t + 100, t + 400, IPCT_OP_RECV, SOCK_A, 64, 0);
		ev_sys(m, 20, 20, t + 200, t + 450, IPCT_OP_SEND, SOCK_B, 64, 0);
	}
	model__finish(m);

	cr_assert_eq(m->channels[0].direction, DIR_HALF_DUPLEX, "an echo is not full-duplex");
	cr_assert_eq(k.ntransfers, 6);
	cr_assert_eq(k.transfer_bytes, 384);
	for (size_t i = 0; i < k.ntransfers; i++)
		cr_assert_leq(k.transfers[i].src_ts, k.transfers[i].dst_ts);
	model__free(m);
}

Test(model, epoll_wait_credits_only_the_channels_of_its_set)
{
	struct model *m = synth_model(NULL, false);
	const struct model_endpoint *a, *log;

	two_procs(m);
	ev_chan(m, 1000, 20, SOCK_A, IPCT_KIND_UNIX_STREAM, SOCK_B, 0, NULL);
	ev_chan(m, 1000, 20, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	/* epoll_create returns 5; SOCK_A joins it */
	ev_sysfd(m, 20, 20, 1100, 1150, IPCT_OP_EPOLL_CTL, 0, -1, 5, 0);
	ev_sysfd(m, 20, 20, 1200, 1250, IPCT_OP_EPOLL_CTL, SOCK_A, 5, 0, 1);
	ev_sys(m, 10, 10, 3000, 3100, IPCT_OP_WRITE, SOCK_B, 64, 0);
	ev_sys(m, 10, 10, 3000, 3100, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sleep(m, 20, 20, 1400, 3050, 3200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, SOCK_B);
	ev_sysfd(m, 20, 20, 1300, 3300, IPCT_OP_EPOLL_WAIT, 0, 5, 1, -1);
	/* a pipe outside the set, read after the wait, did not wake it */
	ev_sys(m, 20, 20, 3400, 3450, IPCT_OP_READ, PIPE, 8, 0);
	ev_sys(m, 20, 20, 3500, 3550, IPCT_OP_READ, SOCK_A, 64, 0);
	/* dropped from the set: a later wait is not credited to it */
	ev_sysfd(m, 20, 20, 3600, 3650, IPCT_OP_EPOLL_CTL, SOCK_A, 5, 0, 2);
	ev_sys(m, 10, 10, 5000, 5100, IPCT_OP_WRITE, SOCK_B, 64, 0);
	ev_sleep(m, 20, 20, 3800, 5050, 5200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, SOCK_B);
	ev_sysfd(m, 20, 20, 3700, 5300, IPCT_OP_EPOLL_WAIT, 0, 5, 1, -1);
	ev_sys(m, 20, 20, 5400, 5450, IPCT_OP_READ, SOCK_A, 64, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	a = synth_ep(&m->channels[0], 20);
	log = synth_ep(&m->channels[1], 20);
	cr_assert_eq(m->channels[0].kind, IPCT_KIND_UNIX_STREAM);
	cr_assert(a && log);
	cr_assert_eq(a->mode_calls[MODE_ASYNC_BLOCKING], 1, "only the wait while it was in the set");
	cr_assert_eq(a->mode_ns[MODE_ASYNC_BLOCKING], 3050 - 1400);
	cr_assert_eq(a->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(log->mode_calls[MODE_ASYNC_BLOCKING], 0, "the pipe is in no epoll set");
	cr_assert_eq(log->mode, MODE_NONE);
	model__free(m);
}

Test(model, epoll_set_created_before_tracing_credits_the_next_read)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_chan(m, 1000, 20, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_sys(m, 10, 10, 3000, 3100, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sleep(m, 20, 20, 1400, 3050, 3200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
	ev_sysfd(m, 20, 20, 1300, 3300, IPCT_OP_EPOLL_WAIT, 0, 9, 1, -1);
	ev_sys(m, 20, 20, 3400, 3450, IPCT_OP_READ, PIPE, 8, 0);
	model__finish(m);

	cr_assert_eq(synth_ep(&m->channels[0], 20)->mode, MODE_ASYNC_BLOCKING);
	model__free(m);
}

static void gconv_like(struct model *m, unsigned prot10, unsigned prot20)
{
	two_procs(m);
	ev_chan(m, 1000, 10, 0x900, IPCT_KIND_FILE, 0, 9, "/usr/lib/gconv/gconv-modules.cache");
	ev_chan(m, 1100, 10, 0x900, IPCT_KIND_MMAP, 0, 9, NULL);
	ev_sys2(m, 10, 10, 1100, 1200, IPCT_OP_MMAP, 0x900, 0, 0x7f0000, prot10);
	ev_sys2(m, 20, 20, 1300, 1400, IPCT_OP_MMAP, 0x900, 0, 0x7f1000, prot20);
	model__finish(m);
}

Test(model, read_only_shared_mappings_are_no_channel)
{
	struct model *m = synth_model(NULL, false);

	gconv_like(m, 1, 1);
	cr_assert_eq(m->nchannels, 0, "two processes mapping a cache read-only share nothing");
	model__free(m);
	m = synth_model(NULL, true);
	gconv_like(m, 1, 1);
	cr_assert_eq(m->nchannels, 1, "all_files keeps it");
	model__free(m);
	m = synth_model(NULL, false);
	gconv_like(m, 3, 1);
	cr_assert_eq(m->nchannels, 1, "one writer, one more mapper: shared memory");
	cr_assert_eq(m->channels[0].kind, IPCT_KIND_MMAP);
	cr_assert_eq(m->channels[0].nendpoints, 2);
	model__free(m);
}

Test(model, writable_mapping_of_one_process_is_no_channel)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_chan(m, 1000, 10, 0x900, IPCT_KIND_MMAP, 0, 9, "/tmp/own");
	ev_sys2(m, 10, 10, 1100, 1200, IPCT_OP_MMAP, 0x900, 0, 0x7f0000, 3);
	ev_sys2(m, 10, 10, 1300, 1400, IPCT_OP_MMAP, 0x900, 0, 0x7f1000, 3);
	model__finish(m);
	cr_assert_eq(m->nchannels, 0);
	model__free(m);
}

Test(model, futex_in_shared_memory_is_named_after_its_mapping)
{
	struct model *m = synth_model(NULL, false);
	struct ipct_chan fx = { 0 };
	const struct model_channel *c;

	two_procs(m);
	ev_chan(m, 1000, 10, 0x700, IPCT_KIND_SHM, 0, 77, "/dev/shm/ipctrace-shm-10");
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_OPEN, 0x700, 3, 0);
	ev_sys2(m, 10, 10, 1300, 1400, IPCT_OP_MMAP, 0x700, 0, 0x7f0000, 3);
	ev_sys2(m, 20, 20, 1300, 1400, IPCT_OP_MMAP, 0x700, 0, 0x7f1000, 3);
	hdr(&fx.h, IPCT_EV_CHAN, 1500, 20, 20);
	fx.chan = 0x801;
	fx.kind = IPCT_KIND_FUTEX;
	fx.ino = 77;
	fx.dev = 0x40;
	model__add(m, &fx.h);
	ev_sleep(m, 20, 20, 1600, 2000, 2050, 1, IPCT_OP_FUTEX_WAIT, 0x801, 10, 0x801);
	ev_sys(m, 10, 10, 1950, 2010, IPCT_OP_FUTEX_WAKE, 0x801, 1, 0);
	ev_sys(m, 20, 20, 1550, 2100, IPCT_OP_FUTEX_WAIT, 0x801, 0, 0);
	/* a private futex keeps its plain name */
	ev_chan(m, 1000, 10, 0x802, IPCT_KIND_FUTEX, 0, 0, NULL);
	ev_sleep(m, 10, 10, 2200, 2300, 2350, 1, IPCT_OP_FUTEX_WAIT, 0x802, 20, 0x802);
	ev_sys(m, 10, 10, 2150, 2400, IPCT_OP_FUTEX_WAIT, 0x802, 0, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 3);
	c = &m->channels[1];
	cr_assert_eq(c->kind, IPCT_KIND_FUTEX);
	cr_assert_str_eq(c->name, "futex in /dev/shm/ipctrace-shm-10 +0x40");
	cr_assert_str_eq(m->channels[2].name, "");
	model__free(m);
}

Test(model, syscall_begun_before_tracing_counts_from_first_sight)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;
	const struct model_thread *t;

	ev_task(m, 1000, 10, 10, "writer");
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 42, NULL);
	ev_task(m, 4000, 20, 20, "reader");
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 100, 0);
	{
		struct ipct_sleep e = { 0 };

		hdr(&e.h, IPCT_EV_SLEEP, 5100, 20, 20);
		e.h.flags = IPCT_F_OUT_UNKNOWN;
		e.wake_ts = 5000;
		e.state = 1;
		e.waker_pid = e.waker_tid = 10;
		e.waker_chan = PIPE;
		e.waker_op = IPCT_OP_WRITE;
		model__add(m, &e.h);
	}
	/* the reader was blocked in read when tracing began: no entry time */
	ev_sys(m, 20, 20, 0, 5200, IPCT_OP_READ, PIPE, 100, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	r = synth_ep(&m->channels[0], 20);
	cr_assert(r);
	cr_assert_eq(r->recvs, 1);
	cr_assert_eq(r->bytes_received, 100);
	cr_assert_eq(r->mode, MODE_SYNC_BLOCKING);
	t = model__thread(m, 20);
	cr_assert_eq(t->first_ts, 4000);
	cr_assert_eq(t->kernel_ns + t->blocked_ns + t->runnable_ns, 1200, "all of [4000, 5200] in the read");
	thread_adds_up(t);
	model__free(m);
}

static void ev_dest(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, const char *to)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, ts, pid, pid);
	e.h.flags = IPCT_F_DEST;
	e.chan = chan;
	e.kind = IPCT_KIND_UNIX_DGRAM;
	e.family = AF_UNIX;
	memcpy(e.name, to, strlen(to));
	model__add(m, &e.h);
}

static void unconnected_dgrams(struct model *m, bool dest_first)
{
	two_procs(m);
	ev_chan(m, 1000, 10, SOCK_A, IPCT_KIND_UNIX_DGRAM, 0, 0, NULL);
	if (dest_first)
		ev_dest(m, 1100, 10, SOCK_A, "/run/demo.sock");
	ev_chan(m, 1200, 20, SOCK_B, IPCT_KIND_UNIX_DGRAM, 0, 0, "/run/demo.sock");
	if (!dest_first)
		ev_dest(m, 1300, 10, SOCK_A, "/run/demo.sock");
	/* another socket bound elsewhere stays apart */
	ev_chan(m, 1200, 20, SOCK_B + 1, IPCT_KIND_UNIX_DGRAM, 0, 0, "/run/other.sock");
	for (int i = 0; i < 3; i++) {
		ev_sys(m, 10, 10, 2000 + i * 1000, 2100 + i * 1000, IPCT_OP_SEND, SOCK_A, 50, 0);
		ev_sys(m, 20, 20, 1500 + i * 1000, 2200 + i * 1000, IPCT_OP_RECV, SOCK_B, 50, 0);
	}
	ev_sys(m, 20, 20, 5000, 5100, IPCT_OP_RECV, SOCK_B + 1, 7, 0);
	model__finish(m);
}

Test(model, unconnected_unix_datagrams_meet_the_receiver_by_its_path)
{
	for (int order = 0; order < 2; order++) {
		struct model *m = synth_model(NULL, false);
		const struct model_channel *c;

		unconnected_dgrams(m, order);
		cr_assert_eq(m->nchannels, 2, "order %d", order);
		c = &m->channels[0];
		cr_assert_str_eq(c->name, "/run/demo.sock", "the receiver's name, not the sender's dest");
		cr_assert_eq(c->nendpoints, 2);
		cr_assert_eq(synth_ep(c, 10)->bytes_sent, 150);
		cr_assert_eq(synth_ep(c, 20)->bytes_received, 150);
		cr_assert_eq(c->direction, DIR_SIMPLEX);
		cr_assert_str_eq(m->channels[1].name, "/run/other.sock");
		model__free(m);
	}
}

Test(model, listening_socket_is_named_so_and_carries_no_data)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *lst = NULL, *conn = NULL;

	two_procs(m);
	ev_inet(m, 1000, 20, 0x300, IPCT_KIND_TCP, "127.0.0.1", 8080, "0.0.0.0", 0);
	ev_sys(m, 20, 20, 1100, 1150, IPCT_OP_LISTEN, 0x300, 0, 0);
	ev_sleep(m, 20, 20, 1300, 2000, 2050, 1, IPCT_OP_ACCEPT, 0x300, 10, 0);
	ev_sys2(m, 20, 20, 1200, 2100, IPCT_OP_ACCEPT, 0x300, 0x301, 4, 0);
	ev_inet(m, 2100, 20, 0x301, IPCT_KIND_TCP, "127.0.0.1", 8080, "127.0.0.1", 5000);
	ev_inet(m, 1900, 10, 0x302, IPCT_KIND_TCP, "127.0.0.1", 5000, "127.0.0.1", 8080);
	ev_sys(m, 10, 10, 2200, 2300, IPCT_OP_WRITE, 0x302, 10, 0);
	ev_sys(m, 20, 20, 2200, 2400, IPCT_OP_READ, 0x301, 10, 0);
	model__finish(m);

	for (size_t i = 0; i < m->nchannels; i++) {
		if (!strcmp(m->channels[i].name, "127.0.0.1:8080"))
			lst = &m->channels[i];
		else
			conn = &m->channels[i];
	}
	cr_assert_eq(m->nchannels, 2);
	cr_assert(lst && conn);
	cr_assert(lst->listening);
	cr_assert_eq(lst->kind, IPCT_KIND_TCP, "kind unchanged");
	cr_assert_eq(lst->bytes + lst->messages, 0, "an accept moves no data");
	cr_assert_eq(synth_ep(lst, 20)->recvs, 0);
	cr_assert_eq(synth_ep(lst, 20)->mode, MODE_SYNC_BLOCKING, "it waited in accept for a client");
	cr_assert_not(conn->listening, "the accepted connection carried data");
	cr_assert_eq(conn->bytes, 10);
	model__free(m);
}

static struct model *aio_like(unsigned kill_flags)
{
	struct model *m = synth_model(NULL, false);

	two_procs(m);
	ev_task(m, 1000, 20, 21, "reader");
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	/* a helper thread reads for the caller, then tells it with a signal to its own process */
	ev_sys(m, 10, 10, 4900, 5050, IPCT_OP_WRITE, PIPE, 100, 0);
	ev_sleep(m, 20, 21, 2100, 5000, 5100, 1, IPCT_OP_READ, PIPE, 10, PIPE);
	ev_sys(m, 20, 21, 2000, 5200, IPCT_OP_READ, PIPE, 100, 0);
	ev_sys(m, 20, 21, 5300, 5310, IPCT_OP_OTHER, 0, 20, 0);
	{
		struct ipct_syscall e = { 0 };

		hdr(&e.h, IPCT_EV_SYSCALL, 5600, 20, 21);
		e.h.flags = kill_flags;
		e.enter_ts = 5500;
		e.op = IPCT_OP_KILL;
		e.arg = 20;
		model__add(m, &e.h);
	}
	model__finish(m);
	return m;
}

Test(model, read_completed_by_an_aio_signal_is_async_nonblocking)
{
	struct model *m = aio_like(IPCT_F_ASYNC);
	const struct model_endpoint *r = synth_ep(&m->channels[0], 20);

	cr_assert_eq(m->channels[0].kind, IPCT_KIND_PIPE);
	cr_assert(r);
	cr_assert_eq(r->recvs, 1);
	cr_assert_eq(r->bytes_received, 100);
	cr_assert_eq(r->blocked, 1, "the helper thread did block");
	cr_assert_eq(r->mode_calls[MODE_SYNC_BLOCKING], 0);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_NONBLOCKING], 1);
	cr_assert_eq(r->mode, MODE_ASYNC_NONBLOCKING);
	model__free(m);

	m = aio_like(0);
	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_SYNC_BLOCKING, "a plain signal to itself is no AIO completion");
	model__free(m);
}

/* One FIFO written by 30,000 processes and read by one: every endpoint kept apart, exactly
 * (a channel of 100,000 processes took 14 s when each event searched the endpoints). */
Test(model, a_channel_of_thousands_of_processes_keeps_every_endpoint)
{
	const uint32_t writers = 30000, reader = 1000000;
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;
	uint64_t t = 1000;

	ev_task(m, t, reader, reader, "reader");
	ev_chan(m, t, reader, 77, IPCT_KIND_FIFO, 0, 0, "/tmp/many.fifo");
	for (uint32_t w = 1; w <= writers; w++) {
		ev_task(m, t, w, w, "writer");
		for (int i = 0; i < 2; i++, t += 10) {
			ev_sysfd(m, w, w, t, t + 5, IPCT_OP_WRITE, 77, 3, w % 7 + 1, 64);
			ev_sysfd(m, reader, reader, t + 6, t + 8, IPCT_OP_READ, 77, 3, w % 7 + 1, 64);
		}
	}
	model__finish(m);
	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->nendpoints, writers + 1);
	for (uint32_t w = 1; w <= writers; w += 997) {
		const struct model_endpoint *e = synth_ep(c, w);

		cr_assert_not_null(e, "writer %u", w);
		cr_assert_eq(e->sends, 2);
		cr_assert_eq(e->bytes_sent, 2 * (w % 7 + 1));
	}
	cr_assert_eq(synth_ep(c, reader)->recvs, 2 * writers);
	model__free(m);
}

/* Past 8 processes a channel's endpoints, sides and flows are hashed: the counts stay exact. */
Test(model, channel_of_many_processes_hashed_exactly)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;
	uint64_t t = 1000;

	ev_task(m, t, 1, 1, "reader");
	for (uint32_t p = 100; p < 140; p++)
		ev_task(m, t, p, p, "writer");
	ev_chan(m, t, 1, 0x77, IPCT_KIND_PIPE, 0, 77, "pipe:[77]");
	for (int round = 0; round < 3; round++)
		for (uint32_t p = 100; p < 140; p++, t += 100) {
			ev_sys(m, p, p, t, t + 10, IPCT_OP_WRITE, 0x77, 8, 0);
			ev_sys(m, 1, 1, t + 20, t + 30, IPCT_OP_READ, 0x77, 8, 0);
		}
	model__finish(m);
	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->nendpoints, 41);
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	cr_assert_eq(c->messages, 120);
	cr_assert_eq(c->bytes, 960);
	cr_assert_eq(synth_ep(c, 1)->recvs, 120);
	cr_assert_eq(synth_ep(c, 1)->bytes_received, 960);
	for (uint32_t p = 100; p < 140; p++) {
		cr_assert_eq(synth_ep(c, p)->sends, 3, "pid %u", p);
		cr_assert_eq(synth_ep(c, p)->recvs, 0, "pid %u", p);
	}
	model__free(m);
}
