// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Sends matched to receives (model/transfers.c) against a plain reference
 * of the rule written here: each send waits in its channel's queue (64
 * kept; when full, a thread's consecutive sends merge, else the oldest is
 * forgotten); a receive takes bytes from the oldest sends of another side
 * (a pipe's reader may take its own), and a receive that returned before
 * its send's exit waits (16 kept) for a send that began before it returned.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "synth.h"

#define SOCK_A 0x200       /* TCP, pid 10's end */
#define SOCK_B 0x201       /* TCP, pid 20's end */
#define PIPE 0x300         /* written and read by pids 10, 20 and 30 */
#define SHARED 0x400       /* a unix stream both processes call by one id: one side only */
#define REF_SENDS 64
#define REF_EARLY 16

struct ref_xfer {
	uint64_t side;
	uint32_t pid, tid;
	uint64_t start, ts, bytes;
};

struct ref_q {
	struct ref_xfer v[REF_SENDS];
	size_t len;
};

struct ref_chan {
	bool socket;
	struct ref_q sends, early;
};

struct got {
	struct model_transfer *v;
	size_t n, cap;
};

static void got_transfer(void *ctx, const struct model_transfer *t)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->v = realloc(g->v, g->cap * sizeof(*g->v));
		cr_assert_not_null(g->v);
	}
	g->v[g->n++] = *t;
}

static void ref_push(struct ref_q *q, size_t max, const struct ref_xfer *x)
{
	if (q->len == max) {
		struct ref_xfer *last = &q->v[q->len - 1];

		if (last->tid == x->tid && last->side == x->side) {
			last->bytes += x->bytes;
			last->ts = x->ts;
			return;
		}
		memmove(q->v, q->v + 1, (q->len - 1) * sizeof(q->v[0]));
		q->len--;
	}
	q->v[q->len++] = *x;
}

static void ref_drop_empty(struct ref_q *q)
{
	size_t j = 0;

	for (size_t i = 0; i < q->len; i++)
		if (q->v[i].bytes)
			q->v[j++] = q->v[i];
	q->len = j;
}

static void expect(struct got *want, const struct ref_xfer *src, uint32_t dst_pid, uint32_t dst_tid,
		   uint64_t dst_ts, uint64_t n)
{
	struct model_transfer t = {
		.src_pid = src->pid, .src_tid = src->tid, .dst_pid = dst_pid, .dst_tid = dst_tid,
		.src_ts = src->ts < dst_ts ? src->ts : dst_ts, .dst_ts = dst_ts, .bytes = n,
	};

	got_transfer(want, &t);
}

static void ref_send(struct ref_chan *c, struct got *want, const struct ref_xfer *s)
{
	struct ref_xfer x = *s;

	for (size_t i = 0; i < c->early.len && x.bytes; i++) {
		struct ref_xfer *rv = &c->early.v[i];
		uint64_t n;

		if (rv->side == x.side || !rv->bytes || rv->ts < x.start)
			continue;
		n = rv->bytes < x.bytes ? rv->bytes : x.bytes;
		expect(want, &x, rv->pid, rv->tid, rv->ts, n);
		x.bytes -= n;
		rv->bytes -= n;
	}
	ref_drop_empty(&c->early);
	if (x.bytes)
		ref_push(&c->sends, REF_SENDS, &x);
}

