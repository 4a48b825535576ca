// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* model/load.c: the passes over a trace file, with and without a window. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "filter.h"
#include "load.h"
#include "svg_synth.h"

#define MS 1000000ull

/*
 * "writer" (pid 10) writes a pipe read by "reader" (pid 20) once a
 * millisecond, ten times (the k-th write exits at k ms + 100 us); the reader
 * also reads a file nobody writes (hidden unless all_files) at 5.5 ms.
 */
static void *ten_writes(size_t *len)
{
	struct sy s = { 0 };

	sy_task(&s, SY_T0 + 1000, 10, 10, "writer");
	sy_task(&s, SY_T0 + 1000, 20, 20, "reader");
	sy_chan(&s, SY_T0 + 2000, 10, 0x500, IPCT_KIND_PIPE, "pipe:[500]");
	sy_chan(&s, SY_T0 + 2000, 20, 0x500, IPCT_KIND_PIPE, "pipe:[500]");
	sy_chan(&s, SY_T0 + 2000, 20, 0x600, IPCT_KIND_FILE, "/etc/ipctrace-test.conf");
	for (uint64_t k = 1; k <= 10; k++) {
		sy_call(&s, 10, 10, SY_T0 + k * MS, SY_T0 + k * MS + 100000, IPCT_OP_WRITE, 1, 0x500, 8, 0);
		sy_call(&s, 20, 20, SY_T0 + k * MS + 200000, SY_T0 + k * MS + 300000, IPCT_OP_READ, 0,
			0x500, 8, 0);
	}
	sy_call(&s, 20, 20, SY_T0 + 5 * MS + 500000, SY_T0 + 5 * MS + 600000, IPCT_OP_READ, 0, 0x600,
		100, 0);
	sy_task(&s, SY_T0 + 11 * MS, 30, 30, "late");
	return sy_write(&s, "ten writes", len);
}

/* A reader of ten_writes; *buf to free after it. */
static struct trace_reader *open_ten_writes(void **buf)
{
	size_t len;
	struct trace_reader *r;

	*buf = ten_writes(&len);
	r = trace_reader__open_mem(*buf, len, NULL, NULL);
	cr_assert_not_null(r);
	return r;
}

static bool has_kind(const struct model *m, enum ipct_kind k)
{
	for (size_t i = 0; i < m->nchannels; i++)
		if (m->channels[i].kind == k)
			return true;
	return false;
}

