/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Fixed synthetic traces for the SVG and Perfetto tests, written with the
 * real trace writer into a memfd and read back into memory:
 *  - "demo": a writer and a blocking reader on a pipe, a busy-polling
 *    reader on a FIFO, a helper thread sleeping in nanosleep, a lost record;
 *  - hostile: the same with names made of markup, controls, invalid UTF-8;
 *  - big: a pipe ping-pong of about n events;
 *  - sockets: a TCP server's listening socket and connection (request and
 *    reply in turn), a unix stream both sides send on at once, a TCP
 *    socket that connected and read no data.
 */
#ifndef SVG_SYNTH_H
#define SVG_SYNTH_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trace.h"

#define SY_T0 1000000000ull
#define SY_PIPE 0xA1A1ull
#define SY_FIFO 0xB2B2ull
#define SY_HOSTILE "<b>&\"'\x01\x7f\xff\xc3(\x1b]"

union sy_ev {
	struct ipct_hdr h;
	struct ipct_syscall sc;
	struct ipct_sleep sl;
	struct ipct_task tk;
	struct ipct_chan ch;
	struct ipct_lost lo;
	struct ipct_proc pr;
	char raw[IPCT_EVENT_MAX];
};

struct sy {
	union sy_ev *ev;
	size_t n, cap;
	unsigned seq_hi;
};

static union sy_ev *sy_add(struct sy *s, unsigned type, uint64_t ts, uint32_t pid, uint32_t tid)
{
	union sy_ev *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		if (!s->ev)
			abort();
	}
	e = &s->ev[s->n++];
	memset(e, 0, sizeof(*e));
	e->h.type = (uint8_t)type;
	e->h.ts = ts;
	e->h.pid = pid;
	e->h.tid = tid;
	return e;
}

/* A NUL-terminated copy cut to the field (names may be hostile bytes). */
static inline void sy_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static inline void sy_task(struct sy *s, uint64_t ts, uint32_t pid, uint32_t tid, const char *comm)
{
	union sy_ev *e = sy_add(s, IPCT_EV_TASK, ts, pid, tid);

	e->tk.child_pid = 1;
	e->tk.child_tid = 1;
	if (tid != pid)
		e->h.flags = IPCT_F_THREAD;
	sy_copy(e->tk.comm, sizeof(e->tk.comm), comm);
}

static inline void sy_chan(struct sy *s, uint64_t ts, uint32_t pid, uint64_t chan, unsigned kind,
		    const char *name)
{
	union sy_ev *e = sy_add(s, IPCT_EV_CHAN, ts, pid, pid);

	e->ch.chan = chan;
	e->ch.kind = (uint16_t)kind;
	e->ch.ino = chan;
	sy_copy(e->ch.name, sizeof(e->ch.name), name);
}

static inline void sy_call(struct sy *s, uint32_t pid, uint32_t tid, uint64_t enter, uint64_t exit,
		    unsigned op, uint16_t nr, uint64_t chan, int64_t ret, uint8_t flags)
{
	union sy_ev *e = sy_add(s, IPCT_EV_SYSCALL, exit, pid, tid);

	e->h.flags = flags;
	e->sc.enter_ts = enter;
	e->sc.ret = ret;
	e->sc.chan = chan;
	e->sc.arg = ret > 0 ? ret : 64;
	e->sc.fd = 3;
	e->sc.nr = nr;
	e->sc.op = (uint8_t)op;
}

static inline void sy_sleep(struct sy *s, uint32_t pid, uint32_t tid, uint64_t out, uint64_t wake,
		     uint64_t in, uint64_t chan, unsigned op, uint16_t nr, uint32_t waker,
		     uint64_t waker_chan)
{
	union sy_ev *e = sy_add(s, IPCT_EV_SLEEP, in, pid, tid);

	e->sl.out_ts = out;
	e->sl.wake_ts = wake;
	e->sl.chan = chan;
	e->sl.waker_chan = waker_chan;
	e->sl.waker_pid = waker;
	e->sl.waker_tid = waker;
	e->sl.state = 1;
	e->sl.nr = nr;
	e->sl.op = (uint8_t)op;
	e->sl.waker_op = IPCT_OP_WRITE;
}

#define SY_LATE 0x80000000u

