// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A trace that passes every format check but holds absurd timestamps (issue 16): every reader
 * of it ends, quickly, and says what it ignored. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto.h"
#include "report.h"
#include "svg.h"
#include "outputs_of.h"
#include "svg_synth.h"

/* The demo's events plus one at ts (a SLEEP of the reader, as a forged record would be). */
static void *forged(uint64_t ts, size_t *len)
{
	struct sy s = { 0 };

	sy_task(&s, SY_T0 + 1000, 100, 100, "writer");
	sy_task(&s, SY_T0 + 1000, 200, 200, "reader");
	sy_chan(&s, SY_T0 + 2000, 100, 7, IPCT_KIND_PIPE, "pipe:[7]");
	for (int i = 0; i < 4; i++) {
		uint64_t t = SY_T0 + 10000 + i * 1000000ull;

		sy_sleep(&s, 200, 200, t + 1000, t + 499000, t + 499500, 7, IPCT_OP_READ, 0, 100, 7);
		sy_call(&s, 200, 200, t, t + 500000, IPCT_OP_READ, 0, 7, 1, 0);
		sy_call(&s, 100, 100, t + 498000, t + 499000, IPCT_OP_WRITE, 1, 7, 1, 0);
	}
	sy_sleep(&s, 200, 200, ts, ts, ts, 7, IPCT_OP_READ, 0, 100, 7);
	return sy_write(&s, "forged", len);
}

static struct trace_reader *open_forged(uint64_t ts, void **buf)
{
	size_t len;
	int err = 0;
	struct trace_reader *r;

	*buf = forged(ts, &len);
	cr_assert_not_null(*buf);
	r = trace_reader__open_mem(*buf, len, &err, NULL);
	cr_assert_not_null(r, "the forged trace passes the format checks");
	return r;
}

static void render_bounded(uint64_t ts)
{
	char *out = NULL;
	size_t n = 0;
	void *buf;
	struct trace_reader *r = open_forged(ts, &buf);
	FILE *f = open_memstream(&out, &n);

	cr_assert_eq(svg_of_trace(r, NULL, f), 0, "render of a trace with an event at %#llx",
		     (unsigned long long)ts);
	fclose(f);
	cr_assert_lt(n, 2u << 20, "the SVG of 13 events is %zu bytes", n);
	cr_assert_not_null(strstr(out, "</svg>"));
	free(out);
	out = NULL;
	cr_assert_eq(trace_reader__rewind(r), 0);
	f = open_memstream(&out, &n);
	cr_assert_eq(perfetto_json_of_trace(r, NULL, f), 0);
	fclose(f);
	cr_assert_lt(n, 2u << 20);
	free(out);
	trace_reader__free(r);
	free(buf);
}

Test(damaged_times, render_ends_on_an_event_at_the_end_of_time, .timeout = 20)
{
	render_bounded(UINT64_MAX);
}

Test(damaged_times, render_ends_on_an_event_before_the_recording, .timeout = 20)
{
	render_bounded(1);
}

Test(damaged_times, render_ends_on_an_event_years_later, .timeout = 20)
{
	render_bounded(SY_T0 + 3ull * 365 * 24 * 3600 * 1000000000ull);
}

Test(damaged_times, report_counts_what_it_ignored, .timeout = 20)
{
	char *out = NULL;
	size_t n = 0;
	void *buf;
	struct trace_reader *r = open_forged(UINT64_MAX, &buf);
	struct model *m = model__from_reader(r, NULL);
	FILE *f;

	cr_assert_not_null(m);
	cr_assert_eq(m->out_of_window, 1);
	cr_assert_lt(m->end_ts - m->start_ts, 10000000ull, "the trace still lasts 4 ms, not %llu ns",
		     (unsigned long long)(m->end_ts - m->start_ts));
	f = open_memstream(&out, &n);
	cr_assert_eq(report__json(m, trace_reader__meta(r), f), 0);
	fclose(f);
	cr_assert_not_null(strstr(out, "\"out_of_window_events\": 1"), "%s", out);
	free(out);
	model__free(m);
	trace_reader__free(r);
	free(buf);
}
