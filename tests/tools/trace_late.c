// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test tool: a trace whose events of one thread come late, as the kernel's
 * ring gives them when that thread's switch-ins go unreported (its SLEEP
 * comes at its next syscall) or a CPU's events are read after another's.
 * Every event of TID is written N events later than it was read, in its own
 * order; the others keep theirs. Written apart from ipctrace's code, so a
 * test can show what a reader of the rewritten trace must cope with.
 *
 *   trace_late IN OUT TID N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

struct held {
	size_t due;            /* written when this many events have been read */
	union {
		struct ipct_hdr h;
		uint8_t b[IPCT_EVENT_MAX];
	} ev;
};

int main(int argc, char **argv)
{
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_meta meta;
	const struct ipct_hdr *e;
	const char *msg = "";
	struct held *q;
	size_t n, head = 0, count = 0, i = 0;
	unsigned long tid;
	int err = 0, fd;

	if (argc != 5 || (tid = strtoul(argv[3], NULL, 10)) == 0 ||
	    (n = strtoul(argv[4], NULL, 10)) == 0) {
		fprintf(stderr, "usage: trace_late IN OUT TID N\n");
		return 2;
	}
	q = calloc(n + 1, sizeof(*q));
	r = trace_reader__open_path(argv[1], &err, &msg);
	if (!r || !q) {
		fprintf(stderr, "trace_late: %s: %s\n", argv[1], msg);
		return 1;
	}
	meta = *trace_reader__meta(r);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	w = fd < 0 ? NULL : trace_writer__open_fd(fd, &meta, 1);
	if (!w) {
		fprintf(stderr, "trace_late: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	/* TID's events wait in a ring (at most N: each is due N reads after it came) */
	while (!err && (e = trace_reader__next(r)) != NULL) {
		i++;
		while (!err && count && q[head].due <= i) {
			err = trace_writer__add(w, &q[head].ev.h);
			head = (head + 1) % (n + 1);
			count--;
		}
		if (err)
			break;
		if (e->tid != tid) {
			err = trace_writer__add(w, e);
			continue;
		}
		q[(head + count) % (n + 1)].due = i + n;
		memcpy(q[(head + count) % (n + 1)].ev.b, e, ipct_event_size(e->type));
		count++;
	}
	while (!err && count) {
		err = trace_writer__add(w, &q[head].ev.h);
		head = (head + 1) % (n + 1);
		count--;
	}
	if (!err && trace_reader__status(r) != TRACE_OK) {
		fprintf(stderr, "trace_late: %s: %s\n", argv[1], trace_reader__status_msg(r));
		err = -EIO;
	}
	if (err) {
		trace_writer__free(w);
		return 1;
	}
	err = trace_writer__close(w);
	trace_reader__free(r);
	free(q);
	if (err || close(fd)) {
		fprintf(stderr, "trace_late: writing %s failed\n", argv[2]);
		return 1;
	}
	return 0;
}
