// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen_trace: synthetic traces for `make bench`, written through the trace
 * writer API so they are byte-for-byte what the recorder would write.
 *
 *   gen_trace [-n EVENTS] [-t THREADS] [-c CHANNELS] [-s SEED] [-z LEVEL] -o TRACE
 *   gen_trace -r IN [-z LEVEL] -o OUT      re-encode IN at another zlib level
 *
 * The mix imitates a busy recording: a few dozen threads in a dozen
 * processes talking over pipes, unix sockets, TCP, FIFOs, message queues
 * and futexes; blocking reads woken by the peer's write, epoll waits,
 * EAGAIN polling loops, preemptions, nanosleeps, plain syscalls, and a
 * fixed handful of short-lived processes (so thread count stays flat
 * whatever EVENTS is). Same arguments give the same file.
 *
 * Prints one line: events, bytes, bytes per event, seconds spent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "trace.h"

#define MAX_THREADS 1024
#define MAX_CHANNELS 1024
#define CHURN_PROCS 8
#define EAGAIN_RET (-11)
#define EINTR_RET (-4)

struct gen_thread {
	__u32 pid, tid;
	char comm[IPCT_COMM_LEN];
	bool blocked;       /* inside a blocking call, switched out */
	__u64 block_enter;  /* when that call was entered */
	__u64 out_ts;       /* when it went off-CPU */
	__u64 block_chan;
	__u8 block_op;
	__u16 block_nr;
	__s32 block_fd;
};

struct gen_chan {
	__u64 id;
	__u16 kind;
	int a, b;           /* endpoint threads (indices) */
	__s32 fd_a, fd_b;
	bool seen;          /* CHAN event written */
};

struct gen {
	struct trace_writer *w;
	__u64 rng;
	__u64 now;
	__u64 events;
	__u64 target;
	int nthreads, nchans;
	struct gen_thread th[MAX_THREADS + CHURN_PROCS];
	struct gen_chan ch[MAX_CHANNELS];
	int err;
};

static __u64 rnd(struct gen *g)
{
	/* xorshift64*: fast, deterministic, good enough for a workload mix */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545F4914F6CDD1DULL;
}

static __u64 between(struct gen *g, __u64 lo, __u64 hi)
{
	return lo + rnd(g) % (hi - lo + 1);
}

/* A probability in per-mille. */
static bool chance(struct gen *g, unsigned permille)
{
	return rnd(g) % 1000 < permille;
}

static void advance(struct gen *g, __u64 lo, __u64 hi)
{
	g->now += between(g, lo, hi);
}

static void hdr(struct gen *g, struct ipct_hdr *h, const struct gen_thread *t, __u8 type)
{
	h->ts = g->now;
	h->pid = t->pid;
	h->tid = t->tid;
	h->type = type;
	h->cpu = t->tid & 1;
}

static void emit(struct gen *g, const struct ipct_hdr *h)
{
	int err;

	if (g->err)
		return;
	err = trace_writer__add(g->w, h);
	if (err)
		g->err = err;
	g->events++;
}

static __u8 op_for(__u16 kind, bool send)
{
	switch (kind) {
	case IPCT_KIND_UNIX_STREAM:
	case IPCT_KIND_TCP:
		return send ? IPCT_OP_SEND : IPCT_OP_RECV;
	case IPCT_KIND_MQUEUE:
		return send ? IPCT_OP_MQ_SEND : IPCT_OP_MQ_RECV;
	case IPCT_KIND_FUTEX:
		return send ? IPCT_OP_FUTEX_WAKE : IPCT_OP_FUTEX_WAIT;
	default:
		return send ? IPCT_OP_WRITE : IPCT_OP_READ;
	}
}

/* x86-64 numbers, for display only. */
static __u16 nr_for(__u8 op)
{
	switch (op) {
	case IPCT_OP_READ: return 0;
	case IPCT_OP_WRITE: return 1;
	case IPCT_OP_SEND: return 44;
	case IPCT_OP_RECV: return 45;
	case IPCT_OP_MQ_SEND: return 242;
	case IPCT_OP_MQ_RECV: return 243;
	case IPCT_OP_FUTEX_WAIT:
	case IPCT_OP_FUTEX_WAKE: return 202;
	case IPCT_OP_EPOLL_WAIT: return 232;
	case IPCT_OP_POLL: return 7;
	case IPCT_OP_NANOSLEEP: return 230;
	default: return 39;
	}
}