static inline int sy_cmp(const void *a, const void *b)
{
	const union sy_ev *x = a, *y = b;

	if ((x->h._pad ^ y->h._pad) & SY_LATE)
		return x->h._pad & SY_LATE ? 1 : -1;
	if (x->h.ts != y->h.ts)
		return x->h.ts < y->h.ts ? -1 : 1;
	/* equal times: keep the order they were added in (stored in _pad) */
	return x->h._pad < y->h._pad ? -1 : x->h._pad > y->h._pad;
}

/*
 * Write s's events as a trace; returns the file bytes. The events added from
 * index late on come time-sorted in blocks after all the others' (a CPU whose
 * events reach the file late), the others time-sorted before them.
 */
static void *sy_write_late(struct sy *s, const char *cmdline, size_t *len, size_t late)
{
	struct trace_meta meta;
	struct trace_writer *w;
	struct stat st;
	void *buf;
	int fd;

	for (size_t i = 0; i < s->n; i++)
		s->ev[i].h._pad = (uint32_t)i | (i >= late ? SY_LATE : 0);
	if (s->n)
		qsort(s->ev, s->n, sizeof(*s->ev), sy_cmp);
	memset(&meta, 0, sizeof(meta));
	meta.start_mono_ns = SY_T0;
	meta.start_real_ns = 1700000000000000000ull;
	snprintf(meta.kernel, sizeof(meta.kernel), "6.18.0-test");
	snprintf(meta.host, sizeof(meta.host), "testhost");
	snprintf(meta.arch, sizeof(meta.arch), "x86_64");
	snprintf(meta.cmdline, sizeof(meta.cmdline), "%s", cmdline);
	fd = memfd_create("svg-synth", 0);
	if (fd < 0)
		return NULL;
	w = trace_writer__open_fd(fd, &meta, 1);
	if (!w)
		return NULL;
	for (size_t i = 0, late = 0; i < s->n; i++) {
		/* the late ones start a block of their own */
		if ((s->ev[i].h._pad & SY_LATE) && !late++ && i && trace_writer__flush(w))
			return NULL;
		s->ev[i].h._pad = 0;
		if (trace_writer__add(w, &s->ev[i].h))
			return NULL;
	}
	if (trace_writer__close(w) || fstat(fd, &st))
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		return NULL;
	close(fd);
	free(s->ev);
	memset(s, 0, sizeof(*s));
	*len = (size_t)st.st_size;
	return buf;
}

/* Write s's events, time-sorted, as a trace; returns the file bytes. */
static inline void *sy_write(struct sy *s, const char *cmdline, size_t *len)
{
	return sy_write_late(s, cmdline, len, SIZE_MAX);
}

/*
 * The demo: 8 rounds of 1 ms. In each, "reader" blocks in read(pipe) and
 * "writer" wakes it with a write; "poller" busy-polls read(fifo) with
 * EAGAIN until the writer writes the FIFO; "reader" thread "helper" sleeps
 * in nanosleep. One lost record in round 5.
 */
