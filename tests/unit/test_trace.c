// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"

union tev {
	struct ipct_hdr h;
	struct ipct_syscall sc;
	struct ipct_sleep sl;
	struct ipct_wakeup wk;
	struct ipct_task tk;
	struct ipct_proc pr;
	struct ipct_chan ch;
	struct ipct_lost lo;
	struct ipct_window wn;
	struct ipct_map mp;
	struct ipct_cmdline cl;
	uint8_t b[IPCT_EVENT_MAX];
};

struct evlist {
	union tev *ev;
	size_t n, cap;
};

static union tev *evl_new(struct evlist *l, unsigned type)
{
	union tev *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->ev = realloc(l->ev, l->cap * sizeof(*l->ev));
		cr_assert_not_null(l->ev);
	}
	e = &l->ev[l->n++];
	memset(e, 0, sizeof(*e));
	e->h.type = type;
	return e;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A random value of random magnitude: small numbers, huge ones, extremes. */
static uint64_t rnd_val(void)
{
	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX - rnd() % 3;
	case 2:
		return rnd() % 128;
	case 3:
		return -(rnd() % 1000);
	default:
		return rnd() >> (rnd() % 64);
	}
}

static void rnd_bytes(char *s, size_t n)
{
	size_t len = rnd() % (n + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = rnd(); /* any byte, NULs and controls included */
}

static const unsigned all_types[] = {
	IPCT_EV_SYSCALL, IPCT_EV_SLEEP, IPCT_EV_WAKEUP, IPCT_EV_FORK, IPCT_EV_EXEC,
	IPCT_EV_EXIT, IPCT_EV_COMM, IPCT_EV_CHAN, IPCT_EV_TASK, IPCT_EV_LOST,
	IPCT_EV_WINDOW, IPCT_EV_MAP, IPCT_EV_CMDLINE,
};
#define NTYPES (sizeof(all_types) / sizeof(all_types[0]))

/* Fill every field of an event of its type with v(), pads left zero. */
static void fill_event(union tev *e, uint64_t (*v)(void), bool random_names)
{
	e->h.ts = v();
	e->h.pid = v();
	e->h.tid = v();
	e->h.flags = v();
	e->h.cpu = v();
	switch (e->h.type) {
	case IPCT_EV_SYSCALL:
		e->sc.enter_ts = v();
		e->sc.ret = v();
		e->sc.chan = v();
		e->sc.chan2 = v();
		e->sc.arg = v();
		e->sc.fd = v();
		e->sc.nr = v();
		e->sc.op = v();
		break;
	case IPCT_EV_SLEEP:
		e->sl.out_ts = v();
		e->sl.wake_ts = v();
		e->sl.chan = v();
		e->sl.waker_chan = v();
		e->sl.waker_pid = v();
		e->sl.waker_tid = v();
		e->sl.state = v();
		e->sl.nr = v();
		e->sl.op = v();
		e->sl.waker_op = v();
		break;
	case IPCT_EV_WAKEUP:
		e->wk.chan = v();
		e->wk.wakee_pid = v();
		e->wk.wakee_tid = v();
		e->wk.op = v();
		if (random_names)
			rnd_bytes(e->wk.wakee_comm, sizeof(e->wk.wakee_comm));
		else
			memset(e->wk.wakee_comm, v(), sizeof(e->wk.wakee_comm));
		break;
	case IPCT_EV_FORK:
	case IPCT_EV_TASK:
		e->tk.child_pid = v();
		e->tk.child_tid = v();
		if (random_names)
			rnd_bytes(e->tk.comm, sizeof(e->tk.comm));
		else
			memset(e->tk.comm, v(), sizeof(e->tk.comm));
		break;
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
	case IPCT_EV_COMM:
		e->pr.exit_code = v();
		if (random_names) {
			rnd_bytes(e->pr.comm, sizeof(e->pr.comm));
			rnd_bytes(e->pr.name, sizeof(e->pr.name));
		} else {
			memset(e->pr.comm, v(), sizeof(e->pr.comm));
			memset(e->pr.name, v(), sizeof(e->pr.name));
		}
		break;
	case IPCT_EV_CHAN:
		e->ch.chan = v();
		e->ch.peer = v();
		e->ch.ino = v();
		e->ch.dev = v();
		e->ch.kind = v();
		e->ch.family = v();
		for (int i = 0; i < 4; i++) {
			e->ch.saddr[i] = v();
			e->ch.daddr[i] = v();
		}
		e->ch.sport = v();
		e->ch.dport = v();
		if (random_names)
			rnd_bytes(e->ch.name, sizeof(e->ch.name));
		else
			memset(e->ch.name, v(), sizeof(e->ch.name));
		break;
	case IPCT_EV_LOST:
		e->lo.first_ts = v();
		e->lo.count = v();
		break;
	case IPCT_EV_MAP:
		e->mp.chan = v();
		e->mp.addr = v();
		e->mp.len = v();
		e->mp.prot = v();
		break;
	case IPCT_EV_CMDLINE:
		/* argv bytes past len are not kept: the event's len says how many count */
		e->cl.len = v() % (sizeof(e->cl.args) + 1);
		if (random_names) {
			rnd_bytes(e->cl.exe, sizeof(e->cl.exe));
			rnd_bytes(e->cl.args, e->cl.len);
		} else {
			memset(e->cl.exe, v(), sizeof(e->cl.exe));
			memset(e->cl.args, v(), e->cl.len);
		}
		break;
	}
}

static uint64_t v_zero(void) { return 0; }
static uint64_t v_max(void) { return UINT64_MAX; }
static uint64_t v_min_signed(void) { return 1ull << 63; }
static uint64_t v_int_min(void) { return (uint64_t)(int64_t)INT32_MIN; }
static uint64_t v_one(void) { return 1; }

static void add_random(struct evlist *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fill_event(evl_new(l, all_types[rnd() % NTYPES]), rnd_val, true);
}

static const struct trace_meta test_meta = {
	.start_mono_ns = 123456789,
	.start_real_ns = UINT64_MAX,
	.flags = 0xdeadbeef,
	.kernel = "6.18.0-test",
	.host = "host\x01\x7f\xff",
	.arch = "x86_64",
	.cmdline = "ipctrace -- sh -c 'a | b'",
};

/* The whole content of an fd, from offset 0. */
static uint8_t *slurp(int fd, size_t *len)
{
	struct stat st;
	uint8_t *buf;

	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(pread(fd, buf, st.st_size, 0), st.st_size);
	*len = st.st_size;
	return buf;
}

/*
 * Write the events to a memfd, flushing a block every `per_block` events
 * (0 = only when full). ends[i] = file size after block i, cnt[i] = events
 * in blocks 0..i. Returns the file bytes.
 */
static uint8_t *write_trace(const struct evlist *l, size_t per_block, int level, bool close_it,
			    size_t *len, uint64_t *ends, uint64_t *cnt, size_t *nblocks)
{
	int fd = memfd_create("trace", 0);
	struct trace_writer *w;
	size_t nb = 0;
	uint8_t *buf;

	cr_assert_geq(fd, 0);
	w = trace_writer__open_fd(fd, &test_meta, level);
	cr_assert_not_null(w, "open_fd: %s", strerror(errno));
	for (size_t i = 0; i < l->n; i++) {
		cr_assert_eq(trace_writer__add(w, &l->ev[i].h), 0);
		if (per_block && (i + 1) % per_block == 0) {
			cr_assert_eq(trace_writer__flush(w), 0);
			if (ends) {
				ends[nb] = trace_writer__bytes(w);
				cnt[nb] = i + 1;
			}
			nb++;
		}
	}
	cr_assert_eq(trace_writer__events(w), l->n);
	if (close_it) {
		cr_assert_eq(trace_writer__close(w), 0);
	} else {
		cr_assert_eq(trace_writer__flush(w), 0);
		trace_writer__free(w);
	}
	if (nblocks)
		*nblocks = nb;
	buf = slurp(fd, len);
	close(fd);
	return buf;
}

/* Open len bytes from memory, or streamed from a file holding them. */
static struct trace_reader *open_src(const uint8_t *buf, size_t len, bool file, int *err,
				     const char **msg)
{
	struct trace_reader *r;
	char path[64];
	int fd;

	if (!file)
		return trace_reader__open_mem(buf, len, err, msg);
	fd = memfd_create("src", 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = trace_reader__open_path(path, err, msg);
	close(fd);
	return r;
}

static void assert_event_eq(const struct ipct_hdr *got, const union tev *want, size_t i)
{
	size_t size = ipct_event_size(want->h.type);

	cr_assert_neq(size, 0);
	cr_assert_eq(got->type, want->h.type, "event %zu: type %u, want %u", i, got->type, want->h.type);
	cr_assert(memcmp(got, want, size) == 0, "event %zu (type %u) differs", i, want->h.type);
}

/* Read all events and compare them with the first ones of l; returns how many. */
static size_t read_compare(struct trace_reader *r, const struct evlist *l)
{
	const struct ipct_hdr *e;
	size_t n = 0;

	while ((e = trace_reader__next(r)) != NULL) {
		cr_assert_lt(n, l->n, "more events read than written");
		assert_event_eq(e, &l->ev[n], n);
		n++;
	}
	cr_assert_eq(trace_reader__events_read(r), n);
	return n;
}

static void assert_meta_eq(const struct trace_meta *m)
{
	cr_assert_eq(m->start_mono_ns, test_meta.start_mono_ns);
	cr_assert_eq(m->start_real_ns, test_meta.start_real_ns);
	cr_assert_eq(m->flags, test_meta.flags);
	cr_assert_str_eq(m->kernel, test_meta.kernel);
	cr_assert_str_eq(m->host, test_meta.host);
	cr_assert_str_eq(m->arch, test_meta.arch);
	cr_assert_str_eq(m->cmdline, test_meta.cmdline);
}

Test(trace, event_sizes)
{
	cr_assert_eq(ipct_event_size(IPCT_EV_SYSCALL), sizeof(struct ipct_syscall));
	cr_assert_eq(ipct_event_size(IPCT_EV_SLEEP), sizeof(struct ipct_sleep));
	cr_assert_eq(ipct_event_size(IPCT_EV_WAKEUP), sizeof(struct ipct_wakeup));
	cr_assert_eq(ipct_event_size(IPCT_EV_FORK), sizeof(struct ipct_task));
	cr_assert_eq(ipct_event_size(IPCT_EV_TASK), sizeof(struct ipct_task));
	cr_assert_eq(ipct_event_size(IPCT_EV_EXEC), sizeof(struct ipct_proc));
	cr_assert_eq(ipct_event_size(IPCT_EV_EXIT), sizeof(struct ipct_proc));
	cr_assert_eq(ipct_event_size(IPCT_EV_COMM), sizeof(struct ipct_proc));
	cr_assert_eq(ipct_event_size(IPCT_EV_CHAN), sizeof(struct ipct_chan));
	cr_assert_eq(ipct_event_size(IPCT_EV_LOST), sizeof(struct ipct_lost));
	cr_assert_eq(ipct_event_size(IPCT_EV_WINDOW), sizeof(struct ipct_window));
	cr_assert_eq(ipct_event_size(IPCT_EV_MAP), sizeof(struct ipct_map));
	cr_assert_eq(ipct_event_size(IPCT_EV_CMDLINE), sizeof(struct ipct_cmdline));
	cr_assert_eq(ipct_event_size(0), 0);
	cr_assert_eq(ipct_event_size(IPCT_EV_MAX), 0);
	cr_assert_eq(ipct_event_size(255), 0);
}

Test(trace, unknown_type_rejected)
{
	int fd = memfd_create("trace", 0);
	struct trace_writer *w = trace_writer__open_fd(fd, NULL, -1);
	union tev e = { .h.type = IPCT_EV_MAX };

	cr_assert_not_null(w);
	cr_assert_eq(trace_writer__add(w, &e.h), -EINVAL);
	e.h.type = 0;
	cr_assert_eq(trace_writer__add(w, &e.h), -EINVAL);
	cr_assert_eq(trace_writer__events(w), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	errno = 0;
	cr_assert_null(trace_writer__open_fd(fd, NULL, 10));
	cr_assert_eq(errno, EINVAL);
	close(fd);
}

Test(trace, roundtrip_extremes)
{
	uint64_t (*vals[])(void) = { v_zero, v_max, v_min_signed, v_int_min, v_one, v_max, v_zero };
	struct evlist l = {};
	struct trace_reader *r;
	const char *msg = NULL;
	size_t len;
	uint8_t *buf;
	int err = 0;

	for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
		for (size_t t = 0; t < NTYPES; t++)
			fill_event(evl_new(&l, all_types[t]), vals[v], false);
	/* the same values again in a different order, so deltas swing both ways */
	for (size_t t = 0; t < NTYPES; t++)
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
			fill_event(evl_new(&l, all_types[t]), vals[v], false);
	/* ts of 0 next to the related timestamps at their "0 stays 0" edge */
	union tev *e = evl_new(&l, IPCT_EV_SLEEP);
	e->h.ts = 5;
	e->sl.out_ts = 5;
	e->sl.wake_ts = 0;
	e = evl_new(&l, IPCT_EV_LOST);
	e->h.ts = 0;
	e->lo.first_ts = 1;

	buf = write_trace(&l, 0, -1, true, &len, NULL, NULL, NULL);
	r = trace_reader__open_mem(buf, len, &err, &msg);
	cr_assert_not_null(r, "open: %d %s", err, msg);
	assert_meta_eq(trace_reader__meta(r));
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK, "%s", trace_reader__status_msg(r));
	cr_assert_str_eq(trace_reader__status_msg(r), "");
	cr_assert_eq(trace_reader__blocks(r), 1);
	trace_reader__free(r);
	free(buf);
	free(l.ev);
}

Test(trace, roundtrip_random_many_blocks_path)
{
	char path[] = "/tmp/ipctrace-test-XXXXXX";
	struct evlist l = {};
	struct trace_reader *r;
	const char *msg = NULL;
	uint64_t raw_total = 0;
	size_t len;
	uint8_t *buf;
	int err = 0, fd;

	add_random(&l, 60000);
	for (size_t i = 0; i < l.n; i++)
		raw_total += ipct_event_size(l.ev[i].h.type);
	buf = write_trace(&l, 0, 1, true, &len, NULL, NULL, NULL);

	r = trace_reader__open_mem(buf, len, &err, &msg);
	cr_assert_not_null(r, "open: %d %s", err, msg);
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK, "%s", trace_reader__status_msg(r));
	/* the writer must have cut blocks by itself: at least raw/target of them */
	cr_assert_geq(trace_reader__blocks(r), 3, "only %llu blocks for %llu raw bytes",
		      (unsigned long long)trace_reader__blocks(r), (unsigned long long)raw_total);
	trace_reader__free(r);

	/* the same file streamed from disk */
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	r = trace_reader__open_path(path, &err, &msg);
	cr_assert_not_null(r, "open_path: %d %s", err, msg);
	assert_meta_eq(trace_reader__meta(r));
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK, "%s", trace_reader__status_msg(r));
	cr_assert_eq(trace_reader__rewind(r), 0);
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK);
	trace_reader__free(r);
	unlink(path);
	free(buf);
	free(l.ev);
}

