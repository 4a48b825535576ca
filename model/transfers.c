// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Transfers: each send waits in its channel's queue until receives on the
 * other side consume its bytes; each match is a transfer (an arrow). Which
 * sides sent and received, and whether both ways had data in flight at
 * once, give the channel's direction.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model_priv.h"

/* A channel of many processes has as many sides and flows: past this many they are hashed. */
#define SCAN_MAX 8

static uint64_t flow_key(uint64_t from, uint64_t to)
{
	return mix64(from) ^ to;
}

/* Index n (just added) in idx, with every earlier one when the scan limit is first passed. */
static int index_new(struct hmap *idx, size_t n, uint64_t (*key_of)(const void *, size_t),
		     const void *arr)
{
	if (n < SCAN_MAX)
		return 0;
	for (size_t i = n == SCAN_MAX ? 0 : n; i <= n; i++)
		if (hmap_put(idx, key_of(arr, i), (uint32_t)i))
			return -ENOMEM;
	return 0;
}

static uint64_t side_key_of(const void *arr, size_t i)
{
	return ((const struct side *)arr)[i].id;
}

static uint64_t flow_key_of(const void *arr, size_t i)
{
	const struct flow *f = arr;

	return flow_key(f[i].from, f[i].to);
}

struct side *rch_side(struct model *m, struct rch *r, uint64_t id)
{
	uint32_t k;

	if (r->nsides > SCAN_MAX) {
		if ((k = hmap_get(&r->side_idx, id)) != NONE_IDX)
			return &r->sides[k];
	} else {
		for (size_t i = 0; i < r->nsides; i++)
			if (r->sides[i].id == id)
				return &r->sides[i];
	}
	if (grow(&r->sides, &r->csides, r->nsides, sizeof(*r->sides))) {
		m->priv->oom = true;
		return NULL;
	}
	r->sides[r->nsides].id = id;
	if (index_new(&r->side_idx, r->nsides, side_key_of, r->sides)) {
		m->priv->oom = true;
		return NULL;
	}
	return &r->sides[r->nsides++];
}

struct flow *rch_flow(struct model *m, struct rch *r, uint64_t from, uint64_t to, bool create)
{
	uint32_t k = r->nflows > SCAN_MAX ? hmap_get(&r->flow_idx, flow_key(from, to)) : NONE_IDX;

	if (k != NONE_IDX && r->flows[k].from == from && r->flows[k].to == to)
		return &r->flows[k];
	/* scanned when few, or when two flows' keys met (the map then holds only the later) */
	if (r->nflows <= SCAN_MAX || k != NONE_IDX)
		for (size_t i = 0; i < r->nflows; i++)
			if (r->flows[i].from == from && r->flows[i].to == to)
				return &r->flows[i];
	if (!create)
		return NULL;
	if (grow(&r->flows, &r->cflows, r->nflows, sizeof(*r->flows))) {
		m->priv->oom = true;
		return NULL;
	}
	r->flows[r->nflows].from = from;
	r->flows[r->nflows].to = to;
	if (index_new(&r->flow_idx, r->nflows, flow_key_of, r->flows)) {
		m->priv->oom = true;
		return NULL;
	}
	return &r->flows[r->nflows++];
}

/* Data of send x (n bytes) arrived in the receive (side, pid, tid) that ended at ts. */
static void consume(struct model *m, struct rch *r, struct xfer *x, uint64_t n, uint64_t side,
		    uint32_t pid, uint32_t tid, uint64_t ts, bool own)
{
	struct model_priv *p = m->priv;

	/* flows only tell the channel's direction (full duplex) */
	if (!own && !p->opts.sinks_only) {
		struct flow *back = rch_flow(m, r, side, x->side, false);
		struct flow *f;

		/* the other way had data in flight while this one did */
		if (back && back->last_end > x->start)
			r->full = true;
		f = rch_flow(m, r, x->side, side, true);
		if (f && ts > f->last_end)
			f->last_end = ts;
	}
	if (p->opts.on_transfer) {
		struct model_transfer t = {
			.chan = r->id, .src_pid = x->pid, .src_tid = x->tid,
			.dst_pid = pid, .dst_tid = tid, .src_ts = x->ts < ts ? x->ts : ts,
			.dst_ts = ts, .bytes = n,
		};
		p->opts.on_transfer(p->opts.ctx, &t);
	}
	x->bytes -= n;
}

/*
 * x at the end of q (at most max long). The array holds a quarter more than
 * max, so the dead head left by dropped and drained entries is slid away
 * once per max / 4 drops of a full queue, not on every one.
 */
static int xq_append(struct model *m, struct xfer_q *q, size_t max, const struct xfer *x)
{
	size_t limit = max + max / 4;

	if (q->head + q->len == q->cap) {
		if (q->head && (q->head >= q->len || q->cap >= limit)) {
			memmove(q->v, q->v + q->head, q->len * sizeof(*q->v));
			q->head = 0;
		} else {
			size_t ncap = q->cap ? (q->cap * 2 < limit ? q->cap * 2 : limit) : 2;
			struct xfer *nv = realloc(q->v, ncap * sizeof(*q->v));

			if (!nv) {
				m->priv->oom = true;
				return -ENOMEM;
			}
			q->v = nv;
			q->cap = ncap;
		}
	}
	if (!q->len) {
		q->side = x->side;
		q->mixed = false;
	} else if (x->side != q->side) {
		q->mixed = true;
	}
	q->v[q->head + q->len++] = *x;
	return 0;
}