static void emit_syscall(struct gen *g, const struct gen_thread *t, __u64 enter, __u8 op,
			 __u64 chan, __s32 fd, __s64 ret, __s64 arg, __u8 flags)
{
	struct ipct_syscall e;

	memset(&e, 0, sizeof(e));
	hdr(g, &e.h, t, IPCT_EV_SYSCALL);
	e.h.flags = flags;
	e.enter_ts = enter;
	e.ret = ret;
	e.chan = chan;
	e.arg = arg;
	e.fd = fd;
	e.op = op;
	e.nr = nr_for(op);
	emit(g, &e.h);
}

static void emit_chan(struct gen *g, struct gen_chan *c, const struct gen_thread *t)
{
	static const char *const names[IPCT_KIND_MAX] = {
		[IPCT_KIND_FIFO] = "/tmp/bench.fifo",
		[IPCT_KIND_MQUEUE] = "/bench-queue",
		[IPCT_KIND_UNIX_STREAM] = "/run/bench.sock",
	};
	struct ipct_chan e;

	if (c->seen)
		return;
	c->seen = true;
	memset(&e, 0, sizeof(e));
	hdr(g, &e.h, t, IPCT_EV_CHAN);
	e.chan = c->id;
	e.ino = 40000 + (c->id & 0xffff);
	e.dev = 12;
	e.kind = c->kind;
	if (c->kind == IPCT_KIND_TCP) {
		e.family = 2;
		e.saddr[0] = e.daddr[0] = 0x0100007f;
		e.sport = 40000 + (c - g->ch);
		e.dport = 8080;
	} else if (c->kind == IPCT_KIND_UNIX_STREAM) {
		e.family = 1;
		e.peer = c->id ^ 1;
	}
	if (names[c->kind])
		snprintf(e.name, sizeof(e.name), "%s", names[c->kind]);
	emit(g, &e.h);
}

/* Wake a blocked thread: its SLEEP at switch-in, then its call's return. */
static void wake(struct gen *g, struct gen_thread *t, const struct gen_thread *waker,
		 __u64 wake_ts, __u64 waker_chan, __u8 waker_op, __s64 ret)
{
	struct ipct_sleep s;

	advance(g, 300, 4000); /* runnable until it gets a CPU */
	memset(&s, 0, sizeof(s));
	hdr(g, &s.h, t, IPCT_EV_SLEEP);
	s.out_ts = t->out_ts;
	s.wake_ts = wake_ts;
	s.chan = t->block_chan;
	s.op = t->block_op;
	s.nr = t->block_nr;
	s.state = 1; /* TASK_INTERRUPTIBLE */
	if (waker) {
		s.waker_pid = waker->pid;
		s.waker_tid = waker->tid;
		s.waker_chan = waker_chan;
		s.waker_op = waker_op;
	}
	emit(g, &s.h);
	advance(g, 100, 900);
	emit_syscall(g, t, t->block_enter, t->block_op, t->block_chan, t->block_fd, ret,
		     t->block_op == IPCT_OP_NANOSLEEP ? 1000000 : 4096, 0);
	t->blocked = false;
}

static void block(struct gen *g, struct gen_thread *t, __u8 op, __u64 chan, __s32 fd)
{
	advance(g, 100, 800);
	t->block_enter = g->now;
	advance(g, 200, 700);
	t->out_ts = g->now;
	t->block_op = op;
	t->block_nr = nr_for(op);
	t->block_chan = chan;
	t->block_fd = fd;
	t->blocked = true;
}

/* A thread chosen to act while blocked was woken by something untraced. */
static void unblock(struct gen *g, struct gen_thread *t)
{
	if (!t->blocked)
		return;
	wake(g, t, NULL, g->now > t->out_ts + 200 ? g->now - 200 : t->out_ts, 0, 0,
	     t->block_op == IPCT_OP_EPOLL_WAIT ? 0 : EINTR_RET);
}

