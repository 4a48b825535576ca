// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The memory limit for reading a trace (common/memlimit.c) as the model applies it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "model.h"
#include "trace.h"

/* A trace of 70,000 one-call pipes: past the first memory check (every 65,536 events). */
static void *pipes_trace(size_t *len)
{
	struct trace_meta meta = { .start_mono_ns = 1000000000ull };
	int fd = memfd_create("pipes", 0);
	struct trace_writer *w = trace_writer__open_fd(fd, &meta, 1);
	uint64_t ts = meta.start_mono_ns;
	void *buf;

	cr_assert_not_null(w);
	for (uint64_t i = 0; i < 70000; i++, ts += 1000) {
		struct ipct_syscall c = { .h = { .type = IPCT_EV_SYSCALL, .ts = ts + 500, .pid = 7, .tid = 7 },
					  .enter_ts = ts, .ret = 8, .arg = 8, .fd = 3, .chan = 0x1000 + i,
					  .op = IPCT_OP_WRITE, .nr = 1 };

		cr_assert_eq(trace_writer__add(w, &c.h), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	*len = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(*len);
	cr_assert_eq(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

/* The model of the pipes trace under IPCTRACE_MEMORY_MB=mb: the whole, or the window of
 * calls 1 to 68,999 (from, to: 0 = the whole). errno EFBIG when refused. */
static struct model *read_pipes(const char *mb, uint64_t from, uint64_t to)
{
	size_t len;
	void *buf = pipes_trace(&len);
	struct trace_reader *r = trace_reader__open_mem(buf, len, NULL, NULL);
	struct model *m;

	cr_assert_not_null(r);
	setenv("IPCTRACE_MEMORY_MB", mb, 1);
	errno = 0;
	m = model__from_reader_window(r, NULL, from, to);
	trace_reader__free(r);
	free(buf);
	return m;
}

#define WINDOW_FROM (1000000000ull + 1000)
#define WINDOW_TO (1000000000ull + 69000000ull)

/* Issue 16: a trace that needs more memory than allowed is refused, with what it held. */
Test(memlimit, refused_past_the_limit)
{
	cr_assert_null(read_pipes("1", 0, 0));
	cr_assert_eq(errno, EFBIG);
	cr_assert_eq(model__refusal()->limit, 1u << 20);
	cr_assert_eq(model__refusal()->events, 65536);
	cr_assert_eq(model__refusal()->threads, 1);
	cr_assert_gt(model__refusal()->rss, 1u << 20);
}

Test(memlimit, none_when_set_to_0)
{
	struct model *m = read_pipes("0", 0, 0);

	cr_assert_not_null(m);
	cr_assert_eq(m->events, 70000);
	model__free(m);
}

/* A --from/--to window is read again on its own: that read is held to the limit too. */
Test(memlimit, a_window_read_is_refused_too)
{
	cr_assert_null(read_pipes("1", WINDOW_FROM, WINDOW_TO));
	cr_assert_eq(errno, EFBIG);
	cr_assert_eq(model__refusal()->events, 65536);
}

/* (The limit is read once per process: the window read without one is a test of its own.) */
Test(memlimit, a_window_read_without_a_limit_reads_the_window)
{
	struct model *m = read_pipes("0", WINDOW_FROM, WINDOW_TO);

	cr_assert_not_null(m);
	/* call i ends at start + 1000 i + 500: calls 1 to 68999 end inside the window */
	cr_assert_eq(m->events, 68999, "%llu events", (unsigned long long)m->events);
	model__free(m);
}