static inline void *sy_demo(bool hostile, size_t *len)
{
	const char *wcomm = hostile ? SY_HOSTILE : "writer";
	struct sy s = { 0 };
	uint64_t t0 = SY_T0 + 50000;

	sy_task(&s, SY_T0 + 1000, 100, 100, wcomm);
	sy_task(&s, SY_T0 + 1000, 200, 200, "reader");
	sy_task(&s, SY_T0 + 1000, 200, 201, "helper");
	sy_task(&s, SY_T0 + 1000, 300, 300, "poller");
	sy_chan(&s, SY_T0 + 2000, 100, SY_PIPE, IPCT_KIND_PIPE, "pipe:[4242]");
	sy_chan(&s, SY_T0 + 2000, 100, SY_FIFO, IPCT_KIND_FIFO,
		hostile ? "/tmp/" SY_HOSTILE ".fifo" : "/tmp/demo.fifo");
	for (int i = 0; i < 8; i++) {
		uint64_t r = t0 + (uint64_t)i * 1000000;
		uint64_t w = r + 400000;   /* the writer's write of the pipe */

		/* reader: read(pipe) blocks until the write wakes it */
		sy_sleep(&s, 200, 200, r + 8000, w + 9000, w + 30000, SY_PIPE, IPCT_OP_READ, 0,
			 100, SY_PIPE);
		sy_call(&s, 200, 200, r, w + 42000, IPCT_OP_READ, 0, SY_PIPE, 64, 0);
		/* writer: write(pipe), then write(fifo) */
		sy_call(&s, 100, 100, w - 15000, w + 12000, IPCT_OP_WRITE, 1, SY_PIPE, 64, 0);
		sy_call(&s, 100, 100, w + 300000, w + 320000, IPCT_OP_WRITE, 1, SY_FIFO, 32, 0);
		/* poller: EAGAIN every 20 us until the FIFO has data */
		for (uint64_t p = w + 60000; p < w + 310000; p += 20000)
			sy_call(&s, 300, 300, p, p + 6000, IPCT_OP_READ, 0, SY_FIFO, -EAGAIN,
				IPCT_F_NONBLOCK);
		sy_call(&s, 300, 300, w + 322000, w + 330000, IPCT_OP_READ, 0, SY_FIFO, 32,
			IPCT_F_NONBLOCK);
		/* helper: nanosleep, not IPC */
		sy_sleep(&s, 200, 201, r + 100000, r + 500000, r + 520000, 0, IPCT_OP_NANOSLEEP,
			 35, 0, 0);
		sy_call(&s, 200, 201, r + 95000, r + 530000, IPCT_OP_NANOSLEEP, 35, 0, 0, 0);
		if (i == 5) {
			union sy_ev *e = sy_add(&s, IPCT_EV_LOST, r + 700000, 0, 0);

			e->h.cpu = 2;
			e->lo.first_ts = r + 650000;
			e->lo.count = 17;
		}
	}
	return sy_write(&s, hostile ? "demo " SY_HOSTILE : "sh -c 'writer | reader; poller'", len);
}

#define SY_LISTEN 0xC1C1ull
#define SY_CONN 0xC2C2ull
#define SY_USTREAM 0xC3C3ull
#define SY_DIALER 0xC4C4ull

/*
 * "server" 400 accepts on a listening socket, then answers 4 requests of
 * "client" 500 on the connection (half-duplex); "side-a" 600 and "side-b"
 * 700 each send on a unix stream while the other's data is in flight
 * (full-duplex); "dialer" 800 connects a TCP socket and reads no data (EOF).
 */
static inline void *sy_sockets(size_t *len)
{
	struct sy s = { 0 };
	uint64_t t = SY_T0 + 100000;

	sy_task(&s, SY_T0 + 1000, 400, 400, "server");
	sy_task(&s, SY_T0 + 1000, 500, 500, "client");
	sy_task(&s, SY_T0 + 1000, 600, 600, "side-a");
	sy_task(&s, SY_T0 + 1000, 700, 700, "side-b");
	sy_task(&s, SY_T0 + 1000, 800, 800, "dialer");
	sy_chan(&s, SY_T0 + 2000, 400, SY_LISTEN, IPCT_KIND_TCP, "127.0.0.1:8080");
	sy_chan(&s, SY_T0 + 2000, 400, SY_CONN, IPCT_KIND_TCP, "127.0.0.1:8080 <-> 127.0.0.1:5000");
	sy_chan(&s, SY_T0 + 2000, 600, SY_USTREAM, IPCT_KIND_UNIX_STREAM, "");
	s.ev[s.n - 1].ch.peer = SY_USTREAM + 1;
	sy_chan(&s, SY_T0 + 2000, 700, SY_USTREAM + 1, IPCT_KIND_UNIX_STREAM, "");
	s.ev[s.n - 1].ch.peer = SY_USTREAM;
	sy_chan(&s, SY_T0 + 2000, 800, SY_DIALER, IPCT_KIND_TCP, "127.0.0.1:6000");
	/* the server sleeps in accept until the client connects */
	sy_sleep(&s, 400, 400, t + 1000, t + 15000, t + 16000, SY_LISTEN, IPCT_OP_ACCEPT, 43, 500, 0);
	sy_call(&s, 400, 400, t, t + 20000, IPCT_OP_ACCEPT, 43, SY_LISTEN, 4, 0);
	sy_call(&s, 800, 800, t, t + 5000, IPCT_OP_CONNECT, 42, SY_DIALER, 0, 0);
	sy_call(&s, 800, 800, t + 6000, t + 9000, IPCT_OP_RECV, 45, SY_DIALER, 0, 0);
	for (int i = 0; i < 4; i++) {
		uint64_t r = t + 50000 + (uint64_t)i * 200000;

		sy_call(&s, 500, 500, r, r + 10000, IPCT_OP_SEND, 44, SY_CONN, 100, 0);
		sy_call(&s, 400, 400, r - 5000, r + 20000, IPCT_OP_RECV, 45, SY_CONN, 100, 0);
		sy_call(&s, 400, 400, r + 40000, r + 50000, IPCT_OP_SEND, 44, SY_CONN, 100, 0);
		sy_call(&s, 500, 500, r + 30000, r + 60000, IPCT_OP_RECV, 45, SY_CONN, 100, 0);
		/* both sides' sends in flight before either receives */
		sy_call(&s, 600, 600, r, r + 10000, IPCT_OP_WRITE, 1, SY_USTREAM, 64, 0);
		sy_call(&s, 700, 700, r + 2000, r + 12000, IPCT_OP_WRITE, 1, SY_USTREAM + 1, 64, 0);
		sy_call(&s, 600, 600, r + 20000, r + 30000, IPCT_OP_READ, 0, SY_USTREAM, 64, 0);
		sy_call(&s, 700, 700, r + 20000, r + 30000, IPCT_OP_READ, 0, SY_USTREAM + 1, 64, 0);
	}
	return sy_write(&s, "sockets", len);
}

