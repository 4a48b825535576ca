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
#include <string.h>
#include "model_priv.h"

/* Emit the thread's open polling run if a try in it was retried without a sleep; else drop it. */
void run_end(struct model *m, struct thr *t)
{
	struct model_span s;

	if (!t->run)
		return;
	t->run = false;
	if (!t->run_busy)
		return;
	s = (struct model_span){
		.pid = t->pub.pid, .tid = t->pub.tid, .state = SPAN_POLLING,
		.start = t->run_start, .end = t->run_end, .chan = rch_id(m->priv, t->run_rc),
		.chan_kind = rch_kind(m->priv, t->run_rc),
		.op = t->run_op, .nr = t->run_nr, .ret = t->run_ret, .calls = t->run_calls,
	};
	emit_span(m, &s);
}

/* What a call tries to do on its channel: reading, writing, or its own op (accept, semop...). */
static uint8_t try_class(unsigned op)
{
	if (is_recv_op(op))
		return IPCT_OP_READ;
	if (is_send_op(op))
		return IPCT_OP_WRITE;
	return op;
}

/* It found nothing to do: EAGAIN (but a futex word that changed is no try), or an empty zero-timeout poll. */
static bool is_failed_try(const struct call *c)
{
	if (c->zero)
		return c->e->ret <= 0;
	return c->eagain && !c->async && c->e->op != IPCT_OP_FUTEX_WAIT;
}

/*
 * It slept until something could happen: a poll/select/epoll_wait that was
 * ready to sleep, or any call that did sleep. A timed nap (nanosleep)
 * between tries is no wait for the channel: the loop is still polling.
 */
static bool sleeps_for_readiness(const struct call *c)
{
	if (c->poll)
		return !c->zero;
	return c->nblk && c->e->op != IPCT_OP_NANOSLEEP;
}

/* A failed try was retried without a sleep: busy-wait evidence on its channel. */
static void try_retried(struct model *m, struct thr *t, const struct failed_try *ft)
{
	uint32_t rc = rch_resolve(m->priv, ft->rc);

	t->busy = true;
	if (t->run)
		t->run_busy = true;
	if (rc != NONE_IDX) {
		struct model_endpoint *ep = rch_ep(m, rc, t->pub.pid);

		if (ep)
			ep->mode_calls[MODE_SYNC_NONBLOCKING]++;
	}
}

/* It opened, closed or re-armed a channel of its own: the thread works between its checks. */
static bool is_channel_work(const struct call *c)
{
	unsigned op = c->e->op;

	return c->rc != NONE_IDX && c->e->ret >= 0 &&
	       (op == IPCT_OP_ACCEPT || op == IPCT_OP_CONNECT || op == IPCT_OP_CLOSE ||
		op == IPCT_OP_SHUTDOWN || op == IPCT_OP_EPOLL_CTL);
}

/*
 * Busy-waiting is retrying without sleeping in between. A failed try waits
 * here until the thread either tries the same thing again (then it was
 * busy-waiting) or sleeps for readiness (then it was an event loop that
 * drained its channel, not a busy-wait). Failed tries also make the polling
 * run, split on gaps, drawn only if a try in it was retried.
 */
