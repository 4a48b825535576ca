// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Mode evidence, per process and channel (DESIGN.md's four modes): calls
 * that slept in the channel (sync-blocking), EAGAIN and zero-timeout
 * retries (sync-nonblocking, drawn as polling runs), a wait in
 * poll/select/epoll_wait before the I/O (async-blocking), completions and
 * notifications (async-nonblocking). The dominant mode is the one with the
 * most time, then the most calls.
 */
#include <errno.h>
#include "model_priv.h"

/* Emit the thread's open polling run, if any. */
void run_end(struct model *m, struct thr *t)
{
	struct model_span s;

	if (!t->run)
		return;
	t->run = false;
	s = (struct model_span){
		.pid = t->pub.pid, .tid = t->pub.tid, .state = SPAN_POLLING,
		.start = t->run_start, .end = t->run_end, .chan = rch_id(m->priv, t->run_rc),
		.op = t->run_op, .nr = t->run_nr, .ret = t->run_ret, .calls = t->run_calls,
	};
	emit_span(m, &s);
}

/* An EAGAIN or zero-timeout call joins the thread's polling run (a new one after a gap). */
void call_polling_run(struct model *m, struct thr *t, const struct call *c)
{
	const struct ipct_syscall *e = c->e;

	if (!((c->eagain && !c->async) || c->zero))
		return;
	if (t->run && c->start >= t->run_end + POLL_GAP_NS)
		run_end(m, t);
	if (!t->run) {
		t->run = true;
		t->run_start = c->start;
		t->run_calls = 0;
	}
	t->run_end = c->end;
	t->run_calls++;
	t->run_ret = e->ret;
	t->run_op = e->op;
	t->run_nr = e->nr;
	t->run_rc = c->rc;
}

static uint64_t epoll_member_key(uint32_t set, uint64_t chan)
{
	return mix64(set) ^ chan;
}

/* A poll/select/epoll_wait: the I/O that follows is credited to it until the next one. */
void call_poll_wait(struct model_priv *p, struct thr *t, const struct call *c)
{
	const struct ipct_syscall *e = c->e;

	if (!c->poll)
		return;
	if (!c->zero)
		t->snb_start = 0;  /* it waited properly: the busy-wait is over */
	else if (!t->snb_start) {
		t->snb_start = c->start;
		t->snb_rc = NONE_IDX;
	}
	t->poll_valid = true;
	t->poll_zero = c->zero;
	t->poll_blocked_ns = c->blk;
	t->npoll_credited = 0;
	t->poll_set = 0;
	if (e->op == IPCT_OP_EPOLL_WAIT && e->fd >= 0) {
		uint32_t set = hmap_get(&p->epoll_set, ((uint64_t)e->h.pid << 32) | (uint32_t)e->fd);

		t->poll_set = set == NONE_IDX ? 0 : set;
	}
}

/* epoll_create starts a set; epoll_ctl adds (ADD, MOD) or drops (DEL) a channel of it. */
void on_epoll_ctl(struct model *m, const struct ipct_syscall *e)
{
	struct model_priv *p = m->priv;
	uint64_t key;
	uint32_t set;

	if (e->ret < 0)
		return;
	if (e->arg == 0) {
		key = ((uint64_t)e->h.pid << 32) | (uint32_t)e->ret;
		if (hmap_put(&p->epoll_set, key, ++p->next_set))
			p->oom = true;
		return;
	}
	if (e->fd < 0 || !e->chan)
		return;
	set = hmap_get(&p->epoll_set, ((uint64_t)e->h.pid << 32) | (uint32_t)e->fd);
	if (set == NONE_IDX)
		return;
	if (hmap_put(&p->epoll_member, epoll_member_key(set, e->chan), e->arg != 2 /* DEL */))
		p->oom = true;
}

/* Whether a read on chan follows the thread's last wait for it (any channel if the set is unknown). */
static bool poll_covers(const struct model_priv *p, const struct thr *t, uint64_t chan)
{
	return !t->poll_set || hmap_get(&p->epoll_member, epoll_member_key(t->poll_set, chan)) == 1;
}

static bool poll_credit(struct thr *t, uint32_t rc)
{
	for (int i = 0; i < t->npoll_credited; i++)
		if (t->poll_credited[i] == rc)
			return false;
	if (t->npoll_credited < POLL_CREDITS)
		t->poll_credited[t->npoll_credited++] = rc;
	return true;
}

