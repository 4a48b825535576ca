// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for the trace reader: any bytes must give an open error
 * or events from whole blocks and a status, never a crash, and a rewind must
 * give the same again.
 *
 * Inputs starting with 'R' are block payloads, not files: the harness wraps
 * each in a valid block (zlib, CRC, matching first_ts) so that the fuzzer
 * reaches the event decoder, which CRCs and zlib checksums otherwise guard.
 *   'R' u8 opts { u16 raw_len u16 nevents bytes }*
 * opts bit 0: add an end record; bit 1: make its event count one too many.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"

static uint64_t read_all(struct trace_reader *r)
{
	const struct ipct_hdr *e;
	uint64_t n = 0, sum = 0;

	while ((e = trace_reader__next(r)) != NULL) {
		size_t size = ipct_event_size(e->type);

		if (size == 0)
			__builtin_trap();
		/* touch every byte so ASan checks the whole event */
		for (size_t i = 0; i < size; i++)
			sum += ((const uint8_t *)e)[i];
		n++;
	}
	if (n != trace_reader__events_read(r))
		__builtin_trap();
	return n + (sum & 1);
}

static void check(const uint8_t *data, size_t size)
{
	struct trace_reader *r;
	const char *msg = NULL;
	enum trace_status s1;
	uint64_t n1, n2;
	int err = 0;

	r = trace_reader__open_mem(data, size, &err, &msg);
	if (!r) {
		if (err >= 0 || !msg || strchr(msg, '\n'))
			__builtin_trap();
		return;
	}
	n1 = read_all(r);
	s1 = trace_reader__status(r);
	if ((s1 == TRACE_OK) != (trace_reader__status_msg(r)[0] == '\0'))
		__builtin_trap();
	if (trace_reader__rewind(r))
		__builtin_trap();
	n2 = read_all(r);
	if (n1 != n2 || s1 != trace_reader__status(r))
		__builtin_trap();
	trace_reader__free(r);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint64_t varint(const uint8_t *p, size_t n, size_t *used)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			i++;
			break;
		}
	}
	*used = i;
	return v;
}

/* What the reader will take the first event's ts to be: see trace.c. */
static uint64_t first_ts(const uint8_t *p, size_t n)
{
	size_t used, skip;
	uint64_t main_len = varint(p, n, &used), v;

	skip = main_len > n - used ? n : used + main_len;
	v = varint(p + skip, n - skip, &used);
	return (v >> 1) ^ (0 - (v & 1));
}

static uint8_t file_hdr[8192];
static size_t file_hdr_len;

static void make_file_hdr(void)
{
	struct trace_meta meta = { .start_mono_ns = 1, .kernel = "fuzz" };
	int fd = memfd_create("hdr", 0);
	struct trace_writer *w = trace_writer__open_fd(fd, &meta, 1);
	ssize_t n;

	if (!w)
		abort();
	trace_writer__free(w);
	n = pread(fd, file_hdr, sizeof(file_hdr), 0);
	if (n <= 0)
		abort();
	file_hdr_len = n;
	close(fd);
}

static void check_payloads(const uint8_t *data, size_t size)
{
	size_t cap = file_hdr_len + 20, len = file_hdr_len, pos = 2;
	uint64_t total = 0;
	uint8_t *out;

	/* worst case: one block per 4 input bytes */
	cap += (size / 4 + 1) * (28 + compressBound(0)) + compressBound(size);
	out = malloc(cap);
	if (!out)
		abort();
	memcpy(out, file_hdr, file_hdr_len);
	while (pos + 4 <= size) {
		size_t raw_len = data[pos] | data[pos + 1] << 8;
		uint32_t nevents = data[pos + 2] | data[pos + 3] << 8;
		uLongf comp_len;
		uint8_t *b = out + len;

		pos += 4;
		if (raw_len > size - pos)
			raw_len = size - pos;
		comp_len = cap - len - 28 - 20;
		if (compress2(b + 28, &comp_len, data + pos, raw_len, 1) != Z_OK)
			abort();
		memcpy(b, "BLK1", 4);
		put32(b + 4, comp_len);
		put32(b + 8, raw_len);
		put32(b + 12, nevents);
		put64(b + 16, first_ts(data + pos, raw_len));
		put32(b + 24, crc32(0, b + 28, comp_len));
		len += 28 + comp_len;
		total += nevents;
		pos += raw_len;
	}
	if (size > 1 && (data[1] & 1)) {
		memcpy(out + len, "END1", 4);
		put32(out + len + 4, 12);
		put64(out + len + 8, total + ((data[1] >> 1) & 1));
		put32(out + len + 16, crc32(0, out + len + 4, 12));
		len += 20;
	}
	check(out, len);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!file_hdr_len)
		make_file_hdr();
	if (size > 0 && data[0] == 'R')
		check_payloads(data, size);
	else
		check(data, size);
	return 0;
}