void call_busy_wait(struct model *m, struct thr *t, const struct call *c)
{
	const struct ipct_syscall *e = c->e;
	uint8_t cls;
	bool retry = false;
	int j = 0;

	/* the common call: no try pending, no run open, and this one no try either; only that stays so */
	if (!t->ntries && !t->busy && !t->run && !c->zero && !is_failed_try(c)) {
		t->snb_start = 0;
		return;
	}
	if (sleeps_for_readiness(c)) {
		run_end(m, t);
		t->ntries = 0;
		t->snb_start = 0;
		t->busy = false;
		return;
	}
	cls = try_class(e->op);
	for (int i = 0; i < t->ntries; i++) {
		struct failed_try *ft = &t->tries[i];
		bool again = ft->rc == NONE_IDX ? c->zero :
			     (!c->poll && cls == ft->cls && c->rc != NONE_IDX &&
			      rch_resolve(m->priv, ft->rc) == c->rc);

		retry |= again;
		if (!again)
			t->tries[j++] = *ft;
		else if (t->busy || is_failed_try(c) || ft->rc != NONE_IDX)
			try_retried(m, t, ft);
		/* else one empty zero-timeout look, then one that found work: a loop looking between
		 * its callbacks (asyncio), not a spin; a failed read retried is a spin even once */
	}
	t->ntries = j;
	/* work on a channel ends the stretch as moving data does (asyncio closing a connection) */
	if (!retry && is_channel_work(c)) {
		run_end(m, t);
		t->ntries = 0;
		t->busy = false;
	}
	/* nothing was retried in vain and nothing is pending: no busy-wait has started */
	if (!t->busy && !t->ntries)
		t->snb_start = 0;
	/* A zero-timeout look that found work: what the loop tries next it was told to, not a blind retry. */
	if (c->poll && c->zero && e->ret > 0)
		t->ntries = 0;
	if (is_failed_try(c)) {
		if (t->ntries == TRIES_MAX) {
			memmove(&t->tries[0], &t->tries[1], (TRIES_MAX - 1) * sizeof(t->tries[0]));
			t->ntries--;
		}
		t->tries[t->ntries++] = (struct failed_try){ .rc = c->zero ? NONE_IDX : c->rc, .cls = cls };
		if (!t->snb_start) {
			t->snb_start = c->start;
			t->snb_rc = c->zero ? NONE_IDX : c->rc;
		}
	} else if (!c->zero) {
		return;
	}
	/* a zero-timeout poll that found data still belongs to the loop's run */
	if (t->run && c->start >= t->run_end + POLL_GAP_NS)
		run_end(m, t);
	if (!t->run) {
		t->run = true;
		t->run_busy = false;
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
	t->poll_valid = true;
	t->poll_zero = c->zero;
	t->poll_ready = e->ret > 0;
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

	if (c->eagain)
		ep->eagain++;
	if (is_io_op(e->op)) {
		if (c->nblk) {
			ep->mode_calls[MODE_SYNC_BLOCKING]++;
			ep->mode_ns[MODE_SYNC_BLOCKING] += c->blk;
		}
		if (c->async)
			ep->mode_calls[MODE_ASYNC_NONBLOCKING]++;
		if (t->poll_valid && poll_covers(p, t, c->chan) && poll_credit(t, c->rc)) {
			/*
			 * After zero-timeout polls: busy-waiting if they were retried in vain; else the
			 * look found this channel ready and the loop only did what it was told (a
			 * saturated event loop that never needs to sleep): readiness multiplexing.
			 */
			if (t->poll_zero) {
				if (t->busy)
					ep->mode_calls[MODE_SYNC_NONBLOCKING]++;
				else if (t->poll_ready)
					ep->mode_calls[MODE_ASYNC_BLOCKING]++;
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

/*
 * Data moved: the busy-wait on its channel (or on any, after zero-timeout
 * polls) is over; tries on other channels were not retried idly either, the
 * thread did work in between (an event loop answering other clients).
 */
void call_busy_wait_end(struct model *m, struct call *c)
{
	struct thr *t = c->t;

	/* sinks only: c->ep was not looked up again after the transfers (it may have moved) */
	if (!m->priv->opts.sinks_only && t->snb_start && t->busy && c->ep &&
	    (t->snb_rc == NONE_IDX || t->snb_rc == c->rc))
		c->ep->mode_ns[MODE_SYNC_NONBLOCKING] += sub0(c->start, t->snb_start);
	run_end(m, t);
	t->snb_start = 0;
	t->busy = false;
	t->ntries = 0;
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
	/* On a tie a mode that waited wins over busy-waiting: retrying must outweigh, not equal. */
	static const enum model_mode order[MODE_COUNT] = {
		MODE_SYNC_BLOCKING, MODE_ASYNC_BLOCKING, MODE_ASYNC_NONBLOCKING, MODE_SYNC_NONBLOCKING,
	};
	enum model_mode best = MODE_NONE;

	for (int i = 0; i < MODE_COUNT; i++) {
		enum model_mode mo = order[i];

		if (!e->mode_calls[mo] && !e->mode_ns[mo])
			continue;
		if (best == MODE_NONE || e->mode_ns[mo] > e->mode_ns[best] ||
		    (e->mode_ns[mo] == e->mode_ns[best] && e->mode_calls[mo] > e->mode_calls[best]))
			best = mo;
	}
	return best;
}
