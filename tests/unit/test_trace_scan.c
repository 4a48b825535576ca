// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace_reader__scan_times: the span a read of the trace will find, guessed
 * from the first and last block without reading the others. The oracle is
 * the read itself (the oldest and newest event trace_reader__next returns),
 * on whole traces, traces cut at every byte and traces with a damaged block.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "trace.h"

#define SC_T0 5000000000ull
#define SC_BLOCKS 6
#define SC_PER_BLOCK 40

static const struct trace_meta sc_meta = { .start_mono_ns = SC_T0, .kernel = "6.18.0-test",
					   .host = "scan", .arch = "x86_64" };

/*
 * SC_BLOCKS blocks of SC_PER_BLOCK write calls, 1 us apart; in each block
 * one event (the third) is 700 ns older than the block's first and one (the
 * tenth from the end) is the block's newest, 900 ns past its last: neither
 * the oldest nor the newest event sits at a block's edge.
 */
static uint8_t *sc_trace(size_t *len, size_t *block_off)
{
	int fd = memfd_create("scan", 0);
	struct trace_writer *w;
	uint64_t ts = SC_T0 + 1000;
	uint8_t *buf;
	off_t end;

	cr_assert_geq(fd, 0);
	w = trace_writer__open_fd(fd, &sc_meta, 1);
	cr_assert_not_null(w);
	for (int b = 0; b < SC_BLOCKS; b++) {
		uint64_t first = ts;

		block_off[b] = trace_writer__bytes(w);
		for (int i = 0; i < SC_PER_BLOCK; i++, ts += 1000) {
			struct ipct_syscall e = { 0 };

			e.h.type = IPCT_EV_SYSCALL;
			e.h.pid = e.h.tid = 100;
			e.h.ts = i == 2 ? first - 700 : i == SC_PER_BLOCK - 10 ? first + SC_PER_BLOCK * 1000 + 900 : ts;
			e.enter_ts = e.h.ts - 100;
			e.op = IPCT_OP_WRITE;
			e.nr = 1;
			e.ret = 8;
			cr_assert_eq(trace_writer__add(w, &e.h), 0);
		}
		cr_assert_eq(trace_writer__flush(w), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	end = lseek(fd, 0, SEEK_END);
	buf = malloc((size_t)end);
	cr_assert_eq(pread(fd, buf, (size_t)end, 0), end);
	close(fd);
	*len = (size_t)end;
	return buf;
}

/* The oldest and newest event a read to the end returns: false when it returns none. */
static bool read_span(struct trace_reader *r, uint64_t *first, uint64_t *last)
{
	const struct ipct_hdr *e;
	bool any = false;

	while ((e = trace_reader__next(r)) != NULL) {
		if (!any || e->ts < *first)
			*first = e->ts;
		if (!any || e->ts > *last)
			*last = e->ts;
		any = true;
	}
	return any;
}

static struct trace_reader *sc_open(const uint8_t *buf, size_t len, bool file)
{
	struct trace_reader *r;
	char path[64];
	int fd;

	if (!file)
		return trace_reader__open_mem(buf, len, NULL, NULL);
	fd = memfd_create("scan-src", 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = trace_reader__open_path(path, NULL, NULL);
	close(fd);
	return r;
}

Test(trace_scan, whole_trace_spans_what_the_read_finds)
{
	size_t len, off[SC_BLOCKS];
	uint8_t *buf = sc_trace(&len, off);

	for (int file = 0; file < 2; file++) {
		struct trace_reader *r = sc_open(buf, len, file);
		uint64_t sf = 0, sl = 0, rf = 0, rl = 0;

		cr_assert_not_null(r);
		cr_assert_eq(trace_reader__scan_times(r, &sf, &sl), 0);
		cr_assert(read_span(r, &rf, &rl));
		/* by construction: the first block's third event, the last block's tenth from the end */
		cr_assert_eq(rf, SC_T0 + 1000 - 700);
		cr_assert_eq(rl, SC_T0 + 1000 + (SC_BLOCKS - 1) * SC_PER_BLOCK * 1000ull +
				 SC_PER_BLOCK * 1000 + 900);
		cr_assert_eq(sf, rf, "file %d: first %lu, read %lu", file, sf, rf);
		cr_assert_eq(sl, rl, "file %d: last %lu, read %lu", file, sl, rl);
		trace_reader__free(r);
	}
	free(buf);
}

Test(trace_scan, cut_at_every_byte_spans_what_the_read_finds)
{
	size_t len, off[SC_BLOCKS];
	uint8_t *buf = sc_trace(&len, off);

	for (size_t cut = off[0]; cut <= len; cut++) {
		/* a copy of exactly cut bytes, so ASan sees any read past them */
		uint8_t *copy = malloc(cut);
		struct trace_reader *r;
		uint64_t sf = 0, sl = 0, rf = 0, rl = 0;
		int err;
		bool any;

		memcpy(copy, buf, cut);
		r = sc_open(copy, cut, cut % 2);
		cr_assert_not_null(r, "cut %zu", cut);
		err = trace_reader__scan_times(r, &sf, &sl);
		any = read_span(r, &rf, &rl);
		cr_assert_eq(err, any ? 0 : -ENODATA, "cut %zu: %d", cut, err);
		if (any) {
			cr_assert_eq(sf, rf, "cut %zu", cut);
			cr_assert_eq(sl, rl, "cut %zu", cut);
		}
		trace_reader__free(r);
		free(copy);
	}
	free(buf);
}

Test(trace_scan, damaged_last_block_spans_the_blocks_before_it)
{
	size_t len, off[SC_BLOCKS];
	uint8_t *buf = sc_trace(&len, off);
	struct trace_reader *r;
	uint64_t sf = 0, sl = 0, rf = 0, rl = 0;

	/* a byte of the last block's compressed data: its CRC fails, the read stops before it */
	buf[off[SC_BLOCKS - 1] + 40] ^= 0x55;
	r = sc_open(buf, len, false);
	cr_assert_eq(trace_reader__scan_times(r, &sf, &sl), 0);
	cr_assert(read_span(r, &rf, &rl));
	cr_assert_eq(trace_reader__status(r), TRACE_CORRUPT);
	cr_assert_eq(sf, rf);
	cr_assert_eq(sl, rl);
	trace_reader__free(r);
	free(buf);
}

Test(trace_scan, damaged_middle_block_is_a_guess_the_read_disproves)
{
	size_t len, off[SC_BLOCKS];
	uint8_t *buf = sc_trace(&len, off);
	struct trace_reader *r;
	uint64_t sf = 0, sl = 0, rf = 0, rl = 0;

	/* headers are walked, not checked: the read stops at block 2, the guess says block 5 */
	buf[off[2] + 40] ^= 0x55;
	r = sc_open(buf, len, true);
	cr_assert_eq(trace_reader__scan_times(r, &sf, &sl), 0);
	cr_assert(read_span(r, &rf, &rl));
	cr_assert_eq(sf, rf);
	cr_assert_gt(sl, rl, "the caller must check the guess against the read");
	trace_reader__free(r);
	free(buf);
}

Test(trace_scan, a_scan_between_reads_leaves_the_read_where_it_was)
{
	size_t len, off[SC_BLOCKS], n = 0;
	uint8_t *buf = sc_trace(&len, off);
	struct trace_reader *r = sc_open(buf, len, true);
	uint64_t sf, sl;

	trace_reader__set_threads(r, 2);
	for (int i = 0; i < SC_PER_BLOCK + 5; i++, n++)
		cr_assert_not_null(trace_reader__next(r));
	cr_assert_eq(trace_reader__scan_times(r, &sf, &sl), 0);
	while (trace_reader__next(r))
		n++;
	cr_assert_eq(n, (size_t)SC_BLOCKS * SC_PER_BLOCK);
	cr_assert_eq(trace_reader__status(r), TRACE_OK);
	trace_reader__free(r);
	free(buf);
}

Test(trace_scan, no_whole_block_no_guess)
{
	size_t len, off[SC_BLOCKS];
	uint8_t *buf = sc_trace(&len, off);
	struct trace_reader *r;
	uint64_t sf, sl;

	/* the first block damaged: the read gets nothing, nor does the scan */
	buf[off[0] + 40] ^= 0x55;
	r = sc_open(buf, len, false);
	cr_assert_eq(trace_reader__scan_times(r, &sf, &sl), -ENODATA);
	cr_assert_null(trace_reader__next(r));
	trace_reader__free(r);
	free(buf);
}
