// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Signals as a channel: a successful kill/tgkill/sigqueue is one message
 * (no bytes) from the caller to the target, on the target's signal channel
 * from the kernel side or, without one, on the pair's own channel.
 */
#include <stdio.h>
#include "model_priv.h"

/* The signal channel between two processes, made on first use (kills carry no chan). */
uint32_t signal_rc(struct model *m, uint32_t a, uint32_t b)
{
	struct model_priv *p = m->priv;
	uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
	uint64_t key = ((uint64_t)lo << 32) | hi;
	uint32_t rc = hmap_get(&p->sig_by_pids, key);
	struct rch *r;

	if (rc != NONE_IDX)
		return rch_resolve(p, rc);
	rc = rch_new(m);
	if (rc == NONE_IDX)
		return rc;
	if (hmap_put(&p->sig_by_pids, key, rc)) {
		p->oom = true;
		return NONE_IDX;
	}
	r = &p->rchs[rc];
	r->kind = IPCT_KIND_SIGNAL;
	snprintf(r->name, sizeof(r->name), "signals %u <-> %u", lo, hi);
	return rc;
}

/* The process a kill's target (a tid or a pid) belongs to. */
static uint32_t kill_target(const struct model_priv *p, const struct ipct_syscall *e)
{
	uint32_t idx = hmap_get(&p->thr_by_tid, (uint32_t)e->arg);

	return idx != NONE_IDX ? p->thrs[idx].pub.pid : (uint32_t)e->arg;
}

/*
 * kill/tgkill/sigqueue that succeeded: one message from the caller to the
 * target on the target's signal channel (rc; without one from the kernel
 * side, the pair's own channel).
 */
static void on_kill(struct model *m, const struct ipct_syscall *e, uint64_t start, uint32_t rc)
{
	struct model_priv *p = m->priv;
	uint32_t target;
	struct model_endpoint *ep;
	struct rch *r;

	if (e->ret != 0 || e->arg <= 0)
		return;
	target = kill_target(p, e);
	if (rc == NONE_IDX && target != e->h.pid)
		rc = signal_rc(m, e->h.pid, target);
	if (rc == NONE_IDX)
		return;
	ep = rch_ep(m, rc, e->h.pid);
	rch_use(m, rc);
	r = &p->rchs[rc];
	rch_span_ts(r, start);
	rch_span_ts(r, e->h.ts);
	if (!ep)
		return;
	if (!ep->first_ts || start < ep->first_ts)
		ep->first_ts = start;
	if (e->h.ts > ep->last_ts)
		ep->last_ts = e->h.ts;
	ep->sends++;
	/* a signal counts one unit for transfers and direction, no bytes */
	record_send(m, rc, e->h.pid, e->h.pid, e->h.tid, start, e->h.ts, 1);
	p->rchs[rc].bytes--;
	if (hmap_get(&p->proc_by_pid, target) == NONE_IDX)
		return;
	ep = rch_ep(m, rc, target);
	if (!ep)
		return;
	if (!ep->first_ts)
		ep->first_ts = e->h.ts;
	if (e->h.ts > ep->last_ts)
		ep->last_ts = e->h.ts;
	ep->recvs++;
	record_recv(m, rc, target, target, target, e->h.ts, e->h.ts, 1);
	p->rchs[rc].bytes_recv--;
}

/* A KILL call: its message, and the channel its span is drawn on. */
void call_kill(struct model *m, struct call *c)
{
	const struct ipct_syscall *e = c->e;

	on_kill(m, e, c->start, c->rc);
	if (c->rc == NONE_IDX && e->arg > 0 && e->ret == 0) {
		uint32_t target = kill_target(m->priv, e);

		if (target != e->h.pid)
			c->rc = signal_rc(m, e->h.pid, target);
	}
}
