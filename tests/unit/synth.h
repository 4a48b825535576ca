/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Synthetic event streams for the model and report tests: events built as
 * the structs of bpf/ipctrace.h and fed to model__add directly. */
#ifndef IPCTRACE_TESTS_SYNTH_H
#define IPCTRACE_TESTS_SYNTH_H

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "model.h"

/* Sinks that count and keep the last few items. */
struct sink {
	size_t nspans, ntransfers, nwakes, nlost;
	size_t spans_by_state[SPAN_STATE_COUNT];
	struct model_span polling[16];
	size_t npolling;
	struct model_transfer transfers[64];
	uint64_t transfer_bytes;
	struct model_wake wakes[16];
	bool negative;  /* a span or transfer going back in time */
};

static inline void sink_span(void *ctx, const struct model_span *s)
{
	struct sink *k = ctx;

	k->nspans++;
	if (s->state < SPAN_STATE_COUNT)
		k->spans_by_state[s->state]++;
	if (s->end < s->start)
		k->negative = true;
	if (s->state == SPAN_POLLING && k->npolling < 16)
		k->polling[k->npolling++] = *s;
}

static inline void sink_transfer(void *ctx, const struct model_transfer *t)
{
	struct sink *k = ctx;

	if (k->ntransfers < 64)
		k->transfers[k->ntransfers] = *t;
	k->ntransfers++;
	k->transfer_bytes += t->bytes;
}

static inline void sink_wake(void *ctx, const struct model_wake *w)
{
	struct sink *k = ctx;

	if (k->nwakes < 16)
		k->wakes[k->nwakes] = *w;
	k->nwakes++;
}

static inline void sink_lost(void *ctx, const struct model_lost *l)
{
	struct sink *k = ctx;

	k->nlost++;
}

static inline struct model *synth_model(struct sink *k, bool all_files)
{
	struct model_opts o = { .all_files = all_files };

	if (k) {
		memset(k, 0, sizeof(*k));
		o = (struct model_opts){
			.ctx = k, .on_span = sink_span, .on_transfer = sink_transfer,
			.on_wake = sink_wake, .on_lost = sink_lost, .all_files = all_files,
		};
	}
	return model__new(&o);
}

static inline void hdr(struct ipct_hdr *h, unsigned type, uint64_t ts, uint32_t pid, uint32_t tid)
{
	h->type = type;
	h->ts = ts;
	h->pid = pid;
	h->tid = tid;
}

static inline void ev_task(struct model *m, uint64_t ts, uint32_t pid, uint32_t tid, const char *comm)
{
	struct ipct_task e = { 0 };

	hdr(&e.h, IPCT_EV_TASK, ts, pid, tid);
	if (pid != tid)
		e.h.flags = IPCT_F_THREAD;
	e.child_pid = 1;
	e.child_tid = 1;
	strncpy(e.comm, comm, sizeof(e.comm));
	model__add(m, &e.h);
}

static inline void ev_comm(struct model *m, uint64_t ts, uint32_t pid, uint32_t tid, const char *comm,
		    size_t len)
{
	struct ipct_proc e = { 0 };

	hdr(&e.h, IPCT_EV_COMM, ts, pid, tid);
	memcpy(e.comm, comm, len < sizeof(e.comm) ? len : sizeof(e.comm));
	model__add(m, &e.h);
}

static inline void ev_exit(struct model *m, uint64_t ts, uint32_t pid, uint32_t tid, int code)
{
	struct ipct_proc e = { 0 };

	hdr(&e.h, IPCT_EV_EXIT, ts, pid, tid);
	e.h.flags = pid == tid ? IPCT_F_GROUP_DEAD : 0;
	e.exit_code = code;
	model__add(m, &e.h);
}

static inline void ev_chan(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, unsigned kind,
		    uint64_t peer, uint64_t ino, const char *name)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, ts, pid, pid);
	e.chan = chan;
	e.kind = kind;
	e.peer = peer;
	e.ino = ino;
	if (name)
		memcpy(e.name, name, strnlen(name, sizeof(e.name) - 1));
	model__add(m, &e.h);
}

static inline void ev_inet(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, unsigned kind,
		    const char *saddr, uint16_t sport, const char *daddr, uint16_t dport)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, ts, pid, pid);
	e.chan = chan;
	e.kind = kind;
	if (strchr(saddr, ':')) {
		e.family = AF_INET6;
		inet_pton(AF_INET6, saddr, e.saddr);
		inet_pton(AF_INET6, daddr, e.daddr);
	} else {
		e.family = AF_INET;
		inet_pton(AF_INET, saddr, e.saddr);
		inet_pton(AF_INET, daddr, e.daddr);
	}
	e.sport = sport;
	e.dport = dport;
	model__add(m, &e.h);
}

static inline void ev_sys(struct model *m, uint32_t pid, uint32_t tid, uint64_t enter, uint64_t exit,
		   unsigned op, uint64_t chan, int64_t ret, unsigned flags)
{
	struct ipct_syscall e = { 0 };

	hdr(&e.h, IPCT_EV_SYSCALL, exit, pid, tid);
	e.h.flags = flags;
	e.enter_ts = enter;
	e.op = op;
	e.chan = chan;
	e.ret = ret;
	e.arg = -1;
	model__add(m, &e.h);
}

