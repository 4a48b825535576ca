// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * render in one read: the timeline made ahead (timeline__new_ahead) rides
 * the names' read and settles into the model's lanes. The oracle is the
 * two-read render (svg_of_trace: the model, then a pass for the timeline),
 * byte for byte; and each case that must take a second read (what was held
 * ahead cannot make exactly that SVG) refuses to settle and still draws it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "lang.h"
#include "load.h"
#include "outputs_of.h"
#include "passes.h"
#include "svg.h"
#include "svg_synth.h"
#include "timeline.h"
#include "trace.h"

struct svg_bytes {
	char *buf;
	size_t len;
	bool rode;     /* the one-read render settled: no second read */
};

static struct svg_bytes two_reads(const void *t, size_t tlen, const struct svg_opts *o)
{
	struct trace_reader *r = trace_reader__open_mem(t, tlen, NULL, NULL);
	struct svg_bytes b = { 0 };
	FILE *f = open_memstream(&b.buf, &b.len);

	cr_assert_not_null(r);
	cr_assert_eq(svg_of_trace(r, o, f), 0);
	fclose(f);
	trace_reader__free(r);
	return b;
}

/* As cmd_render: the SVG's sinks ride the names' read, a second read only if they did not hold. */
static struct svg_bytes one_read(const void *t, size_t tlen, const struct svg_opts *o)
{
	struct trace_reader *r = trace_reader__open_mem(t, tlen, NULL, NULL);
	struct svg_bytes b = { 0 };
	FILE *f = open_memstream(&b.buf, &b.len);

	cr_assert_not_null(r);
	cr_assert_eq(svg_of_trace_riding(r, o, f, &b.rode), 0);
	fclose(f);
	trace_reader__free(r);
	return b;
}

static void assert_same_svg(const void *t, size_t tlen, const struct svg_opts *o, bool rides,
			    const char *what)
{
	struct svg_bytes a = two_reads(t, tlen, o), b = one_read(t, tlen, o);

	cr_assert_gt(a.len, 1000, "%s", what);
	cr_assert_eq(b.rode, rides, "%s: %s", what, rides ? "took a second read" : "rode");
	cr_assert_eq(a.len, b.len, "%s: %zu bytes in two reads, %zu in one", what, a.len, b.len);
	cr_assert(!memcmp(a.buf, b.buf, a.len), "%s: the SVGs differ", what);
	free(a.buf);
	free(b.buf);
}

Test(render_ahead, same_svg_as_two_reads_with_every_drawing_option)
{
	static const uint32_t reader[] = { 200 };
	struct model_filter pid_filter = { .pids = (uint32_t *)reader, .npids = 1 };
	const struct svg_opts opts[] = {
		{ 0 },
		{ .no_group = true },
		{ .slide = true },
		{ .animate = true },
		{ .lang = &lang_ko },
		{ .width = 300 },
		{ .no_graph = true, .title = "one read" },
		{ .pids = reader, .npids = 1, .filter = &pid_filter },
	};
	size_t lens[4];
	void *traces[4] = { sy_demo(false, &lens[0]), sy_demo(true, &lens[1]), sy_sockets(&lens[2]),
			    sy_big(60000, &lens[3]) };

	for (size_t i = 0; i < 4; i++) {
		cr_assert_not_null(traces[i]);
		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
			char what[64];

			snprintf(what, sizeof(what), "trace %zu, options %zu", i, k);
			assert_same_svg(traces[i], lens[i], &opts[k], true, what);
		}
		free(traces[i]);
	}
}

Test(render_ahead, options_that_need_the_names_first_take_a_second_read)
{
	static const int chan[] = { 1 };
	struct model_filter chan_filter = { .chans = (int *)chan, .nchans = 1 };
	struct model_filter window = { .from_ns = 2000000, .to_ns = 6000000 };
	const struct svg_opts opts[] = {
		{ .chans = chan, .nchans = 1, .filter = &chan_filter },
		{ .from_ns = 2000000, .to_ns = 6000000, .filter = &window },
		{ .critical_path_tid = 200 },
	};
	size_t len;
	void *t = sy_demo(false, &len);

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		char what[32];

		snprintf(what, sizeof(what), "options %zu", k);
		cr_assert(!svg_render__rides(&opts[k]), "%s", what);
		assert_same_svg(t, len, &opts[k], false, what);
	}
	free(t);
}

/* 200 threads: more lanes than one column per cell (the cells were held a column each). */
Test(render_ahead, more_lanes_than_a_column_per_cell_takes_a_second_read)
{
	size_t len;
	void *t = sy_many(30000, &len);

	assert_same_svg(t, len, NULL, false, "200 threads");
	free(t);
}

