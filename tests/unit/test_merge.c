// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * merge__run on two synthetic machines whose clocks differ by a known
 * offset: a client that connects and makes round trips, a server that
 * accepts, sleeps in recv until the network (an interrupt) wakes it, and
 * replies. Both use pid 100, as two machines may.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "merge.h"
#include "model.h"
#include "trace.h"

#define OFF 5000000000ll    /* the server's clock reads this much more */
#define ROUNDS 50

union ev {
	struct ipct_hdr h;
	struct ipct_task t;
	struct ipct_chan c;
	struct ipct_syscall s;
	struct ipct_sleep sl;
};

struct tw {
	struct trace_writer *w;
	int fd;
	char path[64];
};

static void tw_open(struct tw *t, const char *host, const char *boot, uint64_t netns,
		    const char *addr, uint64_t start)
{
	static struct trace_meta m;

	memset(&m, 0, sizeof(m));
	m.start_mono_ns = start;
	m.start_real_ns = 1700000000000000000ull + 1000;
	snprintf(m.host, sizeof(m.host), "%s", host);
	snprintf(m.boot_id, sizeof(m.boot_id), "%s", boot);
	m.nnetns = 1;
	m.netns[0] = netns;
	m.naddrs = 1;
	m.addrs[0].family = AF_INET;
	inet_pton(AF_INET, addr, m.addrs[0].addr);
	snprintf(t->path, sizeof(t->path), "/tmp/ipctrace-unit-merge.XXXXXX");
	t->fd = mkstemp(t->path);
	cr_assert_geq(t->fd, 0);
	t->w = trace_writer__open_fd(t->fd, &m, 1);
	cr_assert_not_null(t->w);
}

static void tw_close(struct tw *t)
{
	cr_assert_eq(trace_writer__close(t->w), 0);
	close(t->fd);
}

static union ev *ev_new(union ev *e, unsigned type, uint64_t ts, uint32_t pid)
{
	memset(e, 0, sizeof(*e));
	e->h.type = type;
	e->h.ts = ts;
	e->h.pid = e->h.tid = pid;
	return e;
}

static void put(struct tw *t, union ev *e)
{
	cr_assert_eq(trace_writer__add(t->w, &e->h), 0);
}

static void sys(struct tw *t, uint64_t enter, uint64_t exit, unsigned op, uint64_t chan,
		uint64_t chan2, int64_t ret)
{
	union ev e;

	ev_new(&e, IPCT_EV_SYSCALL, exit, 100);
	e.s.enter_ts = enter;
	e.s.op = op;
	e.s.chan = chan;
	e.s.chan2 = chan2;
	e.s.ret = ret;
	e.s.fd = 4;
	put(t, &e);
}

static void sock(struct tw *t, uint64_t ts, uint64_t chan, const char *la, uint16_t lp,
		 const char *ra, uint16_t rp)
{
	union ev e;

	ev_new(&e, IPCT_EV_CHAN, ts, 100);
	e.c.chan = chan;
	e.c.kind = IPCT_KIND_TCP;
	e.c.family = AF_INET;
	e.c.ino = chan & 0xffff;
	inet_pton(AF_INET, la, e.c.saddr);
	inet_pton(AF_INET, ra, e.c.daddr);
	e.c.sport = lp;
	e.c.dport = rp;
	put(t, &e);
}

/* The two traces; replies: whether the server answers (else messages go one way). */
static void write_pair(struct tw *a, struct tw *b, bool replies)
{
	union ev e;

	tw_open(a, "ha", "boot-a", 1, "10.0.0.1", 900);
	tw_open(b, "hb", "boot-b", 2, "10.0.0.2", 900 + OFF);
	ev_new(&e, IPCT_EV_TASK, 1000, 100);
	snprintf(e.t.comm, sizeof(e.t.comm), "client");
	put(a, &e);
	ev_new(&e, IPCT_EV_TASK, 1000 + OFF, 100);
	snprintf(e.t.comm, sizeof(e.t.comm), "server");
	put(b, &e);
	sys(a, 1090, 1100, IPCT_OP_SOCKET, 0xa1, 0, 4);
	sock(a, 1150, 0xa1, "10.0.0.1", 5000, "10.0.0.2", 80);
	sys(a, 1110, 1200, IPCT_OP_CONNECT, 0xa1, 0, 0);
	sock(b, 1190 + OFF, 0xb1, "10.0.0.2", 80, "10.0.0.1", 5000);
	sys(b, 1010 + OFF, 1200 + OFF, IPCT_OP_ACCEPT, 0xb0, 0xb1, 5);
	for (int k = 0; k < ROUNDS; k++) {
		uint64_t ta = 10000 + (uint64_t)k * 100000, tb = ta + OFF;

		/* true times: leaves a at ta+1000, b woken at +20000, reply leaves at +25000, back at +40000 */
		sys(a, ta, ta + 2000, IPCT_OP_SEND, 0xa1, 0, 100);
		ev_new(&e, IPCT_EV_SLEEP, tb + 21000, 100);
		e.sl.out_ts = tb + 1500;
		e.sl.wake_ts = tb + 20000;
		e.sl.state = 1;
		e.sl.op = IPCT_OP_RECV;
		e.sl.chan = 0xb1;
		put(b, &e);
		sys(b, tb + 1000, tb + 22000, IPCT_OP_RECV, 0xb1, 0, 100);
		if (replies) {
			sys(b, tb + 25000, tb + 26000, IPCT_OP_SEND, 0xb1, 0, 100);
			sys(a, ta + 3000, ta + 50000, IPCT_OP_RECV, 0xa1, 0, 100);
		}
	}
	tw_close(a);
	tw_close(b);
}

