// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test tool: a trace as another machine's clock would have stamped it.
 * Every timestamp t (0 stays 0: "unknown") becomes
 *   t + OFFSET_NS + DRIFT_PPM * 1e-6 * (t - ANCHOR_NS)
 * (ANCHOR_NS defaults to the trace's start), the header's start with it.
 * Written apart from ipctrace's own merge code, so a test can hold the one
 * against the other.
 *
 *   trace_retime IN OUT OFFSET_NS DRIFT_PPM [ANCHOR_NS]
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

static long double off, drift, anchor;

static uint64_t shift(uint64_t t)
{
	return t ? (uint64_t)llroundl(t + off + drift * ((long double)t - anchor)) : 0;
}

int main(int argc, char **argv)
{
	union {
		struct ipct_hdr h;
		uint8_t b[IPCT_EVENT_MAX];
	} ev;
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_meta meta;
	const struct ipct_hdr *e;
	const char *msg = "";
	int err = 0, fd;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: trace_retime IN OUT OFFSET_NS DRIFT_PPM [ANCHOR_NS]\n");
		return 2;
	}
	r = trace_reader__open_path(argv[1], &err, &msg);
	if (!r) {
		fprintf(stderr, "trace_retime: %s: %s\n", argv[1], msg);
		return 1;
	}
	meta = *trace_reader__meta(r);
	off = strtold(argv[3], NULL);
	drift = strtold(argv[4], NULL) * 1e-6L;
	anchor = argc == 6 ? strtold(argv[5], NULL) : (long double)meta.start_mono_ns;
	meta.start_mono_ns = shift(meta.start_mono_ns);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	w = fd < 0 ? NULL : trace_writer__open_fd(fd, &meta, 1);
	if (!w) {
		fprintf(stderr, "trace_retime: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	while (!err && (e = trace_reader__next(r)) != NULL) {
		memcpy(ev.b, e, ipct_event_size(e->type));
		ev.h.ts = shift(ev.h.ts);
		if (e->type == IPCT_EV_SYSCALL) {
			struct ipct_syscall *s = (void *)ev.b;

			s->enter_ts = shift(s->enter_ts);
		} else if (e->type == IPCT_EV_SLEEP) {
			struct ipct_sleep *s = (void *)ev.b;

			s->out_ts = shift(s->out_ts);
			s->wake_ts = shift(s->wake_ts);
		} else if (e->type == IPCT_EV_LOST) {
			struct ipct_lost *l = (void *)ev.b;

			l->first_ts = shift(l->first_ts);
		}
		err = trace_writer__add(w, &ev.h);
	}
	if (!err && trace_reader__status(r) != TRACE_OK) {
		fprintf(stderr, "trace_retime: %s: %s\n", argv[1], trace_reader__status_msg(r));
		err = -EIO;
	}
	if (err) {
		trace_writer__free(w);
		return 1;
	}
	err = trace_writer__close(w);
	trace_reader__free(r);
	if (err || close(fd)) {
		fprintf(stderr, "trace_retime: writing %s failed\n", argv[2]);
		return 1;
	}
	return 0;
}
