// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Busy-waiting is retrying without sleeping in between: an EAGAIN or an
 * empty zero-timeout poll is sync-nonblocking evidence (and a polling band)
 * only when the thread tries again before it sleeps waiting for readiness.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "model.h"
#include "synth.h"

#define PIPE 0x100
#define PIPE2 0x101
#define FUTEX 0x300

static void reader_writer(struct model *m)
{
	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "reader");
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
}

/* repros/drain.c: sleep in epoll_wait, read what came, read until EAGAIN, sleep again */
Test(busywait, draining_until_eagain_between_epoll_sleeps_is_async_blocking)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 4; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sys(m, 10, 10, t + 4000, t + 4100, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sleep(m, 20, 20, t, t + 4050, t + 4200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
		ev_sys(m, 20, 20, t - 10, t + 4300, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
		ev_sys(m, 20, 20, t + 4400, t + 4500, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
		ev_sys(m, 20, 20, t + 4600, t + 4700, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->eagain, 4, "EAGAIN returns are still counted");
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0, "an EAGAIN followed by a sleep in epoll_wait is no retry");
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(k.npolling, 0, "no polling band for a drained read");
	model__free(m);
}

/* Node/libuv: a zero-timeout epoll_wait finds nothing, then the loop sleeps in epoll_wait(-1) */
Test(busywait, zero_timeout_poll_before_a_sleeping_one_is_not_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 4; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sys(m, 20, 20, t - 100, t - 50, IPCT_OP_EPOLL_WAIT, 0, 0, IPCT_F_ZERO_TMO);
		ev_sys(m, 10, 10, t + 4000, t + 4100, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sleep(m, 20, 20, t, t + 4050, t + 4200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
		ev_sys(m, 20, 20, t - 10, t + 4300, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
		ev_sys(m, 20, 20, t + 4400, t + 4500, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(k.npolling, 0);
	model__free(m);
}

Test(busywait, zero_timeout_poll_that_finds_data_is_not_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sys(m, 10, 10, t, t + 100, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sys(m, 20, 20, t + 200, t + 300, IPCT_OP_POLL, PIPE, 1, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 400, t + 500, IPCT_OP_READ, PIPE, 5, 0);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0, "a check that found data retried nothing");
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(k.npolling, 0);
	model__free(m);
}

/* futex_wait returns EAGAIN when the word changed before it slept: a wait, not a try */
Test(busywait, futex_wait_eagain_is_not_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "worker");
	ev_task(m, 1000, 10, 11, "worker");
	ev_chan(m, 1000, 10, FUTEX, IPCT_KIND_FUTEX, 0, 0, NULL);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sys(m, 10, 10, t, t + 50, IPCT_OP_FUTEX_WAIT, FUTEX, -EAGAIN, 0);
		ev_sys(m, 10, 10, t + 100, t + 150, IPCT_OP_FUTEX_WAIT, FUTEX, -EAGAIN, 0);
		ev_sleep(m, 10, 10, t + 250, t + 3000, t + 3100, 1, IPCT_OP_FUTEX_WAIT, FUTEX, 10, FUTEX);
		ev_sys(m, 10, 10, t + 200, t + 3200, IPCT_OP_FUTEX_WAIT, FUTEX, 0, 0);
	}
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(synth_ep(c, 10)->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(synth_ep(c, 10)->mode, MODE_SYNC_BLOCKING);
	cr_assert_eq(k.npolling, 0, "no polling band for a futex whose word changed");
	model__free(m);
}

Test(busywait, eagain_retried_on_two_channels_in_turn_is_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *a, *b;

	reader_writer(m);
	ev_chan(m, 1000, 10, PIPE2, IPCT_KIND_PIPE, 0, 8, NULL);
	for (int i = 0; i < 3; i++) {
		ev_sys(m, 20, 20, 2000 + i * 100, 2010 + i * 100, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
		ev_sys(m, 20, 20, 2050 + i * 100, 2060 + i * 100, IPCT_OP_READ, PIPE2, -EAGAIN, IPCT_F_NONBLOCK);
	}
	ev_sys(m, 10, 10, 2300, 2310, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sys(m, 20, 20, 2400, 2410, IPCT_OP_READ, PIPE, 8, IPCT_F_NONBLOCK);
	model__finish(m);

	a = &m->channels[0];
	b = &m->channels[1];
	cr_assert_eq(synth_ep(a, 20)->mode, MODE_SYNC_NONBLOCKING);
	cr_assert_eq(synth_ep(a, 20)->mode_calls[MODE_SYNC_NONBLOCKING], 3);
	cr_assert_eq(synth_ep(a, 20)->mode_ns[MODE_SYNC_NONBLOCKING], 400);
	cr_assert_eq(synth_ep(b, 20)->mode_calls[MODE_SYNC_NONBLOCKING], 2,
		     "the last try on the second channel was never retried");
	cr_assert_eq(k.npolling, 1);
	cr_assert_eq(k.polling[0].calls, 6);
	model__free(m);
}

/* Spurious epoll wakeups: each EAGAIN is followed by a sleep, never by a retry */
Test(busywait, eagain_after_each_sleep_is_not_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sleep(m, 20, 20, t, t + 4050, t + 4200, 1, IPCT_OP_EPOLL_WAIT, 0, 0, 0);
		ev_sys(m, 20, 20, t - 10, t + 4300, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
		ev_sys(m, 20, 20, t + 4600, t + 4700, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->eagain, 3);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(k.npolling, 0);
	model__free(m);
}

/* A nap between tries is a timer, not a wait for the channel: still polling */
Test(busywait, eagain_retried_after_a_timed_nap_is_still_polling)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 1000;

		ev_sys(m, 20, 20, t, t + 10, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
		ev_sleep(m, 20, 20, t + 30, t + 500, t + 520, 1, IPCT_OP_NANOSLEEP, 0, 0, 0);
		ev_sys(m, 20, 20, t + 20, t + 530, IPCT_OP_NANOSLEEP, 0, 0, 0);
	}
	ev_sys(m, 10, 10, 12800, 12810, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sys(m, 20, 20, 13000, 13010, IPCT_OP_READ, PIPE, 8, IPCT_F_NONBLOCK);
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_SYNC_NONBLOCKING);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 3);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 3000);
	model__free(m);
}

/* One try that failed, then a blocking read that slept: not a busy-wait either */
Test(busywait, single_eagain_then_a_sleep_is_not_drawn_as_polling)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	reader_writer(m);
	ev_sys(m, 20, 20, 2000, 2010, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	ev_sleep(m, 20, 20, 2100, 5000, 5100, 1, IPCT_OP_POLL, PIPE, 10, PIPE);
	ev_sys(m, 10, 10, 4900, 4950, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sys(m, 20, 20, 2050, 5200, IPCT_OP_POLL, PIPE, 1, 0);
	ev_sys(m, 20, 20, 5300, 5400, IPCT_OP_READ, PIPE, 8, IPCT_F_NONBLOCK);
	model__finish(m);

	cr_assert_eq(synth_ep(&m->channels[0], 20)->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(synth_ep(&m->channels[0], 20)->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(k.npolling, 0);
	model__free(m);
}

/* asyncio under load: zero-timeout polls between callbacks that answer other clients */
Test(busywait, zero_timeout_polls_with_io_between_them_are_not_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	reader_writer(m);
	ev_chan(m, 1000, 20, PIPE2, IPCT_KIND_PIPE, 0, 8, NULL);
	for (int i = 0; i < 5; i++) {
		uint64_t t = 10000 + i * 1000;

		ev_sys(m, 20, 20, t, t + 10, IPCT_OP_EPOLL_WAIT, 0, 0, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 100, t + 110, IPCT_OP_WRITE, PIPE2, 50, 0);
	}
	ev_sys(m, 10, 10, 19000, 19010, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sleep(m, 20, 20, 16000, 19005, 19020, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
	ev_sys(m, 20, 20, 15990, 19030, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
	ev_sys(m, 20, 20, 19040, 19050, IPCT_OP_READ, PIPE, 8, IPCT_F_NONBLOCK);
	model__finish(m);

	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_endpoint *e = synth_ep(&m->channels[i], 20);

		cr_assert_eq(e->mode_calls[MODE_SYNC_NONBLOCKING], 0, "channel %d", m->channels[i].id);
		cr_assert_eq(e->mode_ns[MODE_SYNC_NONBLOCKING], 0, "channel %d", m->channels[i].id);
	}
	cr_assert_eq(k.npolling, 0, "work between two checks is no busy-wait");
	model__free(m);
}

/* asyncio under load: read until EAGAIN, a zero-timeout epoll_wait that reports the socket
 * ready again, read it: the second read was told to, not a blind retry */
Test(busywait, read_after_a_zero_timeout_poll_that_found_it_ready_is_no_retry)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 4; i++) {
		uint64_t t = 10000 + i * 10000;

		ev_sys(m, 10, 10, t + 4000, t + 4100, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sleep(m, 20, 20, t, t + 4050, t + 4200, 1, IPCT_OP_EPOLL_WAIT, 0, 10, PIPE);
		ev_sys(m, 20, 20, t - 10, t + 4300, IPCT_OP_EPOLL_WAIT, 0, 1, 0);
		ev_sys(m, 20, 20, t + 4400, t + 4500, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
		ev_sys(m, 20, 20, t + 4600, t + 4700, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
		ev_sys(m, 10, 10, t + 4750, t + 4800, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sys(m, 20, 20, t + 4900, t + 4950, IPCT_OP_EPOLL_WAIT, 0, 1, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 5000, t + 5100, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	model__free(m);
}

/* asyncio with three saturating clients: every epoll_wait has a zero timeout (callbacks are
 * always ready) and reports sockets ready; one empty look is followed by one that finds work */
Test(busywait, saturated_event_loop_that_never_sleeps_is_async_blocking)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 20; i++) {
		uint64_t t = 10000 + i * 1000;

		ev_sys(m, 10, 10, t, t + 50, IPCT_OP_WRITE, PIPE, 5, 0);
		if (i == 7)
			ev_sys(m, 20, 20, t + 60, t + 70, IPCT_OP_EPOLL_WAIT, 0, 0, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 100, t + 110, IPCT_OP_EPOLL_WAIT, 0, 1, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 200, t + 210, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0, "one look too early, then one that found work: no spin");
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode_calls[MODE_ASYNC_BLOCKING], 20, "each read was one the loop was told was ready");
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	cr_assert_eq(k.npolling, 0);
	model__free(m);
}

/* asyncio closing a connection: two empty looks, the close, a look that finds another socket */
Test(busywait, closing_a_channel_between_looks_is_work_not_a_spin)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	ev_chan(m, 1000, 20, PIPE2, IPCT_KIND_PIPE, 0, 8, NULL);
	ev_sys(m, 20, 20, 2000, 2010, IPCT_OP_READ, PIPE2, 0, IPCT_F_NONBLOCK);
	ev_sys(m, 20, 20, 2100, 2110, IPCT_OP_EPOLL_WAIT, 0, 0, IPCT_F_ZERO_TMO);
	ev_sys(m, 20, 20, 2200, 2210, IPCT_OP_EPOLL_WAIT, 0, 0, IPCT_F_ZERO_TMO);
	ev_sys(m, 20, 20, 2300, 2350, IPCT_OP_CLOSE, PIPE2, 0, 0);
	ev_sys(m, 10, 10, 2400, 2410, IPCT_OP_WRITE, PIPE, 5, 0);
	ev_sys(m, 20, 20, 2500, 2510, IPCT_OP_EPOLL_WAIT, 0, 1, IPCT_F_ZERO_TMO);
	ev_sys(m, 20, 20, 2600, 2610, IPCT_OP_READ, PIPE, 5, IPCT_F_NONBLOCK);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	cr_assert_not_null(synth_ep(&m->channels[1], 10), "channels in order of first use: the closed one, then PIPE");
	r = synth_ep(&m->channels[1], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 0);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 0, "the looks before the close are not this read's wait");
	cr_assert_eq(r->mode, MODE_ASYNC_BLOCKING);
	model__free(m);
}

/* the spinner that checks with zero-timeout polls until data comes is still busy-waiting */
Test(busywait, zero_timeout_polls_retried_in_vain_until_data_are_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	for (int i = 0; i < 3; i++) {
		uint64_t t = 10000 + i * 10000;

		for (int n = 0; n < 5; n++)
			ev_sys(m, 20, 20, t + n * 100, t + n * 100 + 10, IPCT_OP_POLL, PIPE, 0, IPCT_F_ZERO_TMO);
		ev_sys(m, 10, 10, t + 520, t + 530, IPCT_OP_WRITE, PIPE, 5, 0);
		ev_sys(m, 20, 20, t + 600, t + 610, IPCT_OP_POLL, PIPE, 1, IPCT_F_ZERO_TMO);
		ev_sys(m, 20, 20, t + 700, t + 710, IPCT_OP_READ, PIPE, 5, 0);
	}
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode, MODE_SYNC_NONBLOCKING);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 3);
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 3 * 700, "from the first empty poll to the read");
	cr_assert_eq(k.npolling, 3);
	model__free(m);
}

/* a read retried once after EAGAIN, preempted in between, is a spin all the same */
Test(busywait, one_eagain_retried_by_a_read_that_worked_is_busy_waiting)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_endpoint *r;

	reader_writer(m);
	ev_sys(m, 20, 20, 2000, 2010, IPCT_OP_READ, PIPE, -EAGAIN, IPCT_F_NONBLOCK);
	ev_sys(m, 10, 10, 2100, 2110, IPCT_OP_WRITE, PIPE, 8, 0);
	ev_sys(m, 20, 20, 12000, 12010, IPCT_OP_READ, PIPE, 8, IPCT_F_NONBLOCK);
	model__finish(m);

	r = synth_ep(&m->channels[0], 20);
	cr_assert_eq(r->mode_calls[MODE_SYNC_NONBLOCKING], 1, "every EAGAIN the poller retried");
	cr_assert_eq(r->mode_ns[MODE_SYNC_NONBLOCKING], 10000);
	cr_assert_eq(r->mode, MODE_SYNC_NONBLOCKING);
	model__free(m);
}
