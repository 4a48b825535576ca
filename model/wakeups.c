// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Wakeups: who woke whom, counted per (waker, wakee, channel), and streamed to on_wake. */
#include <errno.h>
#include <stdlib.h>
#include "model_priv.h"

static void wake_add(struct model *m, uint32_t waker, uint32_t wakee, uint32_t rc)
{
	struct model_priv *p = m->priv;
	uint64_t key = ((uint64_t)waker << 32) | wakee;
	uint32_t i = hmap_get(&p->pair_by_pids, key);
	struct wake_pair *wp;

	if (i == NONE_IDX) {
		if (grow(&p->pairs, &p->cpairs, p->npairs, sizeof(*p->pairs)) ||
		    hmap_put(&p->pair_by_pids, key, p->npairs)) {
			p->oom = true;
			return;
		}
		i = p->npairs++;
		p->pairs[i].waker = waker;
		p->pairs[i].wakee = wakee;
	}
	wp = &p->pairs[i];
	for (size_t j = 0; j < wp->n; j++) {
		if (rch_resolve(p, wp->chans[j].rc) == rc) {
			wp->chans[j].rc = rc;
			wp->chans[j].count++;
			return;
		}
	}
	if (grow(&wp->chans, &wp->cap, wp->n, sizeof(*wp->chans))) {
		p->oom = true;
		return;
	}
	wp->chans[wp->n++] = (struct wake_chan){ .rc = rc, .count = 1 };
}

void emit_wake(struct model *m, uint32_t rc, uint32_t waker_pid, uint32_t waker_tid,
	       uint32_t wakee_pid, uint32_t wakee_tid, uint64_t ts, uint8_t op)
{
	struct model_priv *p = m->priv;

	if (rc != NONE_IDX) {
		p->rchs[rc].waited = true;
		/* a channel no traced process is an endpoint of (yet) gets no id from a wakeup */
		if (p->rchs[rc].neps)
			rch_use(m, rc);
	}
	/* the counts per pair are the report's; the sinks see each wake */
	if (!p->opts.sinks_only)
		wake_add(m, waker_pid, wakee_pid, rc);
	if (p->opts.on_wake) {
		struct model_wake w = {
			.chan = rch_id(p, rc), .waker_pid = waker_pid, .waker_tid = waker_tid,
			.wakee_pid = wakee_pid, .wakee_tid = wakee_tid, .ts = ts, .waker_op = op,
			.waker_seen = waker_tid && hmap_get(&p->thr_by_tid, waker_tid) != NONE_IDX,
			.wakee_seen = hmap_get(&p->thr_by_tid, wakee_tid) != NONE_IDX,
		};
		p->opts.on_wake(p->opts.ctx, &w);
	}
}

/* A traced task woke an untraced one. */
void on_wakeup(struct model *m, const struct ipct_wakeup *e)
{
	uint32_t rc;

	if (!thr_get(m, e->h.pid, e->h.tid, e->h.ts))
		return;
	rc = chan_rc(m, udp_flow_of_socket(m, e->chan), false);
	if (rc == NONE_IDX && e->op == IPCT_OP_KILL && e->wakee_pid != e->h.pid)
		rc = signal_rc(m, e->h.pid, e->wakee_pid);
	emit_wake(m, rc, e->h.pid, e->h.tid, e->wakee_pid, e->wakee_tid, e->h.ts, e->op);
}

static int cmp_wakeup(const void *a, const void *b)
{
	const struct model_wakeup *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->waker_pid != y->waker_pid)
		return x->waker_pid < y->waker_pid ? -1 : 1;
	if (x->wakee_pid != y->wakee_pid)
		return x->wakee_pid < y->wakee_pid ? -1 : 1;
	return (x->chan > y->chan) - (x->chan < y->chan);
}

static int cmp_wakeup_key(const void *a, const void *b)
{
	const struct model_wakeup *x = a, *y = b;

	if (x->waker_pid != y->waker_pid)
		return x->waker_pid < y->waker_pid ? -1 : 1;
	if (x->wakee_pid != y->wakee_pid)
		return x->wakee_pid < y->wakee_pid ? -1 : 1;
	return (x->chan > y->chan) - (x->chan < y->chan);
}

int finish_wakeups(struct model *m)
{
	struct model_priv *p = m->priv;
	size_t n = 0, j = 0;

	for (size_t i = 0; i < p->npairs; i++)
		n += p->pairs[i].n;
	m->wakeups = calloc(n ? n : 1, sizeof(*m->wakeups));
	if (!m->wakeups)
		return -ENOMEM;
	for (size_t i = 0; i < p->npairs; i++) {
		for (size_t k = 0; k < p->pairs[i].n; k++) {
			m->wakeups[n = j++] = (struct model_wakeup){
				.waker_pid = p->pairs[i].waker, .wakee_pid = p->pairs[i].wakee,
				.chan = rch_id(p, p->pairs[i].chans[k].rc),
				.count = p->pairs[i].chans[k].count,
			};
		}
	}
	n = j;
	/* channels merged or hidden after the fact: fold equal keys */
	qsort(m->wakeups, n, sizeof(*m->wakeups), cmp_wakeup_key);
	j = 0;
	for (size_t i = 0; i < n; i++) {
		if (j && !cmp_wakeup_key(&m->wakeups[j - 1], &m->wakeups[i]))
			m->wakeups[j - 1].count += m->wakeups[i].count;
		else
			m->wakeups[j++] = m->wakeups[i];
	}
	m->nwakeups = j;
	qsort(m->wakeups, m->nwakeups, sizeof(*m->wakeups), cmp_wakeup);
	return 0;
}
