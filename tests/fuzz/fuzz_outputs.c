// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for everything that reads a trace after the reader: the
 * model, the text and JSON report, the timeline SVG and the Perfetto export.
 * Any events must give outputs in bounded time and memory, never a crash,
 * a sinks-only model (the outputs' second pass) must make exactly the
 * sink calls of a full model, and a critical path walked while reading must
 * be the one walked after the read (or say it must be walked again).
 *
 * Input: a trace file (from the reader's corpus: real recordings), or events,
 * each one type byte then the event's own bytes, so that every
 * field (times, ids, channels, return values) is the fuzzer's. Ids are folded
 * into a few processes and threads so that events meet on the same ones; times
 * are steps from the recording's start unless the type byte's top bit asks for
 * a raw 64-bit time (a damaged trace's).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "critical_path.h"
#include "graph.h"
#include "graph_layout.h"
#include "lang.h"
#include "model.h"
#include "perfetto.h"
#include "report.h"
#include "svg.h"
#include "trace.h"
#include "../unit/cp_same.h"
#include "../unit/outputs_of.h"
#include "../unit/sink_calls.h"

#define T0 1000000000000ull

union any_event {
	struct ipct_hdr h;
	uint8_t bytes[512];
};

static void *write_trace(const uint8_t *data, size_t size, size_t *len)
{
	struct trace_meta meta = { .start_mono_ns = T0, .start_real_ns = 1700000000000000000ull };
	struct trace_writer *w;
	uint64_t ts = T0;
	void *buf = NULL;
	off_t end;
	int fd;

	fd = memfd_create("fuzz-outputs", 0);
	if (fd < 0)
		return NULL;
	w = trace_writer__open_fd(fd, &meta, 0);
	if (!w) {
		close(fd);
		return NULL;
	}
	while (size > 1) {
		unsigned type = data[0] & 0x7f;
		bool raw_ts = data[0] & 0x80;
		size_t n = ipct_event_size(type);
		union any_event ev;

		data++, size--;
		if (n == 0 || n > sizeof(ev) || n > size)
			break;
		memcpy(&ev, data, n);
		data += n, size -= n;
		ev.h.type = type;
		ev.h.pid = 100 + ev.h.pid % 4;
		ev.h.tid = ev.h.pid + ev.h.tid % 3;
		if (!raw_ts) {
			ts += ev.h.ts % 2000000;
			ev.h.ts = ts;
		}
		if (trace_writer__add(w, &ev.h))
			break;
	}
	if (trace_writer__close(w) || (end = lseek(fd, 0, SEEK_END)) <= 0 ||
	    !(buf = malloc((size_t)end)) || pread(fd, buf, (size_t)end, 0) != end) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)end : 0;
	close(fd);
	return buf;
}

/* The sink calls of a full and of a sinks-only model of r: any difference is a crash. */
static void same_sink_calls(struct trace_reader *r)
{
	struct sink_calls full = { 0 }, lean = { 0 };
	struct model_opts fo = sink_calls__opts(&full, false), lo = sink_calls__opts(&lean, true);
	struct model *a = NULL, *b = NULL;

	if (!trace_reader__rewind(r))
		a = model__from_reader(r, &fo);
	if (a && !trace_reader__rewind(r))
		b = model__from_reader(r, &lo);
	/* both read to the end (a refusal or no memory stops either anywhere) */
	if (a && b && sink_calls__first_diff(&full, &lean) != SIZE_MAX) {
		fprintf(stderr, "sinks-only model: call %zu differs from a full model's (%zu, %zu calls)\n",
			sink_calls__first_diff(&full, &lean), lean.n, full.n);
		abort();
	}
	model__free(a);
	model__free(b);
	sink_calls__free(&full);
	sink_calls__free(&lean);
}

/*
 * Critical paths walked while reading (the critical-path command's) and over a whole read
 * (render's): where the stream holds, the same path. The first two threads of m over their
 * lives, and the first over the middle third of the trace.
 */
static void critical_paths_streamed(struct trace_reader *r, const struct model *m)
{
	struct cp_collector *w = cp_collector__new(0, 0);
	struct model_opts wo = { 0 };
	struct model *b = NULL;
	uint64_t third = (m->end_ts - m->start_ts) / 3;

	if (w && (cp_collector__sinks(w, &wo), !trace_reader__rewind(r)))
		b = model__from_reader(r, &wo);
	for (size_t k = 0; b && k < 3; k++) {
		uint64_t from = k == 2 ? third : 0, to = k == 2 ? 2 * third : 0;
		struct critical_path *ps = NULL, *pw = NULL;
		struct model_opts so = { 0 };
		struct cp_collector *s;
		struct model *a = NULL;
		uint32_t tid;

		if ((k < 2 && k >= m->nthreads) || (k == 2 && !third))
			continue;
		tid = m->threads[k < 2 ? k : 0].tid;
		s = cp_collector__stream(tid, from, to, SIZE_MAX);
		if (s && (cp_collector__sinks(s, &so), !trace_reader__rewind(r)))
			a = model__from_reader(r, &so);
		if (a) {
			ps = cp_collector__stream_path(s, a);
			pw = cp_collector__path(w, b, tid, b->start_ts + from,
						to ? b->start_ts + to : b->end_ts);
		}
		if (ps && pw && !cp_same(ps, pw)) {
			fprintf(stderr, "critical path of %u: the stream's is not the whole read's\n", tid);
			abort();
		}
		critical_path__free(ps);
		critical_path__free(pw);
		model__free(a);
		cp_collector__free(s);
	}
	model__free(b);
	cp_collector__free(w);
}

/* The SVG of two reads, then of one (render's): when both draw, the same bytes. */
static void svg_same_in_one_read(struct trace_reader *r)
{
	char *two = NULL, *one = NULL;
	size_t two_len = 0, one_len = 0;
	FILE *a = open_memstream(&two, &two_len), *b = open_memstream(&one, &one_len);
	int ea, eb;

	if (!a || !b)
		abort();
	ea = svg_of_trace(r, NULL, a);
	eb = svg_of_trace_riding(r, NULL, b, NULL);
	fclose(a);
	fclose(b);
	if (!ea && !eb && (two_len != one_len || memcmp(two, one, two_len)))
		abort();
	free(two);
	free(one);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct trace_reader *r;
	struct graph *g;
	struct model_load *l;
	struct model *m;
	size_t len;
	void *buf;
	int err;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (size >= 8 && !memcmp(data, TRACE_MAGIC, 8)) {
		buf = malloc(size);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
		len = size;
	} else if (!(buf = write_trace(data, size, &len))) {
		return 0;
	}
	r = trace_reader__open_mem(buf, len, &err, NULL);
	if (!r) {
		free(buf);
		return 0;
	}
	m = model__from_reader(r, NULL);
	if (m) {
		report__text(m, trace_reader__meta(r), lang_find(size & 1 ? "ko" : "en"), sink);
		report__json(m, trace_reader__meta(r), sink);
		/* the communication graph as DOT (the SVG's panel is drawn by svg_of_trace below) */
		g = graph__new(NULL);
		if (g && !graph__build(g, m))
			graph_layout__dot(g, NULL, sink);
		graph__free(g);
		if (m->nthreads)
			critical_paths_streamed(r, m);
		model__free(m);
	}
	same_sink_calls(r);
	svg_same_in_one_read(r);
	perfetto_json_of_trace(r, NULL, sink);
	/* and Perfetto's protobuf trace, from a load of its own as export makes it */
	l = model_load__open(r, NULL, NULL);
	if (l)
		passes__perfetto(l, NULL, sink);
	model_load__free(l);
	trace_reader__free(r);
	free(buf);
	return 0;
}