/* What the call says about how its thread waits on c->rc: evidence on c->ep. */
void call_mode_evidence(struct model *m, struct call *c)
{
	struct model_priv *p = m->priv;
	const struct ipct_syscall *e = c->e;
	struct model_endpoint *ep = c->ep;
	struct thr *t = c->t;

	if (c->eagain) {
		ep->eagain++;
		if (!c->async) {
			ep->mode_calls[MODE_SYNC_NONBLOCKING]++;
			if (!t->snb_start) {
				t->snb_start = c->start;
				t->snb_rc = c->rc;
			}
		}
	}
	if (is_io_op(e->op)) {
		if (c->nblk) {
			ep->mode_calls[MODE_SYNC_BLOCKING]++;
			ep->mode_ns[MODE_SYNC_BLOCKING] += c->blk;
		}
		if (c->async)
			ep->mode_calls[MODE_ASYNC_NONBLOCKING]++;
		if (t->poll_valid && poll_covers(p, t, e->chan) && poll_credit(t, c->rc)) {
			if (t->poll_zero) {
				ep->mode_calls[MODE_SYNC_NONBLOCKING]++;
			} else {
				ep->mode_calls[MODE_ASYNC_BLOCKING]++;
				ep->mode_ns[MODE_ASYNC_BLOCKING] += t->poll_blocked_ns;
			}
		}
	}
	if (e->op == IPCT_OP_MQ_NOTIFY || e->op == IPCT_OP_IO_URING_ENTER ||
	    e->op == IPCT_OP_IO_SUBMIT)
		ep->mode_calls[MODE_ASYNC_NONBLOCKING]++;
}

/* Data moved: the busy-wait on its channel (or on any, after zero-timeout polls) is over. */
void call_busy_wait_end(struct model *m, struct call *c)
{
	struct thr *t = c->t;

	if (t->snb_start && c->ep && (t->snb_rc == NONE_IDX || t->snb_rc == c->rc)) {
		c->ep->mode_ns[MODE_SYNC_NONBLOCKING] += sub0(c->start, t->snb_start);
		t->snb_start = 0;
	}
	run_end(m, t);
}

/*
 * glibc's AIO helper thread signals its own process that the I/O it just did
 * completed: that transfer was done for another thread, async-nonblocking.
 */
void call_aio_completion(struct model *m, struct call *c)
{
	struct model_priv *p = m->priv;
	const struct ipct_syscall *e = c->e;
	struct thr *t = c->t;

	if (e->op == IPCT_OP_KILL && (e->h.flags & IPCT_F_ASYNC) && e->ret == 0 &&
	    t->io_rc != NONE_IDX) {
		uint32_t idx = hmap_get(&p->thr_by_tid, (uint32_t)e->arg);
		uint32_t target = idx != NONE_IDX ? p->thrs[idx].pub.pid : (uint32_t)e->arg;
		uint32_t io = rch_resolve(p, t->io_rc);
		struct model_endpoint *aio = target == e->h.pid && io != NONE_IDX ?
					     rch_ep(m, io, e->h.pid) : NULL;

		if (aio) {
			if (t->io_blocked && aio->mode_calls[MODE_SYNC_BLOCKING]) {
				aio->mode_calls[MODE_SYNC_BLOCKING]--;
				aio->mode_ns[MODE_SYNC_BLOCKING] -= t->io_blk_ns < aio->mode_ns[MODE_SYNC_BLOCKING] ?
					t->io_blk_ns : aio->mode_ns[MODE_SYNC_BLOCKING];
			}
			aio->mode_calls[MODE_ASYNC_NONBLOCKING]++;
		}
	}
	if (is_io_op(e->op) || e->op == IPCT_OP_KILL) {
		t->io_rc = NONE_IDX;
		if (c->bytes >= 0 && c->rc != NONE_IDX && (is_recv_op(e->op) || is_send_op(e->op))) {
			t->io_rc = c->rc;
			t->io_blocked = c->nblk && is_io_op(e->op);
			t->io_blk_ns = c->blk;
		}
	}
}

enum model_mode dominant_mode(const struct model_endpoint *e)
{
	enum model_mode best = MODE_NONE;

	for (int mo = 0; mo < MODE_COUNT; mo++) {
		if (!e->mode_calls[mo] && !e->mode_ns[mo])
			continue;
		if (best == MODE_NONE || e->mode_ns[mo] > e->mode_ns[best] ||
		    (e->mode_ns[mo] == e->mode_ns[best] && e->mode_calls[mo] > e->mode_calls[best]))
			best = mo;
	}
	return best;
}