/* A block past the middle damaged: the read stops there, short of the span the scan guessed. */
Test(render_ahead, damaged_block_disproves_the_guessed_span)
{
	size_t len, off = 0;
	uint8_t *t = sy_big(300000, &len);
	const uint8_t *p;
	int blocks = 0;

	/* the third block: the first "BLK1" after the header, then header to header */
	p = memmem(t, len, "BLK1", 4);
	cr_assert_not_null(p);
	off = (size_t)(p - t);
	while (blocks < 2) {
		uint32_t comp;

		memcpy(&comp, t + off + 4, 4);
		off += 28 + comp;
		blocks++;
	}
	cr_assert(!memcmp(t + off, "BLK1", 4));
	cr_assert(memmem(t + off + 28, len - off - 28, "BLK1", 4), "a block after the third");
	t[off + 100] ^= 0x5a;
	assert_same_svg(t, len, NULL, false, "damaged third block");
	free(t);
}

/* The finished model of a trace (its own read), for feeding a timeline made ahead by hand. */
static struct model_load *names_of(const void *t, size_t tlen, struct trace_reader **r)
{
	struct model_load *l;

	*r = trace_reader__open_mem(t, tlen, NULL, NULL);
	cr_assert_not_null(*r);
	l = model_load__open(*r, NULL, NULL);
	cr_assert_not_null(l);
	return l;
}

static struct timeline *ahead_of(const struct model_load *l, unsigned width)
{
	struct timeline_opts o = { .width = width, .from = l->model->start_ts,
				   .to = l->model->end_ts, .group = true };
	struct timeline *tl = timeline__new_ahead(&o);

	cr_assert_not_null(tl);
	return tl;
}