void xfer_push(struct model *m, struct xfer_q *q, size_t max, const struct xfer *x)
{
	if (q->len == max) {
		struct xfer *last = &q->v[q->head + q->len - 1];

		/* full: merge consecutive ones of one thread, else forget the oldest */
		if (last->tid == x->tid && last->side == x->side) {
			last->bytes += x->bytes;
			last->ts = x->ts;
			return;
		}
		q->head++;
		q->len--;
	}
	xq_append(m, q, max, x);
}

/*
 * Drop the drained ones, all within entries lo..hi (queue order): the rest
 * were never empty. A drained start of the queue only moves its head.
 */
static void xfer_compact(struct xfer_q *q, size_t lo, size_t hi)
{
	struct xfer *v = q->v + q->head;
	size_t j = lo, ndrop;

	for (size_t i = lo; i <= hi; i++)
		if (v[i].bytes)
			v[j++] = v[i];
	ndrop = hi + 1 - j;
	if (j == 0)
		q->head += ndrop;
	else
		memmove(v + j, v + hi + 1, (q->len - hi - 1) * sizeof(*v));
	q->len -= ndrop;
	if (!q->len)
		q->head = 0;
}

/* Entry i was drained: widen the span lo..hi that xfer_compact looks at. */
static void note_drained(size_t i, size_t *lo, size_t *hi)
{
	if (i < *lo)
		*lo = i;
	if (i > *hi)
		*hi = i;
}

void record_send(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
		 uint64_t start, uint64_t ts, uint64_t bytes)
{
	struct rch *r = &m->priv->rchs[rc];
	/* sides only tell the channel's direction */
	struct side *sd = m->priv->opts.sinks_only ? NULL : rch_side(m, r, side);
	struct xfer x = { .side = side, .pid = pid, .tid = tid, .start = start, .ts = ts,
			  .bytes = bytes };
	size_t lo = SIZE_MAX, hi = 0;

	if (sd)
		sd->sent = true;
	r->bytes += bytes;
	r->messages++;
	r->written = true;
	/* receives that returned while this send was still on its way out (none if all are this side's) */
	for (size_t i = 0; (r->rq.mixed || r->rq.side != side) && i < r->rq.len && x.bytes; i++) {
		struct xfer *rv = &r->rq.v[r->rq.head + i];
		uint64_t n;

		if (rv->side == side || !rv->bytes || rv->ts < start)
			continue;
		n = rv->bytes < x.bytes ? rv->bytes : x.bytes;
		consume(m, r, &x, n, rv->side, rv->pid, rv->tid, rv->ts, false);
		rv->bytes -= n;
		if (!rv->bytes)
			note_drained(i, &lo, &hi);
	}
	if (lo != SIZE_MAX)
		xfer_compact(&r->rq, lo, hi);
	if (x.bytes)
		xfer_push(m, &r->q, XFER_CAP, &x);
}

void record_recv(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
		 uint64_t start, uint64_t ts, uint64_t bytes)
{
	struct rch *r = &m->priv->rchs[rc];
	struct side *sd = m->priv->opts.sinks_only ? NULL : rch_side(m, r, side);
	uint64_t left = bytes;
	size_t lo = SIZE_MAX, hi = 0;

	if (sd)
		sd->recvd = true;
	r->bytes_recv += bytes;
	/* a queue of this side's own sends only has nothing for it here */
	for (size_t i = 0; (r->q.mixed || r->q.side != side) && i < r->q.len && left; i++) {
		struct xfer *x = &r->q.v[r->q.head + i];
		uint64_t n;

		if (x->side == side || !x->bytes)
			continue;
		n = x->bytes < left ? x->bytes : left;
		consume(m, r, x, n, side, pid, tid, ts, false);
		left -= n;
		if (!x->bytes)
			note_drained(i, &lo, &hi);
	}
	/* a pipe a process reads back itself (self-pipe): still a transfer */
	for (size_t i = 0; i < r->q.len && left && !is_socket_kind(r->kind); i++) {
		struct xfer *x = &r->q.v[r->q.head + i];
		uint64_t n;

		if (!x->bytes)
			continue;
		n = x->bytes < left ? x->bytes : left;
		consume(m, r, x, n, side, pid, tid, ts, true);
		left -= n;
		if (!x->bytes)
			note_drained(i, &lo, &hi);
	}
	if (lo != SIZE_MAX)
		xfer_compact(&r->q, lo, hi);
	if (left) {
		struct xfer rv = { .side = side, .pid = pid, .tid = tid, .start = start, .ts = ts,
				   .bytes = left };

		xfer_push(m, &r->rq, EARLY_CAP, &rv);
	}
}

