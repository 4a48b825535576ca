// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Writes the fuzzers' seed corpora: a few small valid traces, and the same
 * events as 'R' payload inputs (see fuzz_trace_reader.c) into DIR, and as
 * event lists (see fuzz_outputs.c) into DIR-outputs.
 *   cc -D_GNU_SOURCE -Itrace -Ibpf tests/fuzz/make_corpus.c trace/trace.c -lz \
 *      -o /tmp/make_corpus && /tmp/make_corpus tests/fuzz/corpus
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "trace.h"

union ev {
	struct ipct_hdr h;
	struct ipct_syscall sc;
	struct ipct_sleep sl;
	struct ipct_wakeup wk;
	struct ipct_task tk;
	struct ipct_proc pr;
	struct ipct_chan ch;
	struct ipct_lost lo;
};

static const char *dir;

static void save_path(const char *path, const void *buf, size_t len)
{
	FILE *f;

	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "make_corpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void save(const char *name, const void *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	save_path(path, buf, len);
}

/* One event of every type, fields small and large. */
static size_t every_type(union ev *evs)
{
	static const unsigned types[] = {
		IPCT_EV_TASK, IPCT_EV_FORK, IPCT_EV_EXEC, IPCT_EV_COMM, IPCT_EV_CHAN,
		IPCT_EV_SYSCALL, IPCT_EV_SLEEP, IPCT_EV_WAKEUP, IPCT_EV_LOST, IPCT_EV_EXIT,
	};
	uint64_t ts = 1000000000;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		union ev *e = &evs[i];

		memset(e, 0, sizeof(*e));
		e->h.type = types[i];
		e->h.ts = ts += 1234;
		e->h.pid = 100;
		e->h.tid = 100 + i % 2;
		e->h.cpu = i % 4;
		switch (e->h.type) {
		case IPCT_EV_TASK:
		case IPCT_EV_FORK:
			e->tk.child_pid = 101;
			e->tk.child_tid = 102;
			strcpy(e->tk.comm, "child\x1b[31m");
			break;
		case IPCT_EV_EXEC:
		case IPCT_EV_COMM:
		case IPCT_EV_EXIT:
			e->pr.exit_code = -9;
			strcpy(e->pr.comm, "sh");
			strcpy(e->pr.name, "/usr/bin/sort");
			break;
		case IPCT_EV_CHAN:
			e->ch.chan = 0xfedcba9876543210ull;
			e->ch.peer = 0x0123456789abcdefull;
			e->ch.ino = 123456;
			e->ch.kind = IPCT_KIND_TCP;
			e->ch.family = 10;
			e->ch.saddr[3] = 0x0100007f;
			e->ch.daddr[0] = 0xffffffff;
			e->ch.sport = 80;
			e->ch.dport = 65535;
			strcpy(e->ch.name, "/tmp/fifo");
			break;
		case IPCT_EV_SYSCALL:
			e->sc.enter_ts = ts - 500;
			e->sc.ret = -11;
			e->sc.chan = 0xfedcba9876543210ull;
			e->sc.arg = 4096;
			e->sc.fd = 3;
			e->sc.nr = 0;
			e->sc.op = IPCT_OP_READ;
			e->h.flags = IPCT_F_NONBLOCK;
			break;
		case IPCT_EV_SLEEP:
			e->sl.out_ts = ts - 900;
			e->sl.wake_ts = ts - 100;
			e->sl.chan = 0xfedcba9876543210ull;
			e->sl.waker_chan = 0x0123456789abcdefull;
			e->sl.waker_pid = 200;
			e->sl.waker_tid = 201;
			e->sl.state = 1;
			e->sl.op = IPCT_OP_READ;
			e->sl.waker_op = IPCT_OP_WRITE;
			break;
		case IPCT_EV_WAKEUP:
			e->wk.chan = 0x0123456789abcdefull;
			e->wk.wakee_pid = 300;
			e->wk.wakee_tid = 300;
			strcpy(e->wk.wakee_comm, "cat");
			e->wk.op = IPCT_OP_WRITE;
			break;
		case IPCT_EV_LOST:
			e->lo.first_ts = ts - 5000;
			e->lo.count = 17;
			break;
		}
	}
	return sizeof(types) / sizeof(types[0]);
}

/* The header fields a merged trace of two machines has (boot id, namespaces, addresses, hosts). */
static bool with_hosts;

static void add_host_fields(struct trace_meta *m)
{
	strcpy(m->boot_id, "09fb96ed-eb0f-4651-bc2b-d83d7a87ddd4");
	m->nnetns = 1;
	m->netns[0] = 4026531840u;
	m->naddrs = 2;
	m->addrs[0].family = 2;
	memcpy(m->addrs[0].addr, "\x0a\x00\x00\x02", 4);
	m->addrs[1].family = 10;
	m->addrs[1].addr[15] = 1;
	m->nhosts = 2;
	strcpy(m->hosts[0].name, "a");
	strcpy(m->hosts[1].name, "b");
	m->hosts[1].offset_ns = -2500000000;
	m->hosts[1].drift_ppm = 25;
	m->hosts[1].uncertainty_ns = 30000;
	m->hosts[1].messages = 400;
}