static struct sinkw {
	size_t across;
	uint32_t waker, wakee;
	int chan;
} wk;

static void on_wake(void *ctx, const struct model_wake *w)
{
	if (model_host_of(w->waker_pid) != model_host_of(w->wakee_pid)) {
		wk.across++;
		wk.waker = w->waker_pid;
		wk.wakee = w->wakee_pid;
		wk.chan = w->chan;
	}
}

Test(merge, two_machines_one_pid_number_clock_found_and_network_wakeups_credited)
{
	struct tw a, b;
	char out[] = "/tmp/ipctrace-unit-merged.XXXXXX", why[512];
	const char *paths[2];
	struct merge_opts o = { .paths = paths, .n = 2, .zlevel = 1 };
	struct model_opts mo = { .on_wake = on_wake };
	struct merge_result res;
	struct trace_reader *r;
	const struct trace_host *h;
	struct model *m;
	int fd, err;

	write_pair(&a, &b, true);
	paths[0] = a.path;
	paths[1] = b.path;
	fd = mkstemp(out);
	err = merge__run(&o, fd, &res, why, sizeof(why));
	cr_assert_eq(err, 0, "%s", why);
	h = &res.meta.hosts[1];
	cr_assert_str_eq(h->name, "hb");
	/* each round trip pins the offset within its 50 us less the server's 3 us turnaround */
	cr_assert_leq(llabs(h->offset_ns - OFF), (long long)h->uncertainty_ns + 1,
		      "offset %lld, uncertainty %llu", (long long)h->offset_ns,
		      (unsigned long long)h->uncertainty_ns);
	cr_assert_leq(h->uncertainty_ns, 47000, "uncertainty %llu", (unsigned long long)h->uncertainty_ns);
	cr_assert_eq(h->messages, 2 * ROUNDS);
	merge_result__release(&res);

	r = trace_reader__open_path(out, &err, NULL);
	cr_assert_not_null(r);
	memset(&wk, 0, sizeof(wk));
	m = model__from_reader(r, &mo);
	cr_assert_not_null(m);
	cr_assert_eq(m->nprocesses, 2, "pid 100 of each machine is its own process");
	cr_assert_eq(m->processes[0].pid, 100);
	cr_assert_eq(m->processes[1].pid, (1u << TRACE_HOST_SHIFT) | 100);
	cr_assert_str_eq(m->processes[1].comm, "server");
	cr_assert_eq(m->nchannels, 1);
	cr_assert(m->channels[0].across_hosts);
	cr_assert_eq(m->channels[0].nendpoints, 2);
	cr_assert_eq(m->channels[0].endpoints[0].bytes_sent, 100 * ROUNDS);
	cr_assert_eq(m->channels[0].endpoints[1].bytes_received, 100 * ROUNDS);
	/* the interrupt that woke the server's recv was the client's send */
	cr_assert_eq(wk.across, ROUNDS);
	cr_assert_eq(wk.waker, 100);
	cr_assert_eq(wk.wakee, (1u << TRACE_HOST_SHIFT) | 100);
	cr_assert_eq(wk.chan, 1);
	model__free(m);
	trace_reader__free(r);
	close(fd);
	unlink(out);
	unlink(a.path);
	unlink(b.path);
}

Test(merge, messages_one_way_only_cannot_bound_a_clock)
{
	struct tw a, b;
	char why[512];
	const char *paths[2];
	struct merge_opts o = { .paths = paths, .n = 2, .zlevel = 1 };
	struct merge_result res;
	FILE *f = tmpfile();

	write_pair(&a, &b, false);
	paths[0] = a.path;
	paths[1] = b.path;
	cr_assert_neq(merge__run(&o, fileno(f), &res, why, sizeof(why)), 0);
	cr_assert(strstr(why, "one way only"), "%s", why);
	cr_assert_null(strchr(why, '\n'));
	fclose(f);
	unlink(a.path);
	unlink(b.path);
}