static int pick_chan(struct gen *g)
{
	__u64 u = rnd(g) % 1024;

	/* skewed: a few channels carry most traffic, as in real programs */
	return (int)((u * u * (__u64)g->nchans) >> 20);
}

static void transfer(struct gen *g)
{
	struct gen_chan *c = &g->ch[pick_chan(g)];
	bool back = c->kind != IPCT_KIND_PIPE && c->kind != IPCT_KIND_FIFO &&
		    c->kind != IPCT_KIND_MQUEUE && chance(g, 400);
	struct gen_thread *w = &g->th[back ? c->b : c->a];
	struct gen_thread *r = &g->th[back ? c->a : c->b];
	__s32 wfd = back ? c->fd_b : c->fd_a, rfd = back ? c->fd_a : c->fd_b;
	__s64 bytes = c->kind == IPCT_KIND_FUTEX ? 1 : (__s64)between(g, 1, 4096);
	__u8 wop = op_for(c->kind, true), rop = op_for(c->kind, false);
	__u64 enter, wake_ts;

	unblock(g, w);
	emit_chan(g, c, w);
	advance(g, 200, 2000); /* user time before the call */
	enter = g->now;
	advance(g, 300, 1500);
	wake_ts = enter + (g->now - enter) / 2;
	emit_syscall(g, w, enter, wop, c->id, wfd, bytes, bytes, 0);

	if (r->blocked && r->block_chan == c->id) {
		wake(g, r, w, wake_ts, c->id, wop, bytes);
	} else if (r->blocked && r->block_op == IPCT_OP_EPOLL_WAIT) {
		wake(g, r, w, wake_ts, c->id, wop, 1);
		advance(g, 100, 600);
		enter = g->now;
		advance(g, 200, 800);
		emit_syscall(g, r, enter, rop, c->id, rfd, bytes, 4096, 0);
	} else {
		unblock(g, r);
		advance(g, 200, 3000);
		enter = g->now;
		advance(g, 200, 800);
		emit_syscall(g, r, enter, rop, c->id, rfd, bytes, 4096, 0);
	}
	/* most readers go straight back to waiting for the next message */
	if (chance(g, 700))
		block(g, r, chance(g, 750) ? rop : IPCT_OP_EPOLL_WAIT, c->id, rfd);
}

static struct gen_thread *running_thread(struct gen *g)
{
	struct gen_thread *t = &g->th[rnd(g) % g->nthreads];

	unblock(g, t);
	return t;
}

static void plain_syscalls(struct gen *g)
{
	static const __u8 ops[] = { IPCT_OP_OTHER, IPCT_OP_OTHER, IPCT_OP_OTHER, IPCT_OP_MMAP,
				    IPCT_OP_CLOSE, IPCT_OP_OPEN, IPCT_OP_FCNTL, IPCT_OP_IOCTL };
	struct gen_thread *t = running_thread(g);
	int n = between(g, 1, 4);

	for (int i = 0; i < n; i++) {
		__u8 op = ops[rnd(g) % sizeof(ops)];
		__u64 enter;

		advance(g, 100, 3000);
		enter = g->now;
		advance(g, 80, 1200);
		emit_syscall(g, t, enter, op, 0, op == IPCT_OP_OTHER ? -1 : 3 + (int)(rnd(g) % 20),
			     op == IPCT_OP_OPEN ? 3 + (int)(rnd(g) % 20) : 0, 0, 0);
	}
}

static void eagain_loop(struct gen *g)
{
	struct gen_chan *c = &g->ch[rnd(g) % g->nchans];
	struct gen_thread *t = &g->th[c->b];
	int n = between(g, 3, 12);

	unblock(g, t);
	emit_chan(g, c, t);
	for (int i = 0; i < n; i++) {
		__u64 enter;

		advance(g, 50, 500);
		enter = g->now;
		advance(g, 80, 300);
		emit_syscall(g, t, enter, op_for(c->kind, false), c->id, c->fd_b, EAGAIN_RET, 4096,
			     IPCT_F_NONBLOCK);
	}
}

