// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Channel identity. Kernel channel ids (one per kernel object, from CHAN
 * and SYSCALL events) are joined by union-find when they turn out to be two
 * ends of one channel (unix peers, mirrored 4-tuples, datagram addresses);
 * each root points to a report channel (rch), which gets its report id when
 * data first uses it and is merged into another when two used ones meet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_priv.h"

uint32_t kchan_root(struct model_priv *p, uint32_t k)
{
	while (p->kchans[k].parent != k) {
		p->kchans[k].parent = p->kchans[p->kchans[k].parent].parent;
		k = p->kchans[k].parent;
	}
	return k;
}

/* A new record for id; the map then points to it (an old one stays for its channel). */
uint32_t kchan_new(struct model *m, uint64_t id)
{
	struct model_priv *p = m->priv;
	struct kchan *k;
	uint32_t i;

	if (grow(&p->kchans, &p->ckchans, p->nkchans, sizeof(*p->kchans)) ||
	    hmap_put(&p->kchan_by_id, id, p->nkchans)) {
		p->oom = true;
		return NONE_IDX;
	}
	i = p->nkchans++;
	k = &p->kchans[i];
	k->id = id;
	k->parent = i;
	k->rc = NONE_IDX;
	k->joined = NONE_IDX;
	return i;
}

uint32_t kchan_get(struct model *m, uint64_t id, bool create)
{
	uint32_t i = hmap_get_memo(&m->priv->kchan_by_id, id);

	if (i != NONE_IDX || !create)
		return i;
	return kchan_new(m, id);
}

uint32_t rch_new(struct model *m)
{
	struct model_priv *p = m->priv;

	if (grow(&p->rchs, &p->crchs, p->nrchs, sizeof(*p->rchs))) {
		p->oom = true;
		return NONE_IDX;
	}
	p->rchs[p->nrchs].merged_into = NONE_IDX;
	return p->nrchs++;
}

/*
 * A later CHAN event may say more (a file is mapped shared: mmap) but not
 * less: a mapped shm object stays shm, a mapped file is not a file again.
 */
static enum ipct_kind better_kind(enum ipct_kind old, enum ipct_kind new)
{
	if (!new || new >= IPCT_KIND_MAX)
		return old;
	if (!old || old == IPCT_KIND_FILE)
		return new;
	if (new == IPCT_KIND_FILE || new == IPCT_KIND_MMAP)
		return old;
	return new;
}

/* The report channel of kernel channel k (an index, not an id). */
uint32_t kchan_rc(struct model_priv *p, uint32_t k, bool referenced)
{
	if (referenced)
		p->kchans[k].referenced = true;
	return rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
}

/* Report channel of a kernel chan id; NONE_IDX if 0 or never described. */
uint32_t chan_rc(struct model *m, uint64_t id, bool referenced)
{
	uint32_t k;

	if (!id)
		return NONE_IDX;
	k = kchan_get(m, id, referenced);
	if (k == NONE_IDX)
		return NONE_IDX;
	return kchan_rc(m->priv, k, referenced);
}

/* The first traced call on kernel channel k: its process and fd (a connection's client, as ss shows it). */
void kchan_note_user(struct model_priv *p, uint32_t k, uint32_t pid, int32_t fd)
{
	if (p->kchans[k].user_pid || fd < 0)
		return;
	p->kchans[k].user_pid = pid;
	p->kchans[k].user_fd = fd;
}

/*
 * Files count as IPC once a traced process read what another one wrote (the
 * loader's library reads, a process's own temp files and a log several
 * processes append to are no communication between them);
 * futexes once someone waited on them, was woken through them, or two
 * processes share them. Others always.
 */
static bool rch_visible(const struct model_priv *p, const struct rch *r)
{
	if (r->kind == IPCT_KIND_FILE)
		return p->opts.all_files || r->read_across;
	/* a shared mapping only one side can write and another maps: not a read-only cache */
	if (r->kind == IPCT_KIND_MMAP)
		return p->opts.all_files || (r->map_writable && r->mapped_twice) ||
		       (r->written && r->neps >= 2);
	if (r->kind == IPCT_KIND_FUTEX)
		return r->waited || r->neps >= 2;
	return true;
}