/* report --all-files --from X: the window's model keeps the file nobody wrote, as without a window. */
Test(load, all_files_holds_in_a_window)
{
	struct model_opts all = { .all_files = true };
	struct model_filter f = { .from_ns = 3 * MS, .to_ns = 8 * MS };
	void *t;
	struct trace_reader *r = open_ten_writes(&t);
	struct model_load *l;

	l = model_load__open(r, NULL, NULL);
	cr_assert_not_null(l);
	cr_assert(has_kind(l->model, IPCT_KIND_PIPE));
	cr_assert_not(has_kind(l->model, IPCT_KIND_FILE), "a file nobody wrote is hidden by default");
	model_load__free(l);
	l = model_load__open(r, NULL, &all);
	cr_assert(has_kind(l->model, IPCT_KIND_FILE), "all_files keeps it");
	model_load__free(l);
	l = model_load__open(r, &f, &all);
	cr_assert_not_null(l);
	cr_assert(has_kind(l->model, IPCT_KIND_FILE), "all_files keeps it in a window too");
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

struct counts {
	size_t writes, transfers;
	int chan;
};

static void count_span(void *ctx, const struct model_span *s)
{
	struct counts *c = ctx;

	if (s->state == SPAN_SYSCALL && s->op == IPCT_OP_WRITE) {
		c->writes++;
		c->chan = s->chan;
	}
}

static void count_transfer(void *ctx, const struct model_transfer *t)
{
	((struct counts *)ctx)->transfers++;
}

/* A pass gives the window's sinks the window's calls and the whole trace's sinks all ten, ids alike. */
static void pass_counts(const struct model_filter *f, struct counts *win, struct counts *whole)
{
	struct model_opts wo = { .ctx = win, .on_span = count_span, .on_transfer = count_transfer };
	struct model_opts ho = { .ctx = whole, .on_span = count_span, .on_transfer = count_transfer };
	void *t;
	struct trace_reader *r = open_ten_writes(&t);
	struct model_load *l;

	l = model_load__open(r, f, NULL);
	cr_assert_not_null(l);
	cr_assert_eq(model_load__pass(l, &wo, &ho), 0);
	cr_assert_eq(l->model->nchannels, 1, "the pipe");
	cr_assert_eq(win->chan, l->model->channels[0].id, "the window's sinks get the names' ids");
	cr_assert_eq(whole->chan, l->model->channels[0].id, "the whole trace's sinks too");
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}

Test(load, one_pass_feeds_the_window_and_the_whole_trace)
{
	struct model_filter f = { .from_ns = 3 * MS + 500000, .to_ns = 7 * MS + 500000 };
	struct counts win = { 0 }, whole = { 0 };

	pass_counts(NULL, &win, &whole);
	cr_assert_eq(win.writes, 10);
	cr_assert_eq(whole.writes, 10);
	cr_assert_eq(win.transfers, 10);
	memset(&win, 0, sizeof(win));
	memset(&whole, 0, sizeof(whole));
	/* writes 4 to 7 lie inside [3.5 ms, 7.5 ms] */
	pass_counts(&f, &win, &whole);
	cr_assert_eq(win.writes, 4, "the window's writes: %zu", win.writes);
	cr_assert_eq(win.transfers, 4);
	cr_assert_eq(whole.writes, 10, "every write for the whole trace's sinks: %zu", whole.writes);
	cr_assert_eq(whole.transfers, 10);
}

/*
 * A window's load reads the whole trace and the window at once, the window placed by the
 * trace's span as its first block gives it: when an older event comes in a later block (a
 * CPU's events late), the trace starts earlier and the window is read again where it lies.
 */
Test(load, a_window_lies_where_the_whole_trace_starts_even_when_a_later_block_starts_it)
{
	struct model_filter f = { .from_ns = 3 * MS + 500000, .to_ns = 7 * MS + 500000 };
	struct sy s = { 0 };
	struct trace_reader *r;
	struct model_load *l;
	size_t len, late;
	void *t;

	sy_task(&s, SY_T0 + 1000, 10, 10, "writer");
	sy_chan(&s, SY_T0 + 2000, 10, 0x500, IPCT_KIND_PIPE, "pipe:[500]");
	/* the k-th write writes k bytes */
	for (uint64_t k = 1; k <= 10; k++)
		sy_call(&s, 10, 10, SY_T0 + k * MS, SY_T0 + k * MS + 100000, IPCT_OP_WRITE, 1, 0x500,
			(int64_t)k, 0);
	late = s.n;
	sy_task(&s, SY_T0 - 2 * MS, 20, 20, "early");
	t = sy_write_late(&s, "late block", &len, late);
	r = trace_reader__open_mem(t, len, NULL, NULL);
	cr_assert_not_null(r);
	l = model_load__open(r, &f, NULL);
	cr_assert_not_null(l);
	cr_assert_eq(l->start, SY_T0 - 2 * MS, "the trace starts at its oldest event");
	cr_assert_eq(l->from, SY_T0 + 1 * MS + 500000);
	cr_assert_eq(l->model->nchannels, 1);
	/* [start + 3.5 ms, start + 7.5 ms] holds writes 2 to 5, not 4 to 7 */
	cr_assert_eq(l->model->channels[0].bytes, 2 + 3 + 4 + 5, "the window's bytes: %llu",
		     (unsigned long long)l->model->channels[0].bytes);
	model_load__free(l);
	trace_reader__free(r);
	free(t);
}
