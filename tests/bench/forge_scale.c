// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * forge_scale: traces that are large in one dimension only, for the memory
 * benchmark and the tests that bound memory per thread, channel and endpoint.
 *
 *   forge_scale threads N [-r ROUNDS] -o TRACE    N threads of one process in pairs, each
 *                                                 pair ping-ponging ROUNDS times over its pipe
 *   forge_scale channels N [-r ROUNDS] -o TRACE   two processes, N pipes, each written and
 *                                                 read ROUNDS times
 *   forge_scale endpoints N [-r ROUNDS] -o TRACE  one pipe written by N processes (ROUNDS
 *                                                 writes each), read by one
 *
 * Every write is read: the sums a report must show are N x ROUNDS messages of
 * 8 bytes. Prints "events bytes" on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace.h"

#define MSG_BYTES 8
#define PID0 1000
#define CHAN0 0x100000000ull

struct forge {
	struct trace_writer *w;
	uint64_t now, events;
	int err;
};

static void emit(struct forge *f, struct ipct_hdr *h, uint32_t pid, uint32_t tid, uint8_t type)
{
	h->ts = f->now;
	h->pid = pid;
	h->tid = tid;
	h->type = type;
	f->now += 1000;
	if (!f->err)
		f->err = trace_writer__add(f->w, h);
	f->events++;
}

static void task(struct forge *f, uint32_t pid, uint32_t tid, const char *comm)
{
	struct ipct_task e;

	memset(&e, 0, sizeof(e));
	e.h.flags = tid != pid ? IPCT_F_THREAD : 0;
	e.child_pid = 1;
	e.child_tid = 1;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	emit(f, &e.h, pid, tid, IPCT_EV_TASK);
}

static void pipe_chan(struct forge *f, uint32_t pid, uint64_t chan)
{
	struct ipct_chan e;

	memset(&e, 0, sizeof(e));
	e.chan = chan;
	e.ino = chan & 0xffffffffu;
	e.dev = 14;
	e.kind = IPCT_KIND_PIPE;
	snprintf(e.name, sizeof(e.name), "pipe:[%llu]", (unsigned long long)e.ino);
	emit(f, &e.h, pid, pid, IPCT_EV_CHAN);
}

static void call(struct forge *f, uint32_t pid, uint32_t tid, uint64_t chan, int fd, uint8_t op)
{
	struct ipct_syscall e;

	memset(&e, 0, sizeof(e));
	e.enter_ts = f->now - 500;
	e.ret = MSG_BYTES;
	e.arg = MSG_BYTES;
	e.chan = chan;
	e.fd = fd;
	e.op = op;
	e.nr = op == IPCT_OP_WRITE ? 1 : 0;
	emit(f, &e.h, pid, tid, IPCT_EV_SYSCALL);
}

static void window(struct forge *f, uint8_t flag)
{
	struct ipct_window e;

	memset(&e, 0, sizeof(e));
	e.h.flags = flag;
	emit(f, &e.h, 0, 0, IPCT_EV_WINDOW);
}

static void forge(struct forge *f, const char *what, uint64_t n, uint64_t rounds)
{
	char comm[IPCT_COMM_LEN];

	if (!strcmp(what, "threads")) {
		task(f, PID0, PID0, "forged");
		for (uint64_t i = 1; i < n; i++)
			task(f, PID0, PID0 + i, "forged");
		for (uint64_t i = 0; i + 1 < n; i += 2)
			pipe_chan(f, PID0, CHAN0 + i);
		for (uint64_t r = 0; r < rounds; r++)
			for (uint64_t i = 0; i + 1 < n; i += 2) {
				call(f, PID0, PID0 + i, CHAN0 + i, 4, IPCT_OP_WRITE);
				call(f, PID0, PID0 + i + 1, CHAN0 + i, 3, IPCT_OP_READ);
			}
	} else if (!strcmp(what, "channels")) {
		task(f, PID0, PID0, "writer");
		task(f, PID0 + 1, PID0 + 1, "reader");
		for (uint64_t i = 0; i < n; i++)
			pipe_chan(f, PID0, CHAN0 + i);
		for (uint64_t r = 0; r < rounds; r++)
			for (uint64_t i = 0; i < n; i++) {
				call(f, PID0, PID0, CHAN0 + i, 4, IPCT_OP_WRITE);
				call(f, PID0 + 1, PID0 + 1, CHAN0 + i, 3, IPCT_OP_READ);
			}
	} else {
		task(f, PID0, PID0, "reader");
		for (uint64_t i = 1; i <= n; i++) {
			snprintf(comm, sizeof(comm), "w%llu", (unsigned long long)i);
			task(f, PID0 + i, PID0 + i, comm);
		}
		pipe_chan(f, PID0, CHAN0);
		for (uint64_t r = 0; r < rounds; r++)
			for (uint64_t i = 1; i <= n; i++) {
				call(f, PID0 + i, PID0 + i, CHAN0, 4, IPCT_OP_WRITE);
				call(f, PID0, PID0, CHAN0, 3, IPCT_OP_READ);
			}
	}
}

int main(int argc, char **argv)
{
	struct trace_meta meta;
	struct forge f = { .now = 1000000000ull };
	const char *out = NULL, *what = argc > 1 ? argv[1] : "";
	unsigned long long n = argc > 2 ? strtoull(argv[2], NULL, 10) : 0, rounds = 1;
	int c, fd;
	off_t size;

	optind = 3;
	while ((c = getopt(argc, argv, "r:o:")) != -1) {
		if (c == 'r')
			rounds = strtoull(optarg, NULL, 10);
		else if (c == 'o')
			out = optarg;
		else
			return 2;
	}
	if (!out || !n || (strcmp(what, "threads") && strcmp(what, "channels") && strcmp(what, "endpoints"))) {
		fprintf(stderr, "usage: forge_scale threads|channels|endpoints N [-r ROUNDS] -o TRACE\n");
		return 2;
	}
	memset(&meta, 0, sizeof(meta));
	meta.start_mono_ns = f.now;
	meta.start_real_ns = 1700000000000000000ull;
	snprintf(meta.kernel, sizeof(meta.kernel), "forge_scale");
	snprintf(meta.host, sizeof(meta.host), "bench");
	snprintf(meta.arch, sizeof(meta.arch), "x86_64");
	snprintf(meta.cmdline, sizeof(meta.cmdline), "forge_scale %s %llu -r %llu", what, n, rounds);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "forge_scale: cannot create %s: %s\n", out, strerror(errno));
		return 1;
	}
	f.w = trace_writer__open_fd(fd, &meta, 1);
	if (!f.w) {
		fprintf(stderr, "forge_scale: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
	window(&f, IPCT_F_START);
	forge(&f, what, n, rounds);
	window(&f, IPCT_F_STOP);
	if (!f.err)
		f.err = trace_writer__close(f.w);
	else
		trace_writer__free(f.w);
	size = lseek(fd, 0, SEEK_END);
	if (f.err || close(fd)) {
		fprintf(stderr, "forge_scale: writing %s failed: %s\n", out, strerror(f.err ? -f.err : errno));
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)f.events, (unsigned long long)size);
	return 0;
}