/* Give rc its report id when data first uses it (files: once written). */
int rch_use(struct model *m, uint32_t rc)
{
	struct model_priv *p = m->priv;
	struct rch *r;

	if (rc == NONE_IDX)
		return 0;
	r = &p->rchs[rc];
	r->used = true;
	if (!r->id && rch_visible(p, r))
		r->id = ++p->next_id;
	return r->id;
}

#define EP_SCAN_MAX 8

struct model_endpoint *rch_ep(struct model *m, uint32_t rc, uint32_t pid)
{
	struct model_priv *p = m->priv;
	struct rch *r = &p->rchs[rc];
	uint64_t key = (uint64_t)rc << 32 | pid;
	struct model_endpoint *e;
	uint32_t i;

	/* A few endpoints are scanned; a channel of thousands of processes is hashed. */
	if (r->neps <= EP_SCAN_MAX) {
		for (i = 0; i < r->neps; i++)
			if (r->eps[i].pid == pid)
				return &r->eps[i];
	} else if ((i = hmap_get(&p->ep_by_rch_pid, key)) != NONE_IDX) {
		return &r->eps[i];
	}
	if (grow(&r->eps, &r->caps, r->neps, sizeof(*r->eps)) ||
	    hmap_put(&p->ep_by_rch_pid, key, (uint32_t)r->neps)) {
		p->oom = true;
		return NULL;
	}
	e = &r->eps[r->neps++];
	e->pid = pid;
	e->mode = MODE_NONE;
	return e;
}

void rch_span_ts(struct rch *r, uint64_t ts)
{
	if (!r->first_ts || ts < r->first_ts)
		r->first_ts = ts;
	if (ts > r->last_ts)
		r->last_ts = ts;
}

void ep_span_ts(struct model_endpoint *ep, uint64_t start, uint64_t end)
{
	if (!ep->first_ts || start < ep->first_ts)
		ep->first_ts = start;
	if (end > ep->last_ts)
		ep->last_ts = end;
}

/* Fold report channel b into a (both ends were used before they were paired). */
static void rch_merge(struct model *m, uint32_t a, uint32_t b)
{
	struct model_priv *p = m->priv;
	struct rch *ra = &p->rchs[a], *rb = &p->rchs[b];

	if (!ra->id || (rb->id && rb->id < ra->id))
		ra->id = rb->id;
	ra->kind = better_kind(ra->kind, rb->kind);
	if (!ra->name[0])
		memcpy(ra->name, rb->name, sizeof(ra->name));
	if (!ra->ino)
		ra->ino = rb->ino;
	if (!ra->have_tuple && (rb->have_tuple || (rb->have_local && !ra->have_local))) {
		ra->tuple = rb->tuple;
		ra->have_tuple = rb->have_tuple;
		ra->have_local = rb->have_local;
	}
	ra->written |= rb->written;
	ra->listened |= rb->listened;
	ra->map_writable |= rb->map_writable;
	ra->mapped_twice |= rb->mapped_twice || (ra->mapper && rb->mapper && ra->mapper != rb->mapper);
	if (!ra->mapper)
		ra->mapper = rb->mapper;
	ra->writers_many |= rb->writers_many || (ra->writer && rb->writer && ra->writer != rb->writer);
	if (!ra->writer)
		ra->writer = rb->writer;
	ra->read_across |= rb->read_across;
	ra->waited |= rb->waited;
	ra->used |= rb->used;
	ra->full |= rb->full;
	ra->bytes += rb->bytes;
	ra->messages += rb->messages;
	ra->bytes_recv += rb->bytes_recv;
	if (rb->first_ts)
		rch_span_ts(ra, rb->first_ts);
	rch_span_ts(ra, rb->last_ts);
	for (size_t i = 0; i < rb->neps; i++) {
		struct model_endpoint *s = &rb->eps[i], *d = rch_ep(m, a, s->pid);

		ra = &p->rchs[a];
		if (!d)
			continue;
		d->sends += s->sends;
		d->recvs += s->recvs;
		d->bytes_sent += s->bytes_sent;
		d->bytes_received += s->bytes_received;
		d->blocked += s->blocked;
		d->blocked_ns += s->blocked_ns;
		d->eagain += s->eagain;
		for (int mo = 0; mo < MODE_COUNT; mo++) {
			d->mode_calls[mo] += s->mode_calls[mo];
			d->mode_ns[mo] += s->mode_ns[mo];
		}
		if (!d->first_ts || (s->first_ts && s->first_ts < d->first_ts))
			d->first_ts = s->first_ts;
		if (s->last_ts > d->last_ts)
			d->last_ts = s->last_ts;
	}
	xfer_merge(m, ra, rb);
	free(rb->eps);
	free(rb->q.v);
	free(rb->rq.v);
	free(rb->flows);
	free(rb->sides);
	hmap_free(&rb->side_idx);
	hmap_free(&rb->flow_idx);
	memset(rb, 0, sizeof(*rb));
	rb->merged_into = a;
}