static inline void ev_sys2(struct model *m, uint32_t pid, uint32_t tid, uint64_t enter, uint64_t exit,
		    unsigned op, uint64_t chan, uint64_t chan2, int64_t ret, int64_t arg)
{
	struct ipct_syscall e = { 0 };

	hdr(&e.h, IPCT_EV_SYSCALL, exit, pid, tid);
	e.enter_ts = enter;
	e.op = op;
	e.chan = chan;
	e.chan2 = chan2;
	e.ret = ret;
	e.arg = arg;
	model__add(m, &e.h);
}

/* A syscall on fd (epoll_ctl: the epoll fd) with its op-specific arg. */
static inline void ev_sysfd(struct model *m, uint32_t pid, uint32_t tid, uint64_t enter, uint64_t exit,
		     unsigned op, uint64_t chan, int32_t fd, int64_t ret, int64_t arg)
{
	struct ipct_syscall e = { 0 };

	hdr(&e.h, IPCT_EV_SYSCALL, exit, pid, tid);
	e.enter_ts = enter;
	e.op = op;
	e.chan = chan;
	e.fd = fd;
	e.ret = ret;
	e.arg = arg;
	model__add(m, &e.h);
}

/* Off CPU [out, in]; state != 0: blocked until wake, woken by waker. */
static inline void ev_sleep(struct model *m, uint32_t pid, uint32_t tid, uint64_t out, uint64_t wake,
		     uint64_t in, uint32_t state, unsigned op, uint64_t chan, uint32_t waker_pid,
		     uint64_t waker_chan)
{
	struct ipct_sleep e = { 0 };

	hdr(&e.h, IPCT_EV_SLEEP, in, pid, tid);
	e.out_ts = out;
	e.wake_ts = wake;
	e.state = state;
	e.op = op;
	e.nr = op ? 0 : 0xffff;
	e.chan = chan;
	e.waker_pid = waker_pid;
	e.waker_tid = waker_pid;
	e.waker_chan = waker_chan;
	e.waker_op = waker_chan ? IPCT_OP_WRITE : 0;
	model__add(m, &e.h);
}

static inline void ev_lost(struct model *m, uint64_t first, uint64_t ts, uint16_t cpu, uint64_t count)
{
	struct ipct_lost e = { 0 };

	hdr(&e.h, IPCT_EV_LOST, ts, 0, 0);
	e.h.cpu = cpu;
	e.first_ts = first;
	e.count = count;
	model__add(m, &e.h);
}

/* WINDOW: recording began (IPCT_F_START) or ended (IPCT_F_STOP) at ts. */
static inline void ev_window(struct model *m, unsigned flag, uint64_t ts)
{
	struct ipct_window e = { 0 };

	hdr(&e.h, IPCT_EV_WINDOW, ts, 0, 0);
	e.h.flags = flag;
	model__add(m, &e.h);
}

/* FORK by parent pid/tid of child cpid/ctid (a thread when pid == cpid). */
static inline void ev_fork(struct model *m, uint64_t ts, uint32_t pid, uint32_t tid, uint32_t cpid,
			   uint32_t ctid, const char *comm)
{
	struct ipct_task e = { 0 };

	hdr(&e.h, IPCT_EV_FORK, ts, pid, tid);
	if (pid == cpid)
		e.h.flags = IPCT_F_THREAD;
	e.child_pid = cpid;
	e.child_tid = ctid;
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	model__add(m, &e.h);
}

static inline void ev_exec(struct model *m, uint64_t ts, uint32_t pid, const char *comm, const char *file)
{
	struct ipct_proc e = { 0 };

	hdr(&e.h, IPCT_EV_EXEC, ts, pid, pid);
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	strncpy(e.name, file, sizeof(e.name) - 1);
	model__add(m, &e.h);
}

/* A shared mapping of chan that pid holds, found by a scan (prot: PROT_* bits). */
static inline void ev_map(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, uint32_t prot)
{
	struct ipct_map e = { 0 };

	hdr(&e.h, IPCT_EV_MAP, ts, pid, pid);
	e.chan = chan;
	e.addr = 0x7f0000000000;
	e.len = 4096;
	e.prot = prot;
	model__add(m, &e.h);
}

/* argv of pid as len raw bytes (NULs between arguments); exe may be NULL. */
static inline void ev_cmdline(struct model *m, uint64_t ts, uint32_t pid, const char *exe,
			      const char *args, size_t len)
{
	struct ipct_cmdline e = { 0 };

	hdr(&e.h, IPCT_EV_CMDLINE, ts, pid, pid);
	if (exe)
		strncpy(e.exe, exe, sizeof(e.exe) - 1);
	e.len = len < sizeof(e.args) ? len : sizeof(e.args);
	memcpy(e.args, args, e.len);
	model__add(m, &e.h);
}

static inline const struct model_endpoint *synth_ep(const struct model_channel *c, uint32_t pid)
{
	for (size_t i = 0; c && i < c->nendpoints; i++)
		if (c->endpoints[i].pid == pid)
			return &c->endpoints[i];
	return NULL;
}

#endif /* IPCTRACE_TESTS_SYNTH_H */