Test(timeline_ahead, narrow_calls_voted_with_a_kind_the_channel_lost)
{
	struct trace_reader *r;
	size_t len;
	void *t = sy_demo(false, &len);
	struct model_load *l = names_of(t, len, &r);
	const struct model_channel *c = model__channel(l->model, 1);
	struct model_span s = { .pid = 200, .tid = 200, .state = SPAN_SYSCALL, .chan = 1,
				.start = l->model->start_ts + 1000, .end = l->model->start_ts + 1010 };
	struct timeline *ok = ahead_of(l, 1200), *lost = ahead_of(l, 1200);

	cr_assert_not_null(c);
	/* narrower than a pixel: it votes for its column's kind */
	s.chan_kind = (uint8_t)c->kind;
	timeline__on_span(ok, &s);
	s.chan_kind = c->kind == IPCT_KIND_PIPE ? IPCT_KIND_FIFO : IPCT_KIND_PIPE;
	timeline__on_span(lost, &s);
	cr_assert_eq(timeline__settle(ok, l->model), 0);
	cr_assert_eq(timeline__settle(lost, l->model), -EAGAIN);
	cr_assert_eq(timeline__settle(lost, l->model), -EAGAIN, "asked again, the same answer");
	timeline__free(ok);
	timeline__free(lost);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

Test(timeline_ahead, an_arrow_hidden_as_untraced_whose_thread_gets_a_lane)
{
	struct trace_reader *r;
	size_t len;
	void *t = sy_demo(false, &len);
	struct model_load *l = names_of(t, len, &r);
	uint64_t ts = l->model->start_ts + 5000;
	struct model_wake untraced = { .waker_pid = 4242, .waker_tid = 4242, .wakee_pid = 200,
				       .wakee_tid = 200, .ts = ts, .wakee_seen = true };
	struct model_wake writer = untraced;
	struct timeline *ok = ahead_of(l, 1200), *wrong = ahead_of(l, 1200);

	/* the writer (100) has a lane: hidden ahead as not seen, the two-read timeline draws it */
	writer.waker_pid = writer.waker_tid = 100;
	timeline__on_wake(ok, &untraced);
	timeline__on_wake(wrong, &writer);
	cr_assert_eq(timeline__settle(ok, l->model), 0);
	cr_assert_eq(ok->stats.wakes_hidden, 1);
	cr_assert_eq(timeline__settle(wrong, l->model), -EAGAIN);
	timeline__free(ok);
	timeline__free(wrong);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

Test(timeline_ahead, past_the_held_spans_it_gives_up_and_holds_nothing)
{
	struct trace_reader *r;
	size_t len;
	void *t = sy_demo(false, &len);
	struct model_load *l = names_of(t, len, &r);
	uint64_t from = l->model->start_ts, span = l->model->end_ts - from;
	struct timeline *tl = ahead_of(l, 100000);

	/* 50,000 spans of two pixels each, one after the other: a fold would be due at 48,000 */
	for (uint64_t i = 0; i < 50000; i++) {
		struct model_span s = { .pid = 200, .tid = 200, .state = SPAN_BLOCKED,
					.start = from + span * (2 * i) / 100000,
					.end = from + span * (2 * i + 2) / 100000 };

		if (s.end > l->model->end_ts)
			break;
		timeline__on_span(tl, &s);
	}
	cr_assert(!tl->lanes && !tl->nlanes, "what was held is freed");
	cr_assert_eq(timeline__settle(tl, l->model), -EAGAIN);
	timeline__free(tl);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

Test(timeline_ahead, past_4096_threads_it_gives_up)
{
	struct trace_reader *r;
	size_t len;
	void *t = sy_demo(false, &len);
	struct model_load *l = names_of(t, len, &r);
	struct timeline *tl = ahead_of(l, 1200);

	for (uint32_t tid = 1; tid <= 4097; tid++) {
		struct model_span s = { .pid = tid, .tid = tid, .state = SPAN_BLOCKED,
					.start = l->model->start_ts, .end = l->model->start_ts + 10 };

		timeline__on_span(tl, &s);
		cr_assert_eq(tl->nlanes, tid <= 4096 ? tid : 0);
	}
	cr_assert_eq(timeline__settle(tl, l->model), -EAGAIN);
	timeline__free(tl);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

Test(render_ahead, a_guessed_span_the_names_disprove)
{
	struct trace_reader *r;
	size_t len;
	void *t = sy_demo(false, &len);
	struct model_load *l = names_of(t, len, &r);
	struct svg_render *early = svg_render__new_ahead(l->start, l->model->end_ts - 1, NULL);
	struct svg_render *right = svg_render__new_ahead(l->start, l->model->end_ts, NULL);

	cr_assert_not_null(early);
	cr_assert_not_null(right);
	cr_assert_eq(svg_render__settle(early, l->model, l->start), -EAGAIN);
	cr_assert_eq(svg_render__settle(right, l->model, l->start), 0);
	svg_render__free(early);
	svg_render__free(right);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

static void assert_same_span(const struct tl_span *x, const struct tl_span *y, size_t lane, size_t i)
{
	cr_assert(x->start == y->start && x->end == y->end && x->ret == y->ret && x->chan == y->chan &&
		  x->calls == y->calls && x->nr == y->nr && x->state == y->state && x->op == y->op &&
		  x->unfinished == y->unfinished, "lane %zu span %zu differs", lane, i);
}

static void assert_same_arrow(const struct tl_arrow *x, const struct tl_arrow *y, size_t i)
{
	cr_assert(x->type == y->type && x->mixed == y->mixed && x->src == y->src && x->dst == y->dst &&
		  x->scol == y->scol && x->dcol == y->dcol && x->chan == y->chan &&
		  x->src_ts == y->src_ts && x->dst_ts == y->dst_ts && x->last_ts == y->last_ts &&
		  x->min_lat == y->min_lat && x->max_lat == y->max_lat && x->count == y->count &&
		  x->bytes == y->bytes, "arrow %zu differs", i);
}

/* The two timelines of a trace, the two-read one and the one made ahead, field by field. */
static void assert_same_timeline(const void *t, size_t tlen)
{
	struct trace_reader *r = trace_reader__open_mem(t, tlen, NULL, NULL);
	struct timeline_opts o = { .width = 1200, .group = true };
	struct model_opts mo = { 0 }, ao = { 0 };
	struct timeline *two, *one;
	struct model *m, *again;

	cr_assert_not_null(r);
	m = model__from_reader(r, NULL);
	cr_assert_not_null(m);
	o.from = m->start_ts;
	o.to = m->end_ts;
	two = timeline__new(m, &o);
	one = timeline__new_ahead(&o);
	timeline__sinks(two, &mo);
	timeline__sinks(one, &ao);
	/* one read feeds both: the two-read timeline's second pass is the same events */
	cr_assert_eq(trace_reader__rewind(r), 0);
	again = model__from_reader(r, &mo);
	cr_assert_not_null(again);
	model__free(again);
	cr_assert_eq(trace_reader__rewind(r), 0);
	again = model__from_reader(r, &ao);
	cr_assert_not_null(again);
	cr_assert_eq(timeline__settle(one, m), 0);
	cr_assert_eq(timeline__finish(two), 0);
	cr_assert_eq(timeline__finish(one), 0);
	cr_assert(!memcmp(&two->stats, &one->stats, sizeof(two->stats)), "stats differ");
	cr_assert_eq(two->nlanes, one->nlanes);
	cr_assert_eq(two->cell_cols, one->cell_cols);
	cr_assert_eq(two->arrow_cols, one->arrow_cols);
	cr_assert_eq(two->narrows, one->narrows);
	for (size_t i = 0; i < two->narrows; i++)
		assert_same_arrow(&two->arrows[i], &one->arrows[i], i);
	cr_assert_eq(two->nlost, one->nlost);
	for (size_t i = 0; i < two->nlanes; i++) {
		const struct tl_lane *a = &two->lanes[i], *b = &one->lanes[i];

		cr_assert_eq(a->tid, b->tid);
		cr_assert_eq(a->nspans, b->nspans, "lane %zu", i);
		for (size_t j = 0; j < a->nspans; j++)
			assert_same_span(&a->spans[j], &b->spans[j], i, j);
		cr_assert(!memcmp(a->sum_ns, b->sum_ns, sizeof(a->sum_ns)));
		for (uint32_t col = 0; col < o.width; col++) {
			const struct tl_cell *x = timeline__cell(two, a, col), *y = timeline__cell(one, b, col);

			cr_assert_eq(!x, !y, "lane %zu col %u", i, col);
			cr_assert(!x || !memcmp(x, y, sizeof(*x)), "lane %zu col %u", i, col);
		}
	}
	model__free(again);
	model__free(m);
	timeline__free(two);
	timeline__free(one);
	trace_reader__free(r);
}

Test(timeline_ahead, settled_is_the_two_read_timeline_field_by_field)
{
	size_t len;
	void *t;

	t = sy_demo(false, &len);
	assert_same_timeline(t, len);
	free(t);
	t = sy_sockets(&len);
	assert_same_timeline(t, len);
	free(t);
	t = sy_big(60000, &len);
	assert_same_timeline(t, len);
	free(t);
}

/* "srv" 100 with a pool of three "worker" threads, and "client" 200, over 10 ms. */
static void *pool_trace(size_t *len)
{
	struct sy s = { 0 };

	sy_task(&s, SY_T0 + 1000, 100, 100, "srv");
	for (uint32_t tid = 101; tid <= 103; tid++)
		sy_task(&s, SY_T0 + 1000, 100, tid, "worker");
	sy_task(&s, SY_T0 + 1000, 200, 200, "client");
	for (uint32_t tid = 100; tid <= 103; tid++)
		sy_call(&s, 100, tid, SY_T0 + 9000000, SY_T0 + 10000000, IPCT_OP_NANOSLEEP, 35, 0, 0, 0);
	sy_call(&s, 200, 200, SY_T0 + 9000000, SY_T0 + 10000000, IPCT_OP_NANOSLEEP, 35, 0, 0, 0);
	return sy_write(&s, "pool", len);
}

/* 40,000 wakeups of the workers by the client, each in a column of its own: a merge is due at 32,000. */
static void feed_wakes(struct timeline *tl, const struct model *m)
{
	for (uint64_t k = 0; k < 40000; k++) {
		struct model_wake w = { .chan = (int)(k % 3), .waker_pid = 200, .waker_tid = 200,
					.wakee_pid = 100, .wakee_tid = 101 + (uint32_t)(k % 3),
					.ts = m->start_ts + (m->end_ts - m->start_ts) * k / 40000,
					.waker_seen = true, .wakee_seen = true };

		timeline__on_wake(tl, &w);
	}
}

Test(timeline_ahead, arrows_merged_ahead_are_the_lanes_arrows_merged_at_the_same_moment)
{
	struct trace_reader *r;
	size_t len;
	void *t = pool_trace(&len);
	struct model_load *l = names_of(t, len, &r);
	struct timeline_opts o = { .width = 30000, .from = l->model->start_ts, .to = l->model->end_ts };
	struct timeline *two, *one, *pooled;

	/* each worker on a lane of its own: the merge ahead is the two-read timeline's, relabelled */
	two = timeline__new(l->model, &o);
	one = timeline__new_ahead(&o);
	feed_wakes(two, l->model);
	feed_wakes(one, l->model);
	cr_assert_gt(one->arrow_cols, 1, "no merge was due: the test tests nothing");
	cr_assert_eq(timeline__settle(one, l->model), 0);
	cr_assert_eq(timeline__finish(two), 0);
	cr_assert_eq(timeline__finish(one), 0);
	cr_assert_eq(two->arrow_cols, one->arrow_cols);
	cr_assert_eq(two->narrows, one->narrows);
	for (size_t i = 0; i < two->narrows; i++)
		assert_same_arrow(&two->arrows[i], &one->arrows[i], i);
	cr_assert(!memcmp(&two->stats, &one->stats, sizeof(two->stats)));
	/* the workers pooled on one lane: the merge would have come later, with fewer arrows */
	o.group = true;
	pooled = timeline__new_ahead(&o);
	feed_wakes(pooled, l->model);
	cr_assert_eq(timeline__settle(pooled, l->model), -EAGAIN);
	timeline__free(two);
	timeline__free(one);
	timeline__free(pooled);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}