static void preempt(struct gen *g)
{
	struct gen_thread *t = running_thread(g);
	struct ipct_sleep s;

	memset(&s, 0, sizeof(s));
	s.out_ts = g->now;
	advance(g, 1000, 40000);
	hdr(g, &s.h, t, IPCT_EV_SLEEP);
	emit(g, &s.h);
}

static void nanosleep_wait(struct gen *g)
{
	struct gen_thread *t = running_thread(g);
	__u64 wake_ts;

	block(g, t, IPCT_OP_NANOSLEEP, 0, -1);
	advance(g, 20000, 200000);
	wake_ts = g->now;
	wake(g, t, NULL, wake_ts, 0, 0, 0);
}

static void wake_untraced(struct gen *g)
{
	struct gen_thread *t = running_thread(g);
	struct ipct_wakeup e;

	memset(&e, 0, sizeof(e));
	advance(g, 100, 1000);
	hdr(g, &e.h, t, IPCT_EV_WAKEUP);
	e.chan = g->ch[rnd(g) % g->nchans].id;
	e.wakee_pid = 1;
	e.wakee_tid = 1;
	e.op = IPCT_OP_WRITE;
	snprintf(e.wakee_comm, sizeof(e.wakee_comm), "systemd-journal");
	emit(g, &e.h);
}

/* A short-lived child: fork, exec, a few calls, exit. */
static void churn(struct gen *g, int k)
{
	struct gen_thread *parent = running_thread(g);
	struct gen_thread *t = &g->th[MAX_THREADS + k];
	struct ipct_task f;
	struct ipct_proc p;

	memset(t, 0, sizeof(*t));
	t->pid = t->tid = 900000 + k;
	snprintf(t->comm, sizeof(t->comm), "helper-%d", k);

	memset(&f, 0, sizeof(f));
	advance(g, 1000, 5000);
	hdr(g, &f.h, parent, IPCT_EV_FORK);
	f.child_pid = t->pid;
	f.child_tid = t->tid;
	memcpy(f.comm, parent->comm, sizeof(f.comm));
	emit(g, &f.h);

	memset(&p, 0, sizeof(p));
	advance(g, 20000, 80000);
	hdr(g, &p.h, t, IPCT_EV_EXEC);
	memcpy(p.comm, t->comm, sizeof(p.comm));
	snprintf(p.name, sizeof(p.name), "/usr/lib/bench/helper-%d", k);
	emit(g, &p.h);

	for (int i = 0; i < 6; i++) {
		__u64 enter;

		advance(g, 500, 5000);
		enter = g->now;
		advance(g, 200, 2000);
		emit_syscall(g, t, enter, i == 0 ? IPCT_OP_OPEN : IPCT_OP_OTHER, 0, -1, 3, 0, 0);
	}

	advance(g, 5000, 20000);
	hdr(g, &p.h, t, IPCT_EV_EXIT);
	p.h.flags = IPCT_F_GROUP_DEAD;
	p.name[0] = '\0';
	emit(g, &p.h);
}