static void ref_recv(struct ref_chan *c, struct got *want, const struct ref_xfer *r)
{
	uint64_t left = r->bytes;

	for (int own = 0; own < (c->socket ? 1 : 2); own++) {
		for (size_t i = 0; i < c->sends.len && left; i++) {
			struct ref_xfer *x = &c->sends.v[i];
			uint64_t n;

			if ((!own && x->side == r->side) || !x->bytes)
				continue;
			n = x->bytes < left ? x->bytes : left;
			expect(want, x, r->pid, r->tid, r->ts, n);
			x->bytes -= n;
			left -= n;
		}
	}
	ref_drop_empty(&c->sends);
	if (left) {
		struct ref_xfer rv = *r;

		rv.bytes = left;
		ref_push(&c->early, REF_EARLY, &rv);
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One random stream through the model and the reference; every transfer must be the reference's. */
static void compare_stream(uint64_t seed, size_t nevents)
{
	static const uint32_t pids[] = { 10, 20, 30 };
	struct got got = { 0 }, want = { 0 };
	struct model_opts o = { .ctx = &got, .on_transfer = got_transfer };
	struct model *m = model__new(&o);
	struct ref_chan tcp = { .socket = true }, pipe = { 0 }, shared = { .socket = true };
	uint64_t now = 10000;

	cr_assert_not_null(m);
	for (size_t i = 0; i < 3; i++)
		ev_task(m, 1000, pids[i], pids[i], "peer");
	ev_chan(m, 1000, 10, SOCK_A, IPCT_KIND_TCP, SOCK_B, 0, NULL);
	ev_chan(m, 1000, 20, SOCK_B, IPCT_KIND_TCP, SOCK_A, 0, NULL);
	ev_chan(m, 1000, 10, PIPE, IPCT_KIND_PIPE, 0, 7, NULL);
	ev_chan(m, 1000, 10, SHARED, IPCT_KIND_UNIX_STREAM, 0, 8, NULL);
	for (size_t i = 0; i < nevents; i++) {
		uint64_t r = rnd(&seed);
		/* long runs of one side's sends overflow the queue; short ones interleave */
		bool send = (r >> 8) % 8 < ((i / 200) % 2 ? 6 : 3);
		unsigned which = (r >> 16) % 3;
		uint32_t pid = which == 0 ? ((r >> 20) % 2 ? 20 : 10) : pids[(r >> 20) % 3];
		uint32_t tid = pid + (uint32_t)((r >> 24) % 2) * 1000;
		uint64_t chan = which == 0 ? (pid == 10 ? SOCK_A : SOCK_B) : which == 1 ? PIPE : SHARED;
		struct ref_chan *c = which == 0 ? &tcp : which == 1 ? &pipe : &shared;
		struct ref_xfer x = {
			.side = which == 1 ? pid : chan, .pid = pid, .tid = tid,
			.start = now - (r >> 32) % 400, .ts = now, .bytes = 1 + (r >> 40) % 300,
		};

		if (which == 2)
			x.pid = x.tid = 10 + (r >> 28) % 2 * 10; /* one id, one side: nothing ever matches */
		ev_sys(m, x.pid, x.tid, x.start, x.ts, send ? (which == 0 ? IPCT_OP_SEND : IPCT_OP_WRITE) :
			(which == 0 ? IPCT_OP_RECV : IPCT_OP_READ), chan, (int64_t)x.bytes, 0);
		if (send)
			ref_send(c, &want, &x);
		else
			ref_recv(c, &want, &x);
		now += 1 + (r >> 50) % 200;
	}
	model__finish(m);
	cr_assert_eq(got.n, want.n, "seed %llu: %zu transfers, the reference %zu",
		     (unsigned long long)seed, got.n, want.n);
	for (size_t i = 0; i < got.n; i++) {
		const struct model_transfer *g = &got.v[i], *w = &want.v[i];

		cr_assert(g->src_pid == w->src_pid && g->src_tid == w->src_tid && g->dst_pid == w->dst_pid &&
			  g->dst_tid == w->dst_tid && g->src_ts == w->src_ts && g->dst_ts == w->dst_ts &&
			  g->bytes == w->bytes,
			  "seed %llu, transfer %zu: %u/%u@%llu -> %u/%u@%llu %llu B, the reference "
			  "%u/%u@%llu -> %u/%u@%llu %llu B", (unsigned long long)seed, i,
			  g->src_pid, g->src_tid, (unsigned long long)g->src_ts, g->dst_pid, g->dst_tid,
			  (unsigned long long)g->dst_ts, (unsigned long long)g->bytes, w->src_pid,
			  w->src_tid, (unsigned long long)w->src_ts, w->dst_pid, w->dst_tid,
			  (unsigned long long)w->dst_ts, (unsigned long long)w->bytes);
	}
	cr_assert_gt(got.n, nevents / 10, "seed %llu: the stream matched too little to test",
		     (unsigned long long)seed);
	model__free(m);
	free(got.v);
	free(want.v);
}

Test(transfer_queue, random_streams_match_the_reference)
{
	for (uint64_t seed = 1; seed <= 40; seed++)
		compare_stream(seed * 0x9e3779b97f4a7c15ull, 5000);
}

/*
 * A model whose transfers land in got, two processes a (pid 10) and b (pid 20)
 * and their TCP ends; met: each end knows the other from the start, else only
 * a's end has its addresses until ends_meet says b's.
 */
static struct model *tcp_pair(struct got *got, bool met)
{
	struct model_opts o = { .ctx = got, .on_transfer = got_transfer };
	struct model *m = model__new(&o);

	ev_task(m, 1000, 10, 10, "a");
	ev_task(m, 1000, 20, 20, "b");
	if (met) {
		ev_chan(m, 1000, 10, SOCK_A, IPCT_KIND_TCP, SOCK_B, 0, NULL);
		ev_chan(m, 1000, 20, SOCK_B, IPCT_KIND_TCP, SOCK_A, 0, NULL);
	} else {
		ev_inet(m, 1000, 10, SOCK_A, IPCT_KIND_TCP, "127.0.0.1", 40312, "127.0.0.1", 5000);
		ev_chan(m, 1000, 20, SOCK_B, IPCT_KIND_TCP, 0, 0, NULL);
	}
	return m;
}

/* b's end learns its addresses: the two ends are one connection from now on. */
static void ends_meet(struct model *m, uint64_t ts)
{
	ev_inet(m, ts, 20, SOCK_B, IPCT_KIND_TCP, "127.0.0.1", 5000, "127.0.0.1", 40312);
}

/* A queue of one side's sends only: a receive of the other side still takes the oldest kept. */
Test(transfer_queue, full_queue_of_one_side_yields_its_oldest_kept_send)
{
	struct got got = { 0 };
	struct model *m = tcp_pair(&got, true);

	/* 100 sends of two alternating threads (no merging): the first 36 are forgotten */
	for (int i = 0; i < 100; i++)
		ev_sys(m, 10, 10 + (i % 2) * 1000, 2000 + i * 10, 2005 + i * 10, IPCT_OP_SEND, SOCK_A, 1 + i,
		       0);
	/* its own end's receive takes nothing of its own sends */
	ev_sys(m, 10, 10, 3000, 3010, IPCT_OP_RECV, SOCK_A, 5, 0);
	ev_sys(m, 20, 20, 4000, 4010, IPCT_OP_RECV, SOCK_B, 37 + 38, 0);
	model__finish(m);
	cr_assert_eq(got.n, 2);
	cr_assert_eq(got.v[0].bytes, 37);
	cr_assert_eq(got.v[0].src_ts, 2005 + 36 * 10);
	cr_assert_eq(got.v[1].bytes, 38);
	cr_assert_eq(got.v[1].src_tid, 1010);
	model__free(m);
	free(got.v);
}

/* A queue that held one side's sends, emptied, then the other side's: the first end now receives. */
Test(transfer_queue, emptied_queue_takes_the_other_sides_sends)
{
	struct got got = { 0 };
	struct model *m = tcp_pair(&got, true);

	ev_sys(m, 10, 10, 2000, 2010, IPCT_OP_SEND, SOCK_A, 100, 0);
	ev_sys(m, 20, 20, 2100, 2110, IPCT_OP_RECV, SOCK_B, 100, 0);
	ev_sys(m, 20, 20, 2200, 2210, IPCT_OP_SEND, SOCK_B, 50, 0);
	ev_sys(m, 10, 10, 2300, 2310, IPCT_OP_RECV, SOCK_A, 50, 0);
	/* mixed: a's send queued behind b's; a takes b's, b takes a's */
	ev_sys(m, 20, 20, 2400, 2410, IPCT_OP_SEND, SOCK_B, 7, 0);
	ev_sys(m, 10, 10, 2500, 2510, IPCT_OP_SEND, SOCK_A, 9, 0);
	ev_sys(m, 10, 10, 2600, 2610, IPCT_OP_RECV, SOCK_A, 7, 0);
	ev_sys(m, 20, 20, 2700, 2710, IPCT_OP_RECV, SOCK_B, 9, 0);
	model__finish(m);
	cr_assert_eq(got.n, 4);
	cr_assert(got.v[1].src_pid == 20 && got.v[1].dst_pid == 10 && got.v[1].bytes == 50);
	cr_assert(got.v[2].src_pid == 20 && got.v[2].dst_pid == 10 && got.v[2].bytes == 7);
	cr_assert(got.v[3].src_pid == 10 && got.v[3].dst_pid == 20 && got.v[3].bytes == 9);
	model__free(m);
	free(got.v);
}

/*
 * Two used ends met late (the second end's address came after both sent):
 * their queues join, the oldest forgotten past 64, and each end then
 * receives what the other sent.
 */
Test(transfer_queue, ends_that_meet_late_join_their_queues)
{
	struct got got = { 0 };
	struct model *m = tcp_pair(&got, false);
	uint64_t from_a = 0, from_b = 0, first_a = UINT64_MAX;
	size_t na = 0, nb = 0;

	/* 50 sends of a (two threads, so none merge), 30 of b, before the ends are known to meet */
	for (int i = 0; i < 50; i++)
		ev_sys(m, 10, 10 + (i % 2) * 1000, 2000 + i * 10, 2005 + i * 10, IPCT_OP_SEND, SOCK_A,
		       100 + i, 0);
	for (int i = 0; i < 30; i++)
		ev_sys(m, 20, 20 + (i % 2) * 1000, 3000 + i * 10, 3005 + i * 10, IPCT_OP_SEND, SOCK_B,
		       500 + i, 0);
	ends_meet(m, 4000);
	ev_sys(m, 20, 20, 5000, 5010, IPCT_OP_RECV, SOCK_B, 1000000, 0);
	ev_sys(m, 10, 10, 5100, 5110, IPCT_OP_RECV, SOCK_A, 1000000, 0);
	model__finish(m);
	cr_assert_eq(m->nchannels, 1, "the two ends are one channel");
	for (size_t i = 0; i < got.n; i++) {
		if (got.v[i].src_pid == 10) {
			cr_assert_eq(got.v[i].dst_pid, 20);
			from_a += got.v[i].bytes;
			na++;
			if (got.v[i].src_ts < first_a)
				first_a = got.v[i].src_ts;
		} else {
			cr_assert(got.v[i].src_pid == 20 && got.v[i].dst_pid == 10);
			from_b += got.v[i].bytes;
			nb++;
		}
	}
	/* 80 sends, 64 kept: the 16 oldest (a's first) forgotten */
	cr_assert_eq(na + nb, 64, "%zu + %zu transfers", na, nb);
	cr_assert_eq(na, 34);
	cr_assert_eq(nb, 30);
	cr_assert_eq(first_a, 2005 + 16 * 10);
	cr_assert_eq(from_a, 34 * 100 + (16 + 49) * 34 / 2);
	cr_assert_eq(from_b, 30 * 500 + 29 * 30 / 2);
	model__free(m);
	free(got.v);
}

/* An end whose own queue overflowed before the ends met: the joined queue keeps its newest 64. */
Test(transfer_queue, full_end_that_meets_late_keeps_its_newest_sends)
{
	struct got got = { 0 };
	struct model *m = tcp_pair(&got, false);
	uint64_t from_b = 0;

	for (int i = 0; i < 5; i++)
		ev_sys(m, 10, 10, 2000 + i * 10, 2005 + i * 10, IPCT_OP_SEND, SOCK_A, 100 + i, 0);
	for (int i = 0; i < 66; i++)
		ev_sys(m, 20, 20 + (i % 2) * 1000, 3000 + i * 10, 3005 + i * 10, IPCT_OP_SEND, SOCK_B,
		       500 + i, 0);
	ends_meet(m, 4000);
	ev_sys(m, 10, 10, 5100, 5110, IPCT_OP_RECV, SOCK_A, 1000000, 0);
	ev_sys(m, 20, 20, 5200, 5210, IPCT_OP_RECV, SOCK_B, 1000000, 0);
	model__finish(m);
	cr_assert_eq(got.n, 64, "%zu transfers", got.n);
	for (size_t i = 0; i < got.n; i++) {
		cr_assert(got.v[i].src_pid == 20 && got.v[i].dst_pid == 10, "a's 5 sends are the oldest");
		from_b += got.v[i].bytes;
	}
	/* b's sends 2..65 */
	cr_assert_eq(from_b, 64 * 500 + (2 + 65) * 64 / 2);
	cr_assert_eq(got.v[0].src_ts, 3005 + 2 * 10);
	model__free(m);
	free(got.v);
}