/* A pipe ping-pong of about n events (3 per round). */
static inline void *sy_big(size_t n, size_t *len)
{
	struct sy s = { 0 };
	uint64_t t = SY_T0 + 1000;

	sy_task(&s, SY_T0, 100, 100, "ping");
	sy_task(&s, SY_T0, 200, 200, "pong");
	sy_chan(&s, SY_T0, 100, SY_PIPE, IPCT_KIND_PIPE, "pipe:[1]");
	for (size_t i = 0; i + 3 <= n; i += 3, t += 3000) {
		sy_call(&s, 100, 100, t, t + 700, IPCT_OP_WRITE, 1, SY_PIPE, 8, 0);
		sy_sleep(&s, 200, 200, t - 1500, t + 600, t + 900, SY_PIPE, IPCT_OP_READ, 0, 100,
			 SY_PIPE);
		sy_call(&s, 200, 200, t - 1600, t + 1000, IPCT_OP_READ, 0, SY_PIPE, 8, 0);
	}
	return sy_write(&s, "pingpong 1M", len);
}

/* About n events over 100 writer/reader pairs, each on its own pipe. */
static inline void *sy_many(size_t n, size_t *len)
{
	struct sy s = { 0 };
	unsigned seed = 1;

	for (uint32_t p = 0; p < 100; p++) {
		char c[16];

		snprintf(c, sizeof(c), "w%u", p);
		sy_task(&s, SY_T0, 1000 + p, 1000 + p, c);
		snprintf(c, sizeof(c), "r%u", p);
		sy_task(&s, SY_T0, 2000 + p, 2000 + p, c);
		sy_chan(&s, SY_T0, 1000 + p, 0x100 + p, IPCT_KIND_PIPE, "pipe:[x]");
	}
	for (size_t i = 0; i < n / 3; i++) {
		uint32_t p = (uint32_t)(i % 100);
		uint64_t base = SY_T0 + 20000 + (uint64_t)(i / 100) * 30000, d;

		seed = seed * 1103515245 + 12345;
		d = 200 + (seed >> 16) % 20000;
		sy_call(&s, 1000 + p, 1000 + p, base, base + d / 4, IPCT_OP_WRITE, 1, 0x100 + p, 8, 0);
		sy_sleep(&s, 2000 + p, 2000 + p, base - 9000, base + d / 4, base + d / 4 + 300,
			 0x100 + p, IPCT_OP_READ, 0, 1000 + p, 0x100 + p);
		sy_call(&s, 2000 + p, 2000 + p, base - 9500, base + d / 4 + 500, IPCT_OP_READ, 0,
			0x100 + p, 8, 0);
	}
	return sy_write(&s, "100 pipe pairs", len);
}

#endif /* SVG_SYNTH_H */