static void setup(struct gen *g, int nthreads, int nchans)
{
	static const __u16 kinds[] = { IPCT_KIND_PIPE, IPCT_KIND_UNIX_STREAM, IPCT_KIND_PIPE,
				       IPCT_KIND_FUTEX, IPCT_KIND_TCP, IPCT_KIND_FIFO,
				       IPCT_KIND_UNIX_STREAM, IPCT_KIND_MQUEUE };
	static const char *const roles[] = { "nginx", "postgres", "redis", "worker",
					     "sort", "uniq", "python3", "backup" };
	int nprocs = (nthreads + 3) / 4;

	g->nthreads = nthreads;
	g->nchans = nchans;
	for (int i = 0; i < nthreads; i++) {
		struct gen_thread *t = &g->th[i];
		int proc = i % nprocs, k = i / nprocs;

		t->pid = 2000 + proc * 100;
		t->tid = t->pid + k;
		snprintf(t->comm, sizeof(t->comm), "%s%s%d", roles[proc % 8], k ? "/" : "-",
			 k ? k : proc);
	}
	for (int i = 0; i < nchans; i++) {
		struct gen_chan *c = &g->ch[i];

		c->id = 0x9e3779b97f4a7c15ULL * (i + 1);
		c->kind = kinds[i % (int)(sizeof(kinds) / sizeof(kinds[0]))];
		c->a = (int)(rnd(g) % nthreads);
		if (c->kind == IPCT_KIND_FUTEX) {
			/* a futex links two threads of one process */
			c->b = (c->a + nprocs) % nthreads;
			if (c->b == c->a)
				c->b = (c->a + 1) % nthreads;
		} else {
			do
				c->b = (int)(rnd(g) % nthreads);
			while (g->th[c->b].pid == g->th[c->a].pid && nthreads > nprocs);
		}
		c->fd_a = 3 + i % 30;
		c->fd_b = 4 + i % 30;
	}
}

static void start_tasks(struct gen *g)
{
	for (int i = 0; i < g->nthreads; i++) {
		struct gen_thread *t = &g->th[i];
		struct ipct_task e;

		memset(&e, 0, sizeof(e));
		hdr(g, &e.h, t, IPCT_EV_TASK);
		e.h.flags = t->tid != t->pid ? IPCT_F_THREAD : 0;
		e.child_pid = 1;
		e.child_tid = 1;
		memcpy(e.comm, t->comm, sizeof(e.comm));
		emit(g, &e.h);
	}
}

static void end_tasks(struct gen *g)
{
	for (int i = g->nthreads - 1; i >= 0; i--) {
		struct gen_thread *t = &g->th[i];
		struct ipct_proc e;

		unblock(g, t);
		memset(&e, 0, sizeof(e));
		advance(g, 1000, 3000);
		hdr(g, &e.h, t, IPCT_EV_EXIT);
		e.h.flags = t->tid == t->pid ? IPCT_F_GROUP_DEAD : 0;
		memcpy(e.comm, t->comm, sizeof(e.comm));
		emit(g, &e.h);
	}
}

static void generate(struct gen *g)
{
	__u64 churn_every = g->target / (CHURN_PROCS + 1) + 1;
	int churned = 0;

	start_tasks(g);
	while (g->events + g->nthreads < g->target && !g->err) {
		unsigned r = rnd(g) % 1000;

		if (churned < CHURN_PROCS && g->events >= churn_every * (churned + 1))
			churn(g, churned++);
		else if (r < 700)
			transfer(g);
		else if (r < 840)
			plain_syscalls(g);
		else if (r < 900)
			eagain_loop(g);
		else if (r < 960)
			preempt(g);
		else if (r < 990)
			nanosleep_wait(g);
		else
			wake_untraced(g);
	}
	end_tasks(g);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		fprintf(stderr, "gen_trace: cannot create %s: %s\n", path, strerror(errno));
	return fd;
}

static int recode(const char *in, const char *out, int level, __u64 *events)
{
	const struct ipct_hdr *e;
	struct trace_writer *w;
	struct trace_reader *r;
	const char *msg = "";
	int err = 0, fd;

	r = trace_reader__open_path(in, &err, &msg);
	if (!r) {
		fprintf(stderr, "gen_trace: %s: %s\n", in, msg ? msg : strerror(-err));
		return 1;
	}
	fd = open_out(out);
	if (fd < 0) {
		trace_reader__free(r);
		return 1;
	}
	w = trace_writer__open_fd(fd, trace_reader__meta(r), level);
	if (!w) {
		fprintf(stderr, "gen_trace: cannot write %s: %s\n", out, strerror(errno));
		goto fail;
	}
	while ((e = trace_reader__next(r)) != NULL) {
		err = trace_writer__add(w, e);
		if (err)
			break;
	}
	*events = trace_writer__events(w);
	if (err || trace_reader__status(r)) {
		fprintf(stderr, "gen_trace: recoding %s: %s\n", in,
			err ? strerror(-err) : trace_reader__status_msg(r));
		trace_writer__free(w);
		goto fail;
	}
	err = trace_writer__close(w);
	trace_reader__free(r);
	if (close(fd) || err) {
		fprintf(stderr, "gen_trace: writing %s: %s\n", out, strerror(err ? -err : errno));
		return 1;
	}
	return 0;
fail:
	trace_reader__free(r);
	close(fd);
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen_trace [-n EVENTS] [-t THREADS] [-c CHANNELS] [-s SEED] [-z LEVEL] -o TRACE\n"
		"       gen_trace -r IN [-z LEVEL] -o OUT\n");
}