/* Who wrote a channel, so that a file is IPC only when one process reads what another wrote. */
void note_writer(struct rch *r, uint32_t pid)
{
	if (!r->writer)
		r->writer = pid;
	else if (r->writer != pid)
		r->writers_many = true;
}

void note_reader(struct rch *r, uint32_t pid)
{
	if (r->writer && (r->writer != pid || r->writers_many))
		r->read_across = true;
}

/* rb is folded into ra: its sides, flows and sends still waiting for a receive. */
void xfer_merge(struct model *m, struct rch *ra, const struct rch *rb)
{
	for (size_t i = 0; i < rb->nsides; i++) {
		struct side *sd = rch_side(m, ra, rb->sides[i].id);

		if (sd) {
			sd->sent |= rb->sides[i].sent;
			sd->recvd |= rb->sides[i].recvd;
		}
	}
	for (size_t i = 0; i < rb->nflows; i++) {
		struct flow *f = rch_flow(m, ra, rb->flows[i].from, rb->flows[i].to, true);

		if (f && rb->flows[i].last_end > f->last_end)
			f->last_end = rb->flows[i].last_end;
	}
	for (size_t i = 0; i < rb->q.len; i++) {
		if (ra->q.len == XFER_CAP) {
			ra->q.head++;
			ra->q.len--;
		}
		if (xq_append(m, &ra->q, XFER_CAP, &rb->q.v[rb->q.head + i]))
			break;
	}
}

/* Bytes a successful call moved; -1 when it moved nothing. */
int64_t moved_bytes(const struct ipct_syscall *e)
{
	if (e->op == IPCT_OP_MQ_SEND || e->op == IPCT_OP_MSGSND) {
		/* these return 0 on success: the size is the one asked */
		if (e->ret > 0)
			return e->ret;
		if (e->ret == 0)
			return e->arg > 0 ? e->arg : 0;
		return -1;
	}
	if (e->h.flags & IPCT_F_MSGS)
		return e->ret > 0 ? (e->arg > 0 ? e->arg : 0) : -1;
	return e->ret > 0 ? e->ret : -1;
}

/* Sockets have two sides (one per kernel socket); other channels one per process. */
static uint64_t side_of(const struct rch *r, uint64_t kchan, uint32_t pid)
{
	return is_socket_kind(r->kind) ? kchan : pid;
}

/* A send or receive that moved c->bytes: counted on its endpoints and queued for matching. */
void call_transfers(struct model *m, struct call *c)
{
	struct model_priv *p = m->priv;
	const struct ipct_syscall *e = c->e;

	if (c->rc != NONE_IDX && c->ep) {
		struct rch *r = &p->rchs[c->rc];
		uint64_t side = side_of(r, c->chan, e->h.pid);

		if (p->opts.sinks_only) {
			if (is_recv_op(e->op))
				record_recv(m, c->rc, side, e->h.pid, e->h.tid, c->start, c->end, c->bytes);
			else
				record_send(m, c->rc, side, e->h.pid, e->h.tid, c->start, c->end, c->bytes);
		} else if (is_recv_op(e->op)) {
			c->ep->recvs++;
			c->ep->bytes_received += c->bytes;
			record_recv(m, c->rc, side, e->h.pid, e->h.tid, c->start, c->end, c->bytes);
		} else {
			c->ep->sends++;
			c->ep->bytes_sent += c->bytes;
			record_send(m, c->rc, side, e->h.pid, e->h.tid, c->start, c->end, c->bytes);
		}
	}
	if (c->rc2 != NONE_IDX) {
		struct model_endpoint *ep2;

		ep2 = rch_ep(m, c->rc2, e->h.pid);
		rch_use(m, c->rc2);
		if (ep2) {
			struct rch *r2 = &p->rchs[c->rc2];

			rch_span_ts(r2, c->start);
			rch_span_ts(r2, c->end);
			ep_span_ts(ep2, c->start, c->end);
			ep2->sends++;
			ep2->bytes_sent += c->bytes;
			record_send(m, c->rc2, side_of(r2, e->chan2, e->h.pid), e->h.pid, e->h.tid,
				    c->start, c->end, c->bytes);
		}
	}
	/* rc2's endpoints may have moved if it is rc itself (sinks only: nothing reads c->ep now) */
	if (c->ep && c->rc2 != NONE_IDX && !p->opts.sinks_only)
		c->ep = rch_ep(m, c->rc, e->h.pid);
}

enum model_direction rch_direction(const struct rch *r)
{
	bool disjoint = true;
	size_t nsend = 0;

	if (!r->bytes && !r->bytes_recv && !r->messages)
		return DIR_NONE;
	for (size_t i = 0; i < r->nsides; i++) {
		if (r->sides[i].sent)
			nsend++;
		if (r->sides[i].sent && r->sides[i].recvd)
			disjoint = false;
	}
	if (disjoint || (r->nsides == 1 && !is_socket_kind(r->kind)))
		return DIR_SIMPLEX;
	return r->full ? DIR_FULL_DUPLEX : DIR_HALF_DUPLEX;
}