void kchan_union(struct model *m, uint32_t a, uint32_t b)
{
	struct model_priv *p = m->priv;
	uint32_t ra = kchan_root(p, a), rb = kchan_root(p, b);
	uint32_t ca, cb;

	if (ra == rb)
		return;
	ca = rch_resolve(p, p->kchans[ra].rc);
	cb = rch_resolve(p, p->kchans[rb].rc);
	if (ca != NONE_IDX && cb != NONE_IDX && ca != cb) {
		/* keep the report channel seen first: ids follow first use */
		if (cb < ca) {
			uint32_t t = ca;

			ca = cb;
			cb = t;
		}
		rch_merge(m, ca, cb);
	} else if (ca == NONE_IDX) {
		ca = cb;
	}
	p->kchans[rb].parent = ra;
	p->kchans[ra].rc = ca;
}

void on_chan(struct model *m, const struct ipct_chan *e)
{
	struct model_priv *p = m->priv;
	uint32_t k, root, rc;
	struct rch *r;

	if (!e->chan)
		return;
	k = kchan_get(m, e->chan, true);
	if (k == NONE_IDX)
		return;
	/* where an unconnected datagram socket sends: not its name, a way to its receiver */
	if (e->h.flags & IPCT_F_DEST) {
		if (e->kind == IPCT_KIND_UNIX_DGRAM && e->name[0])
			dgram_meet(m, k, e->name, sizeof(e->name), model_host_of(e->h.pid));
		return;
	}
	/* a freed object's address given to a new one: a new channel */
	if (p->kchans[k].described && p->kchans[k].ino && e->ino && p->kchans[k].ino != e->ino) {
		k = kchan_new(m, e->chan);
		if (k == NONE_IDX)
			return;
	}
	if (e->ino)
		p->kchans[k].ino = e->ino;
	p->kchans[k].described = true;
	if (e->kind && e->kind < IPCT_KIND_MAX)
		p->kchans[k].kind = e->kind;
	root = kchan_root(p, k);
	rc = rch_resolve(p, p->kchans[root].rc);
	if (rc == NONE_IDX) {
		rc = rch_new(m);
		if (rc == NONE_IDX)
			return;
		p->kchans[root].rc = rc;
	}
	r = &p->rchs[rc];
	r->kind = better_kind(r->kind, e->kind);
	if (e->kind == IPCT_KIND_SIGNAL && e->ino && hmap_put(&p->sig_by_target, e->ino, rc))
		p->oom = true;
	if (e->name[0])
		copy_name(r->name, sizeof(r->name), e->name, sizeof(e->name));
	if (e->ino)
		r->ino = e->ino;
	if (e->kind == IPCT_KIND_FUTEX && e->ino)
		r->futex_off = e->dev;
	if (e->kind == IPCT_KIND_FUTEX && !e->ino && e->uaddr) {
		r->futex_uaddr = e->uaddr;
		r->futex_pid = e->h.pid;
	}
	if (e->h.flags & IPCT_F_PEER_NAME)
		p->kchans[k].peer_named = true;
	if ((e->kind == IPCT_KIND_UNIX_STREAM || e->kind == IPCT_KIND_UNIX_SEQPACKET) && e->peer &&
	    e->peer_pid) {
		p->kchans[k].peer_pid = e->peer_pid;
		p->kchans[k].peer_ino = e->peer_ino;
	}
	if (e->h.flags & IPCT_F_FLOW)
		p->kchans[k].flow = true;
	if (e->kind == IPCT_KIND_TCP || e->kind == IPCT_KIND_UDP)
		socket_pair_by_tuple(m, k, r, e);
	if (e->peer && e->peer != e->chan) {
		bool unix_conn = e->kind == IPCT_KIND_UNIX_STREAM || e->kind == IPCT_KIND_UNIX_SEQPACKET ||
				 e->kind == IPCT_KIND_UNIX_DGRAM;
		bool one_peer = e->kind == IPCT_KIND_UNIX_STREAM || e->kind == IPCT_KIND_UNIX_SEQPACKET;
		uint64_t peer_ino = unix_conn ? e->peer_ino : 0;
		uint32_t pk = kchan_get(m, e->peer, true);

		/* the peer's address held another socket before (a closed connection): not that one */
		if (pk != NONE_IDX && peer_ino && p->kchans[pk].described && p->kchans[pk].ino &&
		    p->kchans[pk].ino != peer_ino)
			pk = kchan_new(m, e->peer);
		/* a client does not know the inode of a peer not yet accepted; but a connection has one
		 * peer for life: a peer record joined to another socket is an old connection's end */
		if (pk != NONE_IDX && one_peer && p->kchans[pk].joined != NONE_IDX &&
		    p->kchans[pk].joined != k)
			pk = kchan_new(m, e->peer);
		if (pk != NONE_IDX) {
			if (peer_ino && !p->kchans[pk].ino)
				p->kchans[pk].ino = peer_ino;
			kchan_union(m, k, pk);
			if (one_peer) {
				p->kchans[k].joined = pk;
				p->kchans[pk].joined = k;
			}
		}
		/* a merged trace joins the two machines' ends of a connection this way */
		rc = rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
		if (rc != NONE_IDX && (e->kind == IPCT_KIND_TCP || e->kind == IPCT_KIND_UDP))
			p->rchs[rc].paired = true;
	}
	if (e->kind == IPCT_KIND_UNIX_DGRAM && e->name[0] && !e->peer)
		dgram_meet(m, k, e->name, sizeof(e->name), model_host_of(e->h.pid));
}