static int num(const char *s, long long lo, long long hi, long long *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end); /* accepts 1e7 */
	if (errno || end == s || *end || d < lo || d > hi)
		return -EINVAL;
	*v = (long long)d;
	return 0;
}

int main(int argc, char **argv)
{
	long long events = 1000000, threads = 48, chans = 32, seed = 1, level = -1;
	const char *out = NULL, *in = NULL;
	struct trace_meta meta;
	struct stat st;
	struct gen *g;
	int opt, fd, err;
	__u64 written;
	double t0;

	while ((opt = getopt(argc, argv, "n:t:c:s:z:o:r:h")) != -1) {
		int bad = 0;

		switch (opt) {
		case 'n': bad = num(optarg, 100, 1e10, &events); break;
		case 't': bad = num(optarg, 2, MAX_THREADS, &threads); break;
		case 'c': bad = num(optarg, 1, MAX_CHANNELS, &chans); break;
		case 's': bad = num(optarg, 0, 1e18, &seed); break;
		case 'z': bad = num(optarg, -1, 9, &level); break;
		case 'o': out = optarg; break;
		case 'r': in = optarg; break;
		default: usage(); return 2;
		}
		if (bad) {
			fprintf(stderr, "gen_trace: bad value for -%c: %s\n", opt, optarg);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage();
		return 2;
	}

	t0 = now_s();
	if (in) {
		if (recode(in, out, (int)level, &written))
			return 1;
		goto done;
	}

	g = calloc(1, sizeof(*g));
	if (!g)
		return 1;
	g->rng = 0x853c49e6748fea9bULL ^ ((__u64)seed * 0x9e3779b97f4a7c15ULL);
	g->target = events;
	g->now = 1000000000ULL;
	setup(g, (int)threads, (int)chans);

	memset(&meta, 0, sizeof(meta));
	meta.start_mono_ns = g->now;
	meta.start_real_ns = 1700000000000000000ULL;
	snprintf(meta.kernel, sizeof(meta.kernel), "gen_trace");
	snprintf(meta.host, sizeof(meta.host), "bench");
	snprintf(meta.arch, sizeof(meta.arch), "x86_64");
	snprintf(meta.cmdline, sizeof(meta.cmdline), "gen_trace -n %lld -t %lld -c %lld -s %lld",
		 events, threads, chans, seed);

	fd = open_out(out);
	if (fd < 0) {
		free(g);
		return 1;
	}
	g->w = trace_writer__open_fd(fd, &meta, (int)level);
	if (!g->w) {
		fprintf(stderr, "gen_trace: cannot write %s: %s\n", out, strerror(errno));
		close(fd);
		free(g);
		return 1;
	}
	generate(g);
	err = g->err;
	written = trace_writer__events(g->w);
	if (err) {
		trace_writer__free(g->w);
	} else {
		err = trace_writer__close(g->w);
	}
	if (close(fd) && !err)
		err = -errno;
	free(g);
	if (err) {
		fprintf(stderr, "gen_trace: writing %s: %s\n", out, strerror(-err));
		return 1;
	}
done:
	if (stat(out, &st)) {
		fprintf(stderr, "gen_trace: %s: %s\n", out, strerror(errno));
		return 1;
	}
	printf("gen_trace: %llu events, %lld bytes, %.2f bytes/event, %.3f s\n",
	       (unsigned long long)written, (long long)st.st_size,
	       written ? (double)st.st_size / written : 0.0, now_s() - t0);
	return 0;
}