/* Write evs, a block every per_block events; optionally no end record. */
static uint8_t *write_trace(const union ev *evs, size_t n, size_t per_block, int end, size_t *len)
{
	struct trace_meta meta = { .start_mono_ns = 999, .start_real_ns = 1700000000000000000ull };
	int fd = memfd_create("corpus", 0);
	struct trace_writer *w;
	uint8_t *buf;
	off_t size;

	strcpy(meta.kernel, "6.18.0");
	strcpy(meta.host, "box");
	strcpy(meta.arch, "x86_64");
	strcpy(meta.cmdline, "ipctrace -- sh -c 'seq 3 | sort'");
	if (with_hosts)
		add_host_fields(&meta);
	w = trace_writer__open_fd(fd, &meta, -1);
	if (!w)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		if (trace_writer__add(w, &evs[i].h))
			exit(1);
		if (per_block && (i + 1) % per_block == 0 && trace_writer__flush(w))
			exit(1);
	}
	if (end ? trace_writer__close(w) : trace_writer__flush(w))
		exit(1);
	if (!end)
		trace_writer__free(w);
	size = lseek(fd, 0, SEEK_END);
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != size)
		exit(1);
	close(fd);
	*len = size;
	return buf;
}

/* fuzz_outputs.c's input: a type byte, then the event's bytes, for each event. */
static void save_events(const char *name, const union ev *evs, size_t n)
{
	uint8_t *buf = malloc(n * (sizeof(*evs) + 1)), *p = buf;
	char sub[4096];

	if (!buf)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		size_t size = ipct_event_size(evs[i].h.type);

		*p++ = evs[i].h.type;
		memcpy(p, &evs[i], size);
		p += size;
	}
	snprintf(sub, sizeof(sub), "%s-outputs/%s", dir, name);
	save_path(sub, buf, (size_t)(p - buf));
	free(buf);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t get_hdr_len(const uint8_t *file)
{
	return le32(file + 12);
}

/* The same trace as an 'R' input: each block's raw payload. */
static void save_payloads(const char *name, const uint8_t *file, size_t len)
{
	uint8_t *out = malloc(2 + len * 8 + 64);
	size_t pos = get_hdr_len(file), olen = 2;

	out[0] = 'R';
	out[1] = 1;
	while (pos + 28 <= len && memcmp(file + pos, "BLK1", 4) == 0) {
		uint32_t comp_len = le32(file + pos + 4);
		uLongf raw_len = le32(file + pos + 8);
		uint32_t nevents = le32(file + pos + 12);

		if (uncompress(out + olen + 4, &raw_len, file + pos + 28, comp_len) != Z_OK)
			exit(1);
		out[olen] = raw_len;
		out[olen + 1] = raw_len >> 8;
		out[olen + 2] = nevents;
		out[olen + 3] = nevents >> 8;
		olen += 4 + raw_len;
		pos += 28 + comp_len;
	}
	save(name, out, olen);
	free(out);
}

/* A few rounds of a pipe ping-pong between two processes. */
static size_t pingpong(union ev *evs, size_t n)
{
	const uint64_t chan[2] = { 0x8d3f5a1c29e4b607ull, 0x17c2e9f04ab5d38eull };
	uint64_t ts = 5000000000000ull;

	for (size_t i = 0; i < n; i++) {
		union ev *e = &evs[i];
		int who = (i / 3) % 2, other = !who;

		memset(e, 0, sizeof(*e));
		ts += 1000 + i * 37 % 900;
		e->h.ts = ts;
		if (i % 3 == 1) {
			e->h.type = IPCT_EV_SLEEP;
			e->h.pid = e->h.tid = 500 + other;
			e->sl.out_ts = ts - 5000;
			e->sl.wake_ts = i % 6 == 1 ? ts - 800 : 0;
			e->sl.chan = e->sl.waker_chan = chan[other];
			e->sl.waker_pid = e->sl.waker_tid = 500 + who;
			e->sl.state = 1;
			e->sl.op = IPCT_OP_READ;
			e->sl.waker_op = IPCT_OP_WRITE;
		} else {
			e->h.type = IPCT_EV_SYSCALL;
			e->h.pid = e->h.tid = 500 + (i % 3 == 0 ? who : other);
			e->sc.enter_ts = ts - 1500;
			e->sc.ret = e->sc.arg = 64;
			e->sc.chan = chan[other];
			e->sc.fd = 4;
			e->sc.op = i % 3 == 0 ? IPCT_OP_WRITE : IPCT_OP_READ;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	union ev evs[64];
	uint8_t *buf;
	size_t n, len;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	dir = argv[1];

	n = every_type(evs);
	buf = write_trace(evs, n, 0, 1, &len);
	save("every_type.trace", buf, len);
	save_payloads("every_type.payload", buf, len);
	save_events("every_type.events", evs, n);
	free(buf);

	buf = write_trace(evs, n, 3, 1, &len);
	save("every_type_4_blocks.trace", buf, len);
	save_payloads("every_type_4_blocks.payload", buf, len);
	free(buf);

	buf = write_trace(evs, n, 4, 0, &len);
	save("cut_off.trace", buf, len);
	free(buf);

	buf = write_trace(evs, 0, 0, 1, &len);
	save("no_events.trace", buf, len);
	free(buf);

	n = pingpong(evs, 36);
	buf = write_trace(evs, n, 12, 1, &len);
	save("pingpong.trace", buf, len);
	save_payloads("pingpong.payload", buf, len);
	save_events("pingpong.events", evs, n);
	free(buf);

	with_hosts = true;
	buf = write_trace(evs, 6, 0, 1, &len);
	save("merged_hosts.trace", buf, len);
	free(buf);
	return 0;
}