static int cmp_channel(const void *a, const void *b)
{
	const struct model_channel *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_endpoint(const void *a, const void *b)
{
	const struct model_endpoint *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const char *proc_comm(const struct model *m, uint32_t pid)
{
	const struct model_process *pr = model__process(m, pid);

	return pr ? pr->comm : "";
}

static void rch_name(const struct rch *r, char *name, size_t sz)
{
	name[0] = 0;
	if (r->name[0] && r->have_client && r->client_pid && r->client_fd >= 0) {
		/* both ends, as ss shows them: the server's path and the client's process and fd */
		snprintf(name, sz, "%s <-> pid %u fd %d", r->name, r->client_pid, r->client_fd);
	} else if (r->name[0] && r->have_client && r->client_pid && r->client_ino) {
		snprintf(name, sz, "%s <-> pid %u socket:[%llu]", r->name, r->client_pid,
			 (unsigned long long)r->client_ino);
	} else if (r->name[0] && r->have_client && r->client_pid) {
		snprintf(name, sz, "%s <-> pid %u", r->name, r->client_pid);
	} else if (r->name[0] && r->have_client && r->client_ino) {
		snprintf(name, sz, "%s <-> socket:[%llu]", r->name, (unsigned long long)r->client_ino);
	} else if (r->name[0]) {
		snprintf(name, sz, "%s", r->name);
	} else if (r->have_tuple || r->have_local) {
		socket_name(r, name, sz);
	} else if (r->kind == IPCT_KIND_FUTEX && r->ino) {
		/* in a mapping with no channel of its own (mapped before the trace): its inode and offset */
		snprintf(name, sz, "futex in inode %llu +0x%x", (unsigned long long)r->ino, r->futex_off);
	} else if (r->kind == IPCT_KIND_FUTEX && r->futex_uaddr) {
		snprintf(name, sz, "futex in pid %u @0x%llx", r->futex_pid,
			 (unsigned long long)r->futex_uaddr);
	} else if (r->ino && r->kind == IPCT_KIND_SIGNAL) {
		snprintf(name, sz, "signals to %llu", (unsigned long long)r->ino);
	} else if (r->ino) {
		snprintf(name, sz, "%s:[%llu]", r->kind == IPCT_KIND_PIPE ? "pipe" : kind_name(r->kind),
			 (unsigned long long)r->ino);
	}
}

int finish_channels(struct model *m)
{
	struct model_priv *p = m->priv;
	struct hmap maps = { 0 };
	size_t n = 0;

	socket_clients(p);
	/* shared mappings by inode number, for the futexes that live in them */
	for (size_t i = 0; i < p->nrchs; i++) {
		struct rch *r = &p->rchs[i];

		if (r->merged_into == NONE_IDX && r->ino &&
		    (r->kind == IPCT_KIND_SHM || r->kind == IPCT_KIND_SYSV_SHM ||
		     r->kind == IPCT_KIND_MMAP) && hmap_put(&maps, r->ino, i)) {
			hmap_free(&maps);
			return -ENOMEM;
		}
	}

	for (size_t i = 0; i < p->nrchs; i++) {
		struct rch *r = &p->rchs[i];

		/* a channel no traced call used for I/O or waiting says nothing */
		if (r->merged_into == NONE_IDX && !r->id && r->used && r->neps && rch_visible(p, r))
			r->id = ++p->next_id;
		if (r->merged_into == NONE_IDX && r->id)
			n++;
	}
	m->channels = calloc(n ? n : 1, sizeof(*m->channels));
	if (!m->channels) {
		hmap_free(&maps);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nrchs; i++) {
		struct rch *r = &p->rchs[i];
		struct model_channel *c;

		if (r->merged_into != NONE_IDX || !r->id)
			continue;
		c = &m->channels[m->nchannels++];
		c->id = r->id;
		c->kind = r->kind;
		c->direction = rch_direction(r);
		c->bytes = r->bytes;
		c->messages = r->messages;
		c->first_ts = r->first_ts;
		c->last_ts = r->last_ts;
		rch_name(r, c->name, sizeof(c->name));
		if (r->kind == IPCT_KIND_FUTEX && r->ino) {
			uint32_t mi = hmap_get(&maps, r->ino);

			/* the futex word lives in a mapping: say which, and where */
			if (mi != NONE_IDX) {
				char mn[sizeof(c->name)];

				rch_name(&p->rchs[mi], mn, sizeof(mn));
				snprintf(c->name, sizeof(c->name), "futex in %.*s +0x%x",
					 (int)sizeof(c->name) - 24, mn, r->futex_off);
			}
		}
		c->remote = socket_is_remote(r);
		c->listening = r->listened && !r->bytes && !r->bytes_recv && !r->messages &&
			       (r->kind == IPCT_KIND_TCP || r->kind == IPCT_KIND_UNIX_STREAM ||
				r->kind == IPCT_KIND_UNIX_SEQPACKET);
		c->endpoints = r->eps;
		c->nendpoints = r->neps;
		r->eps = NULL;
		r->neps = r->caps = 0;
		qsort(c->endpoints, c->nendpoints, sizeof(*c->endpoints), cmp_endpoint);
		for (size_t j = 0; j < c->nendpoints; j++) {
			struct model_endpoint *e = &c->endpoints[j];

			if (model_host_of(e->pid) != model_host_of(c->endpoints[0].pid))
				c->across_hosts = true;
			snprintf(e->comm, sizeof(e->comm), "%s", proc_comm(m, e->pid));
			e->mode = dominant_mode(e);
		}
	}
	hmap_free(&maps);
	qsort(m->channels, m->nchannels, sizeof(*m->channels), cmp_channel);
	for (size_t i = 0; i < p->nkchans; i++) {
		struct kchan *k = &p->kchans[i];

		if (k->referenced && rch_resolve(p, p->kchans[kchan_root(p, i)].rc) == NONE_IDX)
			m->unknown_chans++;
	}
	return 0;
}