Test(trace, open_path_from_pipe)
{
	struct evlist l = {};
	struct trace_reader *r;
	const char *msg = NULL;
	char path[64];
	int p[2], err = 0;
	size_t len;
	uint8_t *buf;

	add_random(&l, 50);
	buf = write_trace(&l, 10, -1, true, &len, NULL, NULL, NULL);
	cr_assert_lt(len, 60000, "must fit in the pipe buffer");
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], buf, len), (ssize_t)len);
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	r = trace_reader__open_path(path, &err, &msg);
	cr_assert_not_null(r, "open_path: %d %s", err, msg);
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK);
	cr_assert_eq(trace_reader__rewind(r), 0);
	cr_assert_eq(read_compare(r, &l), l.n);
	trace_reader__free(r);
	close(p[0]);
	free(buf);
	free(l.ev);
}

/* A small trace of several blocks, for the every-byte tests. */
#define SMALL_EVENTS 60
#define SMALL_PER_BLOCK 12
#define SMALL_BLOCKS (SMALL_EVENTS / SMALL_PER_BLOCK)

static uint8_t *small_trace(struct evlist *l, size_t *len, uint64_t *ends, uint64_t *cnt,
			    size_t *hdr_len)
{
	size_t nb;
	uint8_t *buf;
	int fd;
	struct trace_writer *w;

	add_random(l, SMALL_EVENTS);
	buf = write_trace(l, SMALL_PER_BLOCK, -1, true, len, ends, cnt, &nb);
	cr_assert_eq(nb, SMALL_BLOCKS);
	/* header length: what an empty writer writes */
	fd = memfd_create("hdr", 0);
	w = trace_writer__open_fd(fd, &test_meta, -1);
	cr_assert_not_null(w);
	*hdr_len = trace_writer__bytes(w);
	trace_writer__free(w);
	close(fd);
	return buf;
}

Test(trace, truncated_at_every_byte)
{
	uint64_t ends[SMALL_BLOCKS], cnt[SMALL_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len;
	uint8_t *buf = small_trace(&l, &len, ends, cnt, &hdr_len);

	for (size_t i = 0; i <= 2 * len + 1; i++) {
		/* every cut from memory, then every cut streamed from a file */
		bool file = i > len;
		size_t cut = file ? i - len - 1 : i;
		/* a fresh copy of exactly cut bytes, so ASan sees any overread */
		uint8_t *copy = malloc(cut ? cut : 1);
		struct trace_reader *r;
		struct trace_reading rd;
		const char *msg = NULL;
		size_t want = 0, nblk = 0;
		int err = 0;

		memcpy(copy, buf, cut);
		r = open_src(copy, cut, file, &err, &msg);
		if (cut < hdr_len) {
			cr_assert_null(r, "cut %zu: header cut but opened", cut);
			cr_assert_lt(err, 0);
			cr_assert_not_null(msg);
			cr_assert(cut == 0 ? strstr(msg, "empty") != NULL
					   : strstr(msg, "cut off") != NULL,
				  "cut %zu: %s", cut, msg);
			free(copy);
			continue;
		}
		cr_assert_not_null(r, "cut %zu: %s", cut, msg);
		for (size_t b = 0; b < SMALL_BLOCKS; b++) {
			if (ends[b] <= cut) {
				want = cnt[b];
				nblk = b + 1;
			}
		}
		cr_assert_eq(read_compare(r, &l), want, "cut %zu", cut);
		cr_assert_eq(trace_reader__blocks(r), nblk);
		if (cut == len) {
			cr_assert_eq(trace_reader__status(r), TRACE_OK, "%s",
				     trace_reader__status_msg(r));
		} else {
			char expect[128];

			cr_assert_eq(trace_reader__status(r), TRACE_TRUNCATED, "cut %zu: %d %s", cut,
				     trace_reader__status(r), trace_reader__status_msg(r));
			if (nblk)
				snprintf(expect, sizeof(expect),
					 "trace cut off after block %zu (no end record): read %zu events",
					 nblk, want);
			else
				snprintf(expect, sizeof(expect),
					 "trace cut off after its header (no end record): read 0 events");
			cr_assert_str_eq(trace_reader__status_msg(r), expect);
			trace_reader__reading(r, &rd);
			cr_assert_str_eq(rd.status, "truncated");
			cr_assert_str_eq(rd.message, expect);
			cr_assert_eq(rd.events_read, want);
		}
		trace_reader__free(r);
		free(copy);
	}
	free(buf);
	free(l.ev);
}

Test(trace, flipped_byte_everywhere)
{
	uint64_t ends[SMALL_BLOCKS], cnt[SMALL_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len;
	uint8_t *buf = small_trace(&l, &len, ends, cnt, &hdr_len);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };

	for (size_t pos = 0; pos < len; pos++) {
		for (size_t m = 0; m < 2 * sizeof(masks); m++) {
			uint8_t *copy = malloc(len);
			struct trace_reader *r;
			const char *msg = NULL;
			size_t want = l.n, blk = SMALL_BLOCKS;
			uint64_t start = hdr_len;
			int err = 0;

			memcpy(copy, buf, len);
			copy[pos] ^= masks[m % sizeof(masks)];
			r = open_src(copy, len, m >= sizeof(masks), &err, &msg);
			if (pos < hdr_len) {
				cr_assert_null(r, "flip at %zu in the header was not noticed", pos);
				cr_assert_lt(err, 0);
				free(copy);
				continue;
			}
			cr_assert_not_null(r, "pos %zu: %s", pos, msg);
			for (size_t b = 0; b < SMALL_BLOCKS; b++) {
				if (pos >= start && pos < ends[b]) {
					want = b ? cnt[b - 1] : 0;
					blk = b;
					break;
				}
				start = ends[b];
			}
			cr_assert_eq(read_compare(r, &l), want, "flip at %zu", pos);
			cr_assert_eq(trace_reader__blocks(r), blk);
			cr_assert_neq(trace_reader__status(r), TRACE_OK, "flip at %zu not noticed", pos);
			if (blk == SMALL_BLOCKS) {
				cr_assert_eq(trace_reader__status(r), TRACE_CORRUPT);
				cr_assert(strstr(trace_reader__status_msg(r),
						 pos < start + 4 ? "(not a block)" : "end record"),
					  "pos %zu: %s", pos, trace_reader__status_msg(r));
			} else if (trace_reader__status(r) == TRACE_CORRUPT) {
				char expect[64];

				snprintf(expect, sizeof(expect), "block %zu at offset %llu is corrupt",
					 blk + 1, (unsigned long long)(blk ? ends[blk - 1] : hdr_len));
				cr_assert(strncmp(trace_reader__status_msg(r), expect, strlen(expect)) == 0,
					  "%s", trace_reader__status_msg(r));
			}
			/* data bytes are only covered by the CRC: it must be what caught them */
			if (blk < SMALL_BLOCKS && pos >= start + 28)
				cr_assert(strstr(trace_reader__status_msg(r), "bad CRC"), "pos %zu: %s",
					  pos, trace_reader__status_msg(r));
			trace_reader__free(r);
			free(copy);
		}
	}
	free(buf);
	free(l.ev);
}

static void assert_open_fails(const void *buf, size_t len, int want_err, const char *want_msg)
{
	const char *msg = NULL;
	int err = 0;

	cr_assert_null(trace_reader__open_mem(buf, len, &err, &msg));
	cr_assert_eq(err, want_err, "err %d, want %d (%s)", err, want_err, msg);
	cr_assert_not_null(msg);
	cr_assert(strstr(msg, want_msg), "msg '%s' lacks '%s'", msg, want_msg);
	cr_assert_null(strchr(msg, '\n'));
}

Test(trace, bad_headers)
{
	struct evlist l = {};
	uint8_t *buf, *copy;
	size_t len;

	assert_open_fails("", 0, -ENODATA, "empty");
	assert_open_fails(NULL, 0, -ENODATA, "empty");
	assert_open_fails("hello, world\n", 13, -EINVAL, "not an ipctrace trace file");
	assert_open_fails("\x7f" "ELF\x02\x01\x01", 7, -EINVAL, "not an ipctrace trace file");
	assert_open_fails("IPC", 3, -EBADMSG, "cut off");

	add_random(&l, 10);
	buf = write_trace(&l, 0, -1, true, &len, NULL, NULL, NULL);
	copy = malloc(len);

	memcpy(copy, buf, len);
	copy[8] = 7; /* version */
	assert_open_fails(copy, len, -EPROTONOSUPPORT,
			  "trace format version 7 is newer than this ipctrace (1): upgrade ipctrace");
	assert_open_fails(copy, 16, -EPROTONOSUPPORT, "version 7 is newer");

	memcpy(copy, buf, len);
	copy[8] = 0;
	assert_open_fails(copy, len, -EBADMSG, "header is corrupt");

	memcpy(copy, buf, len);
	copy[12] = 0xff; /* header_len */
	copy[13] = 0xff;
	copy[14] = 0xff;
	assert_open_fails(copy, len, -EBADMSG, "header is corrupt");

	memcpy(copy, buf, len);
	copy[40] ^= 0x20; /* a header string byte: the CRC catches it */
	assert_open_fails(copy, len, -EBADMSG, "header is corrupt");

	/* a string length past its field or past the header, CRC made to match */
	for (int k = 0; k < 2; k++) {
		uint32_t hlen;
		uLong crc;

		memcpy(copy, buf, len);
		hlen = copy[12] | copy[13] << 8;
		copy[36] = k ? 0x00 : 0xff; /* kernel: 256 bytes (>255) or 0x1000 */
		copy[37] = k ? 0x01 : 0x0f;
		crc = crc32(0, copy, hlen - 4);
		for (int b = 0; b < 4; b++)
			copy[hlen - 4 + b] = crc >> (8 * b);
		assert_open_fails(copy, len, -EBADMSG, "header is corrupt");
	}

	free(copy);
	free(buf);
	free(l.ev);
}

Test(trace, open_path_errors)
{
	char dir[] = "/tmp/ipctrace-test-XXXXXX";
	char path[64];
	const char *msg = NULL;
	int err = 0, fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing", dir);
	cr_assert_null(trace_reader__open_path(path, &err, &msg));
	cr_assert_eq(err, -ENOENT);
	cr_assert_str_eq(msg, strerror(ENOENT));

	cr_assert_null(trace_reader__open_path(dir, &err, &msg));
	cr_assert_eq(err, -EISDIR);
	cr_assert(strstr(msg, "directory"), "%s", msg);

	snprintf(path, sizeof(path), "%s/empty", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_null(trace_reader__open_path(path, &err, &msg));
	cr_assert_eq(err, -ENODATA);
	cr_assert(strstr(msg, "empty"), "%s", msg);

	fd = open(path, O_WRONLY);
	cr_assert_eq(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	close(fd);
	cr_assert_null(trace_reader__open_path(path, &err, &msg));
	cr_assert_eq(err, -EINVAL);
	cr_assert_str_eq(msg, "not an ipctrace trace file");
	unlink(path);
	rmdir(dir);
}

Test(trace, end_record_checked)
{
	uint64_t ends[SMALL_BLOCKS], cnt[SMALL_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len;
	uint8_t *buf = small_trace(&l, &len, ends, cnt, &hdr_len);
	uint8_t *copy = malloc(len + 1);
	struct trace_reader *r;
	uLong crc;

	/* an end record with a good CRC but the wrong event count */
	memcpy(copy, buf, len);
	copy[len - 12]++;
	crc = crc32(0, copy + len - 16, 12);
	for (int b = 0; b < 4; b++)
		copy[len - 4 + b] = crc >> (8 * b);
	r = trace_reader__open_mem(copy, len, NULL, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_CORRUPT);
	cr_assert(strstr(trace_reader__status_msg(r), "end record says 61 events but the blocks hold 60"),
		  "%s", trace_reader__status_msg(r));
	trace_reader__free(r);

	/* bytes after a good end record */
	memcpy(copy, buf, len);
	copy[len] = 0;
	r = trace_reader__open_mem(copy, len + 1, NULL, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(read_compare(r, &l), l.n);
	cr_assert_eq(trace_reader__status(r), TRACE_CORRUPT);
	cr_assert(strstr(trace_reader__status_msg(r), "1 byte of unknown data after the end record"),
		  "%s", trace_reader__status_msg(r));
	trace_reader__free(r);
	free(copy);
	free(buf);
	free(l.ev);
}

Test(trace, rewind_gives_same_events)
{
	uint64_t ends[SMALL_BLOCKS], cnt[SMALL_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len;
	uint8_t *buf = small_trace(&l, &len, ends, cnt, &hdr_len);
	struct trace_reader *r;
	char msg1[256];

	for (int pass = 0; pass < 3; pass++) {
		/* whole, then cut inside block 4, then damaged inside block 3 */
		size_t use = pass == 1 ? ends[3] - 5 : len;
		uint8_t *copy = malloc(len);

		memcpy(copy, buf, len);
		if (pass == 2)
			copy[ends[2] - 3] ^= 0x10;
		r = trace_reader__open_mem(copy, use, NULL, NULL);
		cr_assert_not_null(r);
		size_t n1 = read_compare(r, &l);
		enum trace_status s1 = trace_reader__status(r);

		snprintf(msg1, sizeof(msg1), "%s", trace_reader__status_msg(r));
		cr_assert_eq(trace_reader__rewind(r), 0);
		cr_assert_eq(trace_reader__events_read(r), 0);
		size_t n2 = read_compare(r, &l);

		cr_assert_eq(n1, n2);
		cr_assert_eq(n1, pass == 0 ? l.n : pass == 1 ? cnt[2] : cnt[1]);
		cr_assert_eq(trace_reader__status(r), s1);
		cr_assert_eq(s1, pass == 0 ? TRACE_OK : pass == 1 ? TRACE_TRUNCATED : TRACE_CORRUPT);
		cr_assert_str_eq(trace_reader__status_msg(r), msg1);
		trace_reader__free(r);
		free(copy);
	}
	free(buf);
	free(l.ev);
}

/* Decoding threads read ahead of the caller: what it reads must not depend on how many. */
Test(trace, decode_threads_read_what_the_caller_would)
{
	uint64_t ends[SMALL_BLOCKS], cnt[SMALL_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len, at[8 * SMALL_BLOCKS + 4], nat = 0;
	uint8_t *buf = small_trace(&l, &len, ends, cnt, &hdr_len);
	static const int threads[] = { 1, 3 };

	/* in each block: its magic, its lengths, its data (CRC) and its last byte; the end record */
	for (size_t b = 0; b < SMALL_BLOCKS; b++) {
		size_t start = b ? ends[b - 1] : hdr_len;
		size_t in[] = { start, start + 1, start + 6, start + 14, start + 30, ends[b] - 1 };

		for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++)
			at[nat++] = in[k];
	}
	at[nat++] = len - 12;
	at[nat++] = len - 1;
	at[nat++] = len;
	for (size_t i = 0; i < 4 * nat; i++) {
		bool flip = i >= 2 * nat, file = i % 2;
		size_t pos = at[(i / 2) % nat];
		size_t use = flip ? len : pos;
		uint8_t *copy = malloc(len);
		struct trace_reader *r;
		char want_msg[256];
		enum trace_status want;
		size_t want_n, want_blocks;

		if (flip && pos >= len) {
			free(copy);
			continue;
		}
		memcpy(copy, buf, len);
		if (flip)
			copy[pos] ^= 0x41;
		r = open_src(copy, use, file, NULL, NULL);
		cr_assert_not_null(r, "byte %zu", pos);
		trace_reader__set_threads(r, 0);
		want_n = read_compare(r, &l);
		want = trace_reader__status(r);
		want_blocks = trace_reader__blocks(r);
		snprintf(want_msg, sizeof(want_msg), "%s", trace_reader__status_msg(r));
		trace_reader__free(r);
		for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
			r = open_src(copy, use, file, NULL, NULL);
			cr_assert_not_null(r);
			trace_reader__set_threads(r, threads[t]);
			cr_assert_eq(read_compare(r, &l), want_n, "%s at %zu, %d threads",
				     flip ? "flip" : "cut", pos, threads[t]);
			cr_assert_eq(trace_reader__status(r), want);
			cr_assert_eq(trace_reader__blocks(r), want_blocks);
			cr_assert_str_eq(trace_reader__status_msg(r), want_msg, "%s at %zu, %d threads",
					 flip ? "flip" : "cut", pos, threads[t]);
			/* a second pass, threads restarted, reads the same */
			cr_assert_eq(trace_reader__rewind(r), 0);
			cr_assert_eq(read_compare(r, &l), want_n);
			cr_assert_str_eq(trace_reader__status_msg(r), want_msg);
			trace_reader__free(r);
		}
		free(copy);
	}
	free(buf);
	free(l.ev);
}

/* A caller that stops early (an error in the model) frees a reader whose threads still run. */
Test(trace, free_while_decoding_ahead)
{
	struct evlist l = {};
	struct trace_reader *r;
	size_t len;
	uint8_t *buf;

	add_random(&l, 60000);
	buf = write_trace(&l, 0, 1, true, &len, NULL, NULL, NULL);
	for (int t = 1; t <= 8; t *= 2) {
		r = trace_reader__open_mem(buf, len, NULL, NULL);
		cr_assert_not_null(r);
		trace_reader__set_threads(r, t);
		cr_assert_not_null(trace_reader__next(r));
		trace_reader__free(r);
	}
	free(buf);
	free(l.ev);
}

Test(trace, write_error_keeps_whole_blocks)
{
	struct rlimit lim = { 300000, 300000 };
	struct evlist l = {};
	struct trace_writer *w;
	struct trace_reader *r;
	int fd, err = 0;
	size_t len, i;
	uint8_t *buf;

	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	add_random(&l, 200000);
	fd = memfd_create("trace", 0);
	w = trace_writer__open_fd(fd, &test_meta, 0); /* level 0: blocks stay big */
	cr_assert_not_null(w);
	for (i = 0; i < l.n; i++) {
		err = trace_writer__add(w, &l.ev[i].h);
		if (err)
			break;
	}
	cr_assert_eq(err, -EFBIG, "got %d after %zu events", err, i);
	cr_assert_eq(trace_writer__add(w, &l.ev[0].h), -EFBIG, "errors must stick");
	cr_assert_eq(trace_writer__close(w), -EFBIG);

	buf = slurp(fd, &len);
	cr_assert_eq(len, 300000, "the last block was written in part");
	r = trace_reader__open_mem(buf, len, NULL, NULL);
	cr_assert_not_null(r);
	size_t n = read_compare(r, &l);
	cr_assert_gt(n, 0);
	cr_assert_lt(n, i);
	cr_assert_eq(trace_reader__status(r), TRACE_TRUNCATED, "%s", trace_reader__status_msg(r));
	trace_reader__free(r);
	close(fd);
	free(buf);
	free(l.ev);
}

Test(trace, write_to_full_disk)
{
	int fd = open("/dev/full", O_WRONLY);

	cr_assert_geq(fd, 0);
	errno = 0;
	cr_assert_null(trace_writer__open_fd(fd, &test_meta, -1));
	cr_assert_eq(errno, ENOSPC);
	close(fd);
}

/*
 * A pipe ping-pong as the recorder sees it: thread A writes 64 bytes to
 * pipe 1 and reads pipe 2; B the other way; every read blocks, so each
 * round trip is 2 x (write, sleep, read) with jittered timings.
 */
static void pingpong(struct evlist *l, size_t n)
{
	const uint32_t pid[2] = { 41230, 41233 };
	const uint64_t chan[2] = { 0x8d3f5a1c29e4b607ull, 0x17c2e9f04ab5d38eull };
	uint64_t ts = 5000000000000ull;
	int who = 0;

	rng_state = 42;
	while (l->n < n) {
		int other = !who;
		union tev *e;
		uint64_t out, wake;

		/* who writes the other's pipe */
		e = evl_new(l, IPCT_EV_SYSCALL);
		e->h.pid = e->h.tid = pid[who];
		e->h.cpu = who;
		e->sc.enter_ts = ts + 200 + rnd() % 300;
		ts = e->sc.enter_ts + 1500 + rnd() % 1200;
		e->h.ts = ts;
		e->sc.ret = 64;
		e->sc.arg = 64;
		e->sc.chan = chan[other];
		e->sc.fd = 4 + other;
		e->sc.nr = 1;
		e->sc.op = IPCT_OP_WRITE;
		wake = e->sc.enter_ts + 900 + rnd() % 400;

		/* the other switches in: it slept in read since its last read entry */
		e = evl_new(l, IPCT_EV_SLEEP);
		e->h.pid = e->h.tid = pid[other];
		e->h.cpu = other;
		out = ts - 6000 - rnd() % 3000;
		ts = wake + 2500 + rnd() % 2000;
		e->h.ts = ts;
		e->sl.out_ts = out;
		e->sl.wake_ts = wake;
		e->sl.chan = chan[other];
		e->sl.waker_chan = chan[other];
		e->sl.waker_pid = e->sl.waker_tid = pid[who];
		e->sl.state = 1;
		e->sl.nr = 0;
		e->sl.op = IPCT_OP_READ;
		e->sl.waker_op = IPCT_OP_WRITE;

		/* its read returns */
		e = evl_new(l, IPCT_EV_SYSCALL);
		e->h.pid = e->h.tid = pid[other];
		e->h.cpu = other;
		e->sc.enter_ts = out - 700 - rnd() % 300;
		ts += 400 + rnd() % 300;
		e->h.ts = ts;
		e->sc.ret = 64;
		e->sc.arg = 64;
		e->sc.chan = chan[other];
		e->sc.fd = 3 + 2 * other;
		e->sc.nr = 0;
		e->sc.op = IPCT_OP_READ;

		who = other;
	}
}

static double bytes_per_event(const struct evlist *l, int level)
{
	size_t len;
	uint8_t *buf = write_trace(l, 0, level, true, &len, NULL, NULL, NULL);
	struct trace_reader *r = trace_reader__open_mem(buf, len, NULL, NULL);

	cr_assert_not_null(r);
	cr_assert_eq(read_compare(r, l), l->n);
	cr_assert_eq(trace_reader__status(r), TRACE_OK);
	trace_reader__free(r);
	free(buf);
	return (double)len / l->n;
}

Test(trace, size_on_pingpong)
{
	struct evlist l = {};
	double def, b1, b6, b9;

	pingpong(&l, 100000);
	def = bytes_per_event(&l, -1);
	b1 = bytes_per_event(&l, 1);
	b6 = bytes_per_event(&l, 6);
	b9 = bytes_per_event(&l, 9);
	fprintf(stderr,
		"trace size on a synthetic pipe ping-pong (%zu events): %.2f bytes/event "
		"(level 1: %.2f, 6: %.2f, 9: %.2f)\n", l.n, def, b1, b6, b9);
	cr_assert_lt(def, 16.0, "%.2f bytes per event", def);
	cr_assert_leq(b9, b1 + 0.01, "level 9 (%.2f) bigger than level 1 (%.2f)", b9, b1);
	free(l.ev);
}

/* The fuzzer starts from a real recording: it must stay a whole, readable trace. */
Test(trace, fuzz_corpus_real_trace_reads_whole)
{
	const char *path = "tests/fuzz/corpus/real_pipeline.trace", *msg = NULL;
	const struct ipct_hdr *e;
	struct trace_reader *r;
	uint64_t n = 0, syscalls = 0;
	int err = 0;

	r = trace_reader__open_path(path, &err, &msg);
	cr_assert_not_null(r, "%s: %s", path, msg ? msg : "");
	while ((e = trace_reader__next(r)) != NULL) {
		n++;
		syscalls += e->type == IPCT_EV_SYSCALL;
	}
	cr_assert_eq(trace_reader__status(r), TRACE_OK, "%s", trace_reader__status_msg(r));
	cr_assert_eq(n, trace_reader__events_read(r));
	cr_assert_gt(n, 100, "only %llu events", (unsigned long long)n);
	cr_assert_gt(syscalls, 0);
	trace_reader__free(r);
}

/* A device that never ends is not read to its end: its first bytes already say no. */
Test(trace, endless_device_refused_at_once)
{
	const char *msg = NULL;
	int err = 0;

	cr_assert_null(trace_reader__open_path("/dev/zero", &err, &msg));
	cr_assert_eq(err, -EINVAL, "%d %s", err, msg);
	cr_assert_null(trace_reader__open_path("/dev/urandom", &err, &msg));
	cr_assert_eq(err, -EINVAL, "%d %s", err, msg);
}

#define ORDER_BLOCKS 4
#define ORDER_PER_BLOCK 10

/* Whole blocks of a trace laid out again in the order given (-1: the end record). */
static uint8_t *relay_blocks(const uint8_t *buf, size_t len, size_t hdr_len, const uint64_t *ends,
			     const int *order, size_t norder, size_t *out_len)
{
	uint8_t *out = malloc(len * 2);
	size_t n = hdr_len;

	cr_assert_not_null(out);
	memcpy(out, buf, hdr_len);
	for (size_t i = 0; i < norder; i++) {
		int b = order[i];
		size_t from = b < 0 ? ends[ORDER_BLOCKS - 1] : b ? ends[b - 1] : hdr_len;
		size_t to = b < 0 ? len : ends[b];

		memcpy(out + n, buf + from, to - from);
		n += to - from;
	}
	*out_len = n;
	return out;
}

/* A trace joined twice or put together out of order reads, and says so (issue 16). */
Test(trace, repeated_and_reordered_blocks_counted)
{
	static const int dup[] = { 0, 1, 1, 2, 3, -1 }, swap[] = { 0, 2, 1, 3, -1 },
			 whole[] = { 0, 1, 2, 3, -1 };
	static const struct { const int *order; size_t n; uint64_t events, dups, backs; } cases[] = {
		{ whole, 5, 40, 0, 0 },
		{ dup, 6, 40, 1, 0 },	/* the copy skipped: the end record's 40 events hold */
		{ swap, 5, 40, 0, 1 },
	};
	uint64_t ends[ORDER_BLOCKS], cnt[ORDER_BLOCKS];
	struct evlist l = {};
	size_t len, hdr_len, nb;
	uint8_t *buf;
	int fd;
	struct trace_writer *w;

	/* a recording's order: time only goes forward */
	for (size_t i = 0; i < ORDER_BLOCKS * ORDER_PER_BLOCK; i++) {
		union tev *e = evl_new(&l, IPCT_EV_SYSCALL);

		e->h.ts = 1000000 + 1000 * i;
		e->h.pid = e->h.tid = 42;
		e->sc.enter_ts = e->h.ts - 500;
		e->sc.nr = 0;
	}
	buf = write_trace(&l, ORDER_PER_BLOCK, -1, true, &len, ends, cnt, &nb);
	cr_assert_eq(nb, ORDER_BLOCKS);
	fd = memfd_create("hdr", 0);
	w = trace_writer__open_fd(fd, &test_meta, -1);
	cr_assert_not_null(w);
	hdr_len = trace_writer__bytes(w);
	trace_writer__free(w);
	close(fd);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t n;
		uint8_t *copy = relay_blocks(buf, len, hdr_len, ends, cases[c].order, cases[c].n, &n);

		for (int t = 0; t < 4; t++) {
			/* caller-decoded and read ahead by threads, from memory and from a file */
			struct trace_reader *r = open_src(copy, n, t % 2, NULL, NULL);
			struct trace_reading rd;
			uint64_t events = 0;

			cr_assert_not_null(r);
			trace_reader__set_threads(r, t < 2 ? 0 : 2);
			for (int pass = 0; pass < 2; pass++) {
				events = 0;
				while (trace_reader__next(r))
					events++;
				cr_assert_eq(events, cases[c].events, "case %zu threads %d: %llu events", c,
					     t, (unsigned long long)events);
				cr_assert_eq(trace_reader__status(r), TRACE_OK, "case %zu: %s", c,
					     trace_reader__status_msg(r));
				cr_assert_eq(trace_reader__duplicate_blocks(r), cases[c].dups, "case %zu", c);
				cr_assert_eq(trace_reader__reordered_blocks(r), cases[c].backs, "case %zu", c);
				trace_reader__reading(r, &rd);
				cr_assert_str_eq(rd.status, "complete");
				cr_assert_eq(rd.events_read, cases[c].events);
				cr_assert_eq(rd.duplicate_blocks, cases[c].dups);
				cr_assert_eq(rd.reordered_blocks, cases[c].backs);
				cr_assert_eq(trace_reader__rewind(r), 0);
			}
			trace_reader__free(r);
		}
		free(copy);
	}
	free(buf);
	free(l.ev);
}
