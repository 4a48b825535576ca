// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model, built in one pass. Internal records (threads, kernel channels,
 * report channels, processes, wakeup pairs) live in growable arrays indexed
 * through small hash maps; model__finish copies them into the public,
 * sorted arrays of struct model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include "model.h"
#include "trace.h"

#define POLL_GAP_NS 1000000ull   /* EAGAIN / zero-timeout calls closer than this: one polling run */
#define XFER_CAP 64               /* pending sends kept per report channel */
#define EARLY_CAP 16              /* receives that completed before their send's exit event */
#define PEND_SLEEPS 8             /* off-CPU stretches kept until the enclosing syscall exits */
#define POLL_CREDITS 8            /* channels one poll can be credited to */
#define LOST_MAX 1024

#define NONE_IDX UINT32_MAX

/* Open addressing u64 -> u32 map; vals[i] == NONE_IDX marks a free slot. */
struct hmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t hmap_get(const struct hmap *h, uint64_t key)
{
	if (!h->cap)
		return NONE_IDX;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->vals[i] == NONE_IDX)
			return NONE_IDX;
		if (h->keys[i] == key)
			return h->vals[i];
	}
}

static int hmap_put(struct hmap *h, uint64_t key, uint32_t val);

static int hmap_grow(struct hmap *h)
{
	struct hmap nh = { .cap = h->cap ? h->cap * 2 : 64 };

	nh.keys = malloc(nh.cap * sizeof(*nh.keys));
	nh.vals = malloc(nh.cap * sizeof(*nh.vals));
	if (!nh.keys || !nh.vals) {
		free(nh.keys);
		free(nh.vals);
		return -ENOMEM;
	}
	memset(nh.vals, 0xff, nh.cap * sizeof(*nh.vals));
	for (size_t i = 0; i < h->cap; i++)
		if (h->vals[i] != NONE_IDX)
			hmap_put(&nh, h->keys[i], h->vals[i]);
	free(h->keys);
	free(h->vals);
	*h = nh;
	return 0;
}

/* Insert or replace. */
static int hmap_put(struct hmap *h, uint64_t key, uint32_t val)
{
	if ((h->n + 1) * 2 > h->cap && hmap_grow(h))
		return -ENOMEM;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->vals[i] == NONE_IDX) {
			h->keys[i] = key;
			h->vals[i] = val;
			h->n++;
			return 0;
		}
		if (h->keys[i] == key) {
			h->vals[i] = val;
			return 0;
		}
	}
}

static void hmap_free(struct hmap *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

/* Grow *arr (of elem-sized items) to hold at least n + 1 items. */
static int grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void **p = arr;
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
	*p = np;
	*cap = ncap;
	return 0;
}

struct pend_sleep {
	uint64_t out, in;
	uint64_t off_ns, blk_ns;
	uint32_t nblk;
	uint32_t waker_rc;  /* channel the waker was using, NONE_IDX if none */
};

struct thr {
	struct model_thread pub;
	uint64_t exit_ts;
	bool born;         /* created during the trace (FORK seen) */
	struct pend_sleep pend[PEND_SLEEPS];
	int npend;
	/* current polling run (EAGAIN / zero-timeout calls) */
	bool run;
	uint64_t run_start, run_end;
	uint32_t run_calls;
	int64_t run_ret;
	uint8_t run_op;
	uint16_t run_nr;
	uint32_t run_rc;
	/* start of the current busy-wait (first EAGAIN since data last moved) */
	uint64_t snb_start;
	uint32_t snb_rc;   /* channel it spins on, NONE_IDX: any (zero-timeout polls) */
	/* the last poll/select/epoll_wait, until the next one */
	bool poll_valid, poll_zero;
	uint64_t poll_blocked_ns;
	uint32_t poll_credited[POLL_CREDITS];
	int npoll_credited;
	uint32_t poll_set;  /* the epoll set it waited on, 0: unknown (credit any channel read next) */
	/* its last transfer, until an AIO completion signal says it was done for another thread */
	uint32_t io_rc;
	uint64_t io_blk_ns;
	bool io_blocked;
};

struct tuple {
	uint16_t family;
	uint32_t saddr[4], daddr[4];
	uint16_t sport, dport;
};

struct kchan {
	uint64_t id;
	uint32_t parent;   /* union-find */
	uint32_t rc;       /* report channel, meaningful at the root */
	bool referenced;   /* used by a SYSCALL */
	bool described;    /* had a CHAN event */
	bool have_tuple;
	uint16_t kind;
	uint64_t ino;
	struct tuple tuple;
};

/* A send not yet received, or a receive whose send we have not seen yet. */
struct xfer {
	uint64_t side;
	uint32_t pid, tid;
	uint64_t start, ts, bytes;  /* call entry and exit */
};

struct flow {
	uint64_t from, to;
	uint64_t last_end; /* latest receive of data that went from -> to */
};

struct side {
	uint64_t id;
	bool sent, recvd;
};

struct rch {
	int id;            /* 0 until first data use */
	uint32_t merged_into;
	enum ipct_kind kind;
	char name[IPCT_NAME_LEN + 1];
	uint64_t ino;
	bool have_tuple, have_local, paired, written, used, waited;
	struct tuple tuple;   /* first connected 4-tuple, or the bound address (have_local) */
	struct model_endpoint *eps;
	size_t neps, caps;
	struct xfer *q;
	size_t qlen, qcap;
	struct xfer *rq;
	size_t rqlen, rqcap;
	struct flow *flows;
	size_t nflows, cflows;
	struct side *sides;
	size_t nsides, csides;
	bool full;
	uint64_t first_ts, last_ts, bytes, messages;
	uint64_t bytes_recv;  /* data from untraced writers counts for the direction */
	bool map_writable;    /* someone mapped it with PROT_WRITE */
	bool mapped_twice;    /* a second process mapped it */
	uint32_t mapper;      /* the first process that mapped it */
	uint32_t futex_off;   /* futex in a shared mapping (ino): its offset there */
	bool listened;        /* listen or accept was called on it */
};

struct proc {
	struct model_process pub;
	bool main_seen;
};

struct wake_chan {
	uint32_t rc;
	uint64_t count;
};

struct wake_pair {
	uint32_t waker, wakee;
	struct wake_chan *chans;
	size_t n, cap;
};

struct model_priv {
	struct model_opts opts;
	bool started, finished, oom;
	struct thr *thrs;
	size_t nthrs, cthrs;
	struct hmap thr_by_tid;
	struct proc *procs;
	size_t nprocs, cprocs;
	struct hmap proc_by_pid;
	struct kchan *kchans;
	size_t nkchans, ckchans;
	struct hmap kchan_by_id;
	struct hmap kchan_by_tuple;
	struct rch *rchs;
	size_t nrchs, crchs;
	int next_id;
	struct wake_pair *pairs;
	size_t npairs, cpairs;
	struct hmap pair_by_pids;
	struct hmap sig_by_pids;  /* pid pair -> its signal channel */
	struct hmap sig_by_target; /* pid -> the kernel side's "signals to pid" channel */
	size_t clost;
	struct hmap final_tid, final_pid;
	/* epoll sets whose creation was seen: (pid, epfd) -> set, (set, chan) -> 1 member / 0 gone */
	struct hmap epoll_set, epoll_member;
	struct hmap dgram_by_name;  /* unix datagram address -> a socket bound or sending there */
	uint32_t next_set;
};

static uint64_t clamp_ts(const struct model *m, uint64_t t)
{
	return (!t || t < m->start_ts) ? m->start_ts : t;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static struct proc *proc_get(struct model *m, uint32_t pid)
{
	struct model_priv *p = m->priv;
	uint32_t i = hmap_get(&p->proc_by_pid, pid);

	if (i != NONE_IDX)
		return &p->procs[i];
	if (grow(&p->procs, &p->cprocs, p->nprocs, sizeof(*p->procs)) ||
	    hmap_put(&p->proc_by_pid, pid, p->nprocs)) {
		p->oom = true;
		return NULL;
	}
	p->procs[p->nprocs].pub.pid = pid;
	return &p->procs[p->nprocs++];
}

static void thr_touch(struct thr *t, uint64_t ts)
{
	if (ts < t->pub.first_ts)
		t->pub.first_ts = ts;
	if (ts > t->pub.last_ts)
		t->pub.last_ts = ts;
}

static struct thr *thr_get(struct model *m, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct model_priv *p = m->priv;
	uint32_t i = hmap_get(&p->thr_by_tid, tid);
	struct thr *t;

	if (i != NONE_IDX) {
		t = &p->thrs[i];
		thr_touch(t, ts);
		return t;
	}
	if (!proc_get(m, pid))
		return NULL;
	if (grow(&p->thrs, &p->cthrs, p->nthrs, sizeof(*p->thrs)) ||
	    hmap_put(&p->thr_by_tid, tid, p->nthrs)) {
		p->oom = true;
		return NULL;
	}
	t = &p->thrs[p->nthrs++];
	t->pub.pid = pid;
	t->pub.tid = tid;
	t->pub.first_ts = t->pub.last_ts = ts;
	t->run_rc = NONE_IDX;
	t->io_rc = NONE_IDX;
	return t;
}

static void copy_name(char *dst, size_t dsz, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen);

	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t kchan_root(struct model_priv *p, uint32_t k)
{
	while (p->kchans[k].parent != k) {
		p->kchans[k].parent = p->kchans[p->kchans[k].parent].parent;
		k = p->kchans[k].parent;
	}
	return k;
}

/* A new record for id; the map then points to it (an old one stays for its channel). */
static uint32_t kchan_new(struct model *m, uint64_t id)
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
	return i;
}

static uint32_t kchan_get(struct model *m, uint64_t id, bool create)
{
	uint32_t i = hmap_get(&m->priv->kchan_by_id, id);

	if (i != NONE_IDX || !create)
		return i;
	return kchan_new(m, id);
}

static uint32_t rch_resolve(const struct model_priv *p, uint32_t rc)
{
	while (rc != NONE_IDX && p->rchs[rc].merged_into != NONE_IDX)
		rc = p->rchs[rc].merged_into;
	return rc;
}

static uint32_t rch_new(struct model *m)
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

/* Report channel of a kernel chan id; NONE_IDX if 0 or never described. */
static uint32_t chan_rc(struct model *m, uint64_t id, bool referenced)
{
	struct model_priv *p = m->priv;
	uint32_t k;

	if (!id)
		return NONE_IDX;
	k = kchan_get(m, id, referenced);
	if (k == NONE_IDX)
		return NONE_IDX;
	if (referenced)
		p->kchans[k].referenced = true;
	return rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
}

static bool is_socket_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_UNIX_STREAM || k == IPCT_KIND_UNIX_DGRAM ||
	       k == IPCT_KIND_UNIX_SEQPACKET || k == IPCT_KIND_TCP || k == IPCT_KIND_UDP;
}

/*
 * Files count as IPC once one traced process wrote them and another touched
 * them (the loader's library reads and a process's own temp files are noise);
 * futexes once someone waited on them, was woken through them, or two
 * processes share them. Others always.
 */
static bool rch_visible(const struct model_priv *p, const struct rch *r)
{
	if (r->kind == IPCT_KIND_FILE)
		return p->opts.all_files || (r->written && r->neps >= 2);
	/* a shared mapping only one side can write and another maps: not a read-only cache */
	if (r->kind == IPCT_KIND_MMAP)
		return p->opts.all_files || (r->map_writable && r->mapped_twice) ||
		       (r->written && r->neps >= 2);
	if (r->kind == IPCT_KIND_FUTEX)
		return r->waited || r->neps >= 2;
	return true;
}

/* Give rc its report id when data first uses it (files: once written). */
static int rch_use(struct model *m, uint32_t rc)
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

static int rch_id(const struct model_priv *p, uint32_t rc)
{
	rc = rch_resolve(p, rc);
	return rc == NONE_IDX ? 0 : p->rchs[rc].id;
}

static struct model_endpoint *rch_ep(struct model *m, uint32_t rc, uint32_t pid)
{
	struct model_priv *p = m->priv;
	struct rch *r = &p->rchs[rc];
	struct model_endpoint *e;

	for (size_t i = 0; i < r->neps; i++)
		if (r->eps[i].pid == pid)
			return &r->eps[i];
	if (grow(&r->eps, &r->caps, r->neps, sizeof(*r->eps))) {
		p->oom = true;
		return NULL;
	}
	e = &r->eps[r->neps++];
	e->pid = pid;
	e->mode = MODE_NONE;
	return e;
}

static struct side *rch_side(struct model *m, struct rch *r, uint64_t id)
{
	for (size_t i = 0; i < r->nsides; i++)
		if (r->sides[i].id == id)
			return &r->sides[i];
	if (grow(&r->sides, &r->csides, r->nsides, sizeof(*r->sides))) {
		m->priv->oom = true;
		return NULL;
	}
	r->sides[r->nsides].id = id;
	return &r->sides[r->nsides++];
}

static struct flow *rch_flow(struct model *m, struct rch *r, uint64_t from, uint64_t to, bool create)
{
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
	return &r->flows[r->nflows++];
}

static void rch_span_ts(struct rch *r, uint64_t ts)
{
	if (!r->first_ts || ts < r->first_ts)
		r->first_ts = ts;
	if (ts > r->last_ts)
		r->last_ts = ts;
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
	for (size_t i = 0; i < rb->qlen; i++) {
		if (ra->qlen == XFER_CAP) {
			memmove(ra->q, ra->q + 1, (ra->qlen - 1) * sizeof(*ra->q));
			ra->qlen--;
		}
		if (grow(&ra->q, &ra->qcap, ra->qlen, sizeof(*ra->q))) {
			p->oom = true;
			break;
		}
		ra->q[ra->qlen++] = rb->q[i];
	}
	free(rb->eps);
	free(rb->q);
	free(rb->rq);
	free(rb->flows);
	free(rb->sides);
	memset(rb, 0, sizeof(*rb));
	rb->merged_into = a;
}

static void kchan_union(struct model *m, uint32_t a, uint32_t b)
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

static uint64_t tuple_key(const uint32_t *saddr, uint16_t sport, const uint32_t *daddr,
			  uint16_t dport, uint16_t family)
{
	uint64_t h = mix64(((uint64_t)family << 32) | ((uint64_t)sport << 16) | dport);

	for (int i = 0; i < 4; i++)
		h = mix64(h ^ saddr[i]);
	for (int i = 0; i < 4; i++)
		h = mix64(h ^ ((uint64_t)daddr[i] << 1));
	return h;
}

static bool tuple_mirrors(const struct tuple *a, const struct tuple *b)
{
	return a->family == b->family && a->sport == b->dport && a->dport == b->sport &&
	       !memcmp(a->saddr, b->daddr, sizeof(a->saddr)) &&
	       !memcmp(a->daddr, b->saddr, sizeof(a->daddr));
}

/* Unix datagram sockets meet by address: the one bound there and those that sent to it. */
static void dgram_meet(struct model *m, uint32_t k, const char *name, size_t len)
{
	struct model_priv *p = m->priv;
	uint64_t key = 0xcbf29ce484222325ull;
	uint32_t other;

	for (size_t i = 0; i < len && name[i]; i++)
		key = (key ^ (uint8_t)name[i]) * 0x100000001b3ull;
	other = hmap_get(&p->dgram_by_name, key);
	if (other == NONE_IDX) {
		if (hmap_put(&p->dgram_by_name, key, k))
			p->oom = true;
	} else if (other != k) {
		kchan_union(m, other, k);
	}
}

static void on_chan(struct model *m, const struct ipct_chan *e)
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
			dgram_meet(m, k, e->name, sizeof(e->name));
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

	if ((e->kind == IPCT_KIND_TCP || e->kind == IPCT_KIND_UDP) && e->sport && !e->dport &&
	    !r->have_tuple) {
		r->tuple = (struct tuple){ .family = e->family, .sport = e->sport };
		memcpy(r->tuple.saddr, e->saddr, sizeof(r->tuple.saddr));
		r->have_local = true;
	}
	if ((e->kind == IPCT_KIND_TCP || e->kind == IPCT_KIND_UDP) && e->sport && e->dport) {
		struct tuple t = { .family = e->family, .sport = e->sport, .dport = e->dport };
		uint32_t other;

		memcpy(t.saddr, e->saddr, sizeof(t.saddr));
		memcpy(t.daddr, e->daddr, sizeof(t.daddr));
		if (!r->have_tuple) {
			r->tuple = t;
			r->have_tuple = true;
		}
		p->kchans[k].tuple = t;
		p->kchans[k].have_tuple = true;
		other = hmap_get(&p->kchan_by_tuple,
				 tuple_key(t.daddr, t.dport, t.saddr, t.sport, t.family));
		if (other != NONE_IDX && other != k && p->kchans[other].have_tuple &&
		    tuple_mirrors(&p->kchans[other].tuple, &t)) {
			kchan_union(m, k, other);
			rc = rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
			if (rc != NONE_IDX)
				p->rchs[rc].paired = true;
		}
		if (hmap_put(&p->kchan_by_tuple,
			     tuple_key(t.saddr, t.sport, t.daddr, t.dport, t.family), k))
			p->oom = true;
	}
	if (e->peer && e->peer != e->chan) {
		uint32_t pk = kchan_get(m, e->peer, true);

		if (pk != NONE_IDX)
			kchan_union(m, k, pk);
	}
	if (e->kind == IPCT_KIND_UNIX_DGRAM && e->name[0] && !e->peer)
		dgram_meet(m, k, e->name, sizeof(e->name));
}

static uint64_t side_of(const struct rch *r, uint64_t kchan, uint32_t pid)
{
	return is_socket_kind(r->kind) ? kchan : pid;
}

/* Data of send x (n bytes) arrived in the receive (side, pid, tid) that ended at ts. */
static void consume(struct model *m, struct rch *r, struct xfer *x, uint64_t n, uint64_t side,
		    uint32_t pid, uint32_t tid, uint64_t ts, bool own)
{
	struct model_priv *p = m->priv;

	if (!own) {
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

static void xfer_push(struct model *m, struct xfer **q, size_t *len, size_t *cap, size_t max,
		      const struct xfer *x)
{
	if (*len == max) {
		struct xfer *last = &(*q)[*len - 1];

		/* full: merge consecutive ones of one thread, else forget the oldest */
		if (last->tid == x->tid && last->side == x->side) {
			last->bytes += x->bytes;
			last->ts = x->ts;
			return;
		}
		memmove(*q, *q + 1, (*len - 1) * sizeof(**q));
		(*len)--;
	}
	if (grow(q, cap, *len, sizeof(**q))) {
		m->priv->oom = true;
		return;
	}
	(*q)[(*len)++] = *x;
}

static void xfer_compact(struct xfer *q, size_t *len)
{
	size_t j = 0;

	for (size_t i = 0; i < *len; i++)
		if (q[i].bytes)
			q[j++] = q[i];
	*len = j;
}

static void record_send(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
			uint64_t start, uint64_t ts, uint64_t bytes)
{
	struct rch *r = &m->priv->rchs[rc];
	struct side *sd = rch_side(m, r, side);
	struct xfer x = { .side = side, .pid = pid, .tid = tid, .start = start, .ts = ts,
			  .bytes = bytes };

	if (sd)
		sd->sent = true;
	r->bytes += bytes;
	r->messages++;
	r->written = true;
	/* receives that returned while this send was still on its way out */
	for (size_t i = 0; i < r->rqlen && x.bytes; i++) {
		struct xfer *rv = &r->rq[i];
		uint64_t n;

		if (rv->side == side || !rv->bytes || rv->ts < start)
			continue;
		n = rv->bytes < x.bytes ? rv->bytes : x.bytes;
		consume(m, r, &x, n, rv->side, rv->pid, rv->tid, rv->ts, false);
		rv->bytes -= n;
	}
	xfer_compact(r->rq, &r->rqlen);
	if (x.bytes)
		xfer_push(m, &r->q, &r->qlen, &r->qcap, XFER_CAP, &x);
}

static void record_recv(struct model *m, uint32_t rc, uint64_t side, uint32_t pid, uint32_t tid,
			uint64_t start, uint64_t ts, uint64_t bytes)
{
	struct rch *r = &m->priv->rchs[rc];
	struct side *sd = rch_side(m, r, side);
	uint64_t left = bytes;

	if (sd)
		sd->recvd = true;
	r->bytes_recv += bytes;
	for (size_t i = 0; i < r->qlen && left; i++) {
		struct xfer *x = &r->q[i];
		uint64_t n;

		if (x->side == side || !x->bytes)
			continue;
		n = x->bytes < left ? x->bytes : left;
		consume(m, r, x, n, side, pid, tid, ts, false);
		left -= n;
	}
	/* a pipe a process reads back itself (self-pipe): still a transfer */
	for (size_t i = 0; i < r->qlen && left && !is_socket_kind(r->kind); i++) {
		struct xfer *x = &r->q[i];
		uint64_t n;

		if (!x->bytes)
			continue;
		n = x->bytes < left ? x->bytes : left;
		consume(m, r, x, n, side, pid, tid, ts, true);
		left -= n;
	}
	xfer_compact(r->q, &r->qlen);
	if (left) {
		struct xfer rv = { .side = side, .pid = pid, .tid = tid, .start = start, .ts = ts,
				   .bytes = left };

		xfer_push(m, &r->rq, &r->rqlen, &r->rqcap, EARLY_CAP, &rv);
	}
}

static void emit_span(struct model *m, const struct model_span *s)
{
	if (m->priv->opts.on_span)
		m->priv->opts.on_span(m->priv->opts.ctx, s);
}

static void run_end(struct model *m, struct thr *t)
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

static void emit_wake(struct model *m, uint32_t rc, uint32_t waker_pid, uint32_t waker_tid,
		      uint32_t wakee_pid, uint32_t wakee_tid, uint64_t ts, uint8_t op)
{
	struct model_priv *p = m->priv;

	if (rc != NONE_IDX) {
		p->rchs[rc].waited = true;
		rch_use(m, rc);
	}
	wake_add(m, waker_pid, wakee_pid, rc);
	if (p->opts.on_wake) {
		struct model_wake w = {
			.chan = rch_id(p, rc), .waker_pid = waker_pid, .waker_tid = waker_tid,
			.wakee_pid = wakee_pid, .wakee_tid = wakee_tid, .ts = ts, .waker_op = op,
		};
		p->opts.on_wake(p->opts.ctx, &w);
	}
}

static bool is_poll_op(unsigned op)
{
	return op == IPCT_OP_POLL || op == IPCT_OP_SELECT || op == IPCT_OP_EPOLL_WAIT;
}

static bool is_recv_op(unsigned op)
{
	return op == IPCT_OP_READ || op == IPCT_OP_RECV || op == IPCT_OP_MQ_RECV ||
	       op == IPCT_OP_MSGRCV || op == IPCT_OP_SPLICE;
}

static bool is_send_op(unsigned op)
{
	return op == IPCT_OP_WRITE || op == IPCT_OP_SEND || op == IPCT_OP_MQ_SEND ||
	       op == IPCT_OP_MSGSND;
}

/* Kinds where mapping or attaching is the whole interaction: every call makes an endpoint. */
static bool is_attach_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP ||
	       k == IPCT_KIND_SYSV_SEM || k == IPCT_KIND_FUTEX || k == IPCT_KIND_SIGNAL;
}

/* Calls that move data or wait for the peer: they give a channel its id and modes. */
static bool is_io_op(unsigned op)
{
	return is_recv_op(op) || is_send_op(op) || op == IPCT_OP_ACCEPT ||
	       op == IPCT_OP_FUTEX_WAIT || op == IPCT_OP_SEMOP || op == IPCT_OP_SIGWAIT;
}

/* Bytes a successful call moved; -1 when it moved nothing. */
static int64_t moved_bytes(const struct ipct_syscall *e)
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

/* The signal channel between two processes, made on first use (kills carry no chan). */
static uint32_t signal_rc(struct model *m, uint32_t a, uint32_t b)
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

/*
 * kill/tgkill/sigqueue that succeeded: one message from the caller to the
 * target on the target's signal channel (rc; without one from the kernel
 * side, the pair's own channel).
 */
static void on_kill(struct model *m, const struct ipct_syscall *e, uint64_t start, uint32_t rc)
{
	struct model_priv *p = m->priv;
	uint32_t target = (uint32_t)e->arg, idx;
	struct model_endpoint *ep;
	struct rch *r;

	if (e->ret != 0 || e->arg <= 0)
		return;
	idx = hmap_get(&p->thr_by_tid, target);
	if (idx != NONE_IDX)
		target = p->thrs[idx].pub.pid;
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

static bool poll_credit(struct thr *t, uint32_t rc)
{
	for (int i = 0; i < t->npoll_credited; i++)
		if (t->poll_credited[i] == rc)
			return false;
	if (t->npoll_credited < POLL_CREDITS)
		t->poll_credited[t->npoll_credited++] = rc;
	return true;
}

static uint64_t epoll_member_key(uint32_t set, uint64_t chan)
{
	return mix64(set) ^ chan;
}

/* epoll_create starts a set; epoll_ctl adds (ADD, MOD) or drops (DEL) a channel of it. */
static void on_epoll_ctl(struct model *m, const struct ipct_syscall *e)
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

static void on_syscall(struct model *m, const struct ipct_syscall *e)
{
	struct model_priv *p = m->priv;
	uint64_t end = e->h.ts, start = clamp_ts(m, e->enter_ts);
	uint64_t off = 0, blk = 0;
	uint32_t nblk = 0, rc, rc2 = NONE_IDX, waker_rc = NONE_IDX;
	bool poll = is_poll_op(e->op), zero = poll && (e->h.flags & IPCT_F_ZERO_TMO);
	bool async = e->h.flags & (IPCT_F_ASYNC | IPCT_F_INSIGNAL);
	bool eagain = e->ret == -EAGAIN;
	struct model_endpoint *ep = NULL;
	int64_t bytes = moved_bytes(e);
	struct model_span s;
	struct thr *t;

	/* began before tracing: since the thread's first sight */
	if (!e->enter_ts) {
		uint32_t idx = hmap_get(&p->thr_by_tid, e->h.tid);

		if (idx != NONE_IDX && p->thrs[idx].pub.first_ts > start)
			start = p->thrs[idx].pub.first_ts;
	}
	if (start > end)
		start = end;
	t = thr_get(m, e->h.pid, e->h.tid, start);
	if (!t)
		return;
	thr_touch(t, end);
	t->pub.syscalls++;

	for (int i = 0; i < t->npend; i++) {
		struct pend_sleep *ps = &t->pend[i];
		uint64_t within;

		if (ps->in <= start || ps->out > end)
			continue;
		within = ps->in - (ps->out > start ? ps->out : start);
		off += ps->off_ns < within ? ps->off_ns : within;
		blk += ps->blk_ns < within ? ps->blk_ns : within;
		nblk += ps->nblk;
		if (ps->waker_rc != NONE_IDX)
			waker_rc = ps->waker_rc;
	}
	t->npend = 0;
	t->pub.kernel_ns += sub0(end - start, off);

	rc = chan_rc(m, e->chan, true);
	if (e->op == IPCT_OP_SPLICE)
		rc2 = chan_rc(m, e->chan2, true);
	/* waiting for a signal: on the channel of signals to this process */
	if (e->op == IPCT_OP_SIGWAIT && rc == NONE_IDX && nblk) {
		waker_rc = rch_resolve(p, waker_rc);
		if (waker_rc != NONE_IDX && p->rchs[waker_rc].kind == IPCT_KIND_SIGNAL)
			rc = waker_rc;
		else
			rc = rch_resolve(p, hmap_get(&p->sig_by_target, e->h.pid));
	}
	if (rc != NONE_IDX)
		p->rchs[rc].used = true;
	if (rc2 != NONE_IDX)
		p->rchs[rc2].used = true;

	if ((eagain && !async) || zero) {
		if (t->run && start >= t->run_end + POLL_GAP_NS)
			run_end(m, t);
		if (!t->run) {
			t->run = true;
			t->run_start = start;
			t->run_calls = 0;
		}
		t->run_end = end;
		t->run_calls++;
		t->run_ret = e->ret;
		t->run_op = e->op;
		t->run_nr = e->nr;
		t->run_rc = rc;
	}

	if (poll) {
		if (!zero)
			t->snb_start = 0;  /* it waited properly: the busy-wait is over */
		else if (!t->snb_start) {
			t->snb_start = start;
			t->snb_rc = NONE_IDX;
		}
		t->poll_valid = true;
		t->poll_zero = zero;
		t->poll_blocked_ns = blk;
		t->npoll_credited = 0;
		t->poll_set = 0;
		if (e->op == IPCT_OP_EPOLL_WAIT && e->fd >= 0) {
			uint32_t set = hmap_get(&p->epoll_set,
						((uint64_t)e->h.pid << 32) | (uint32_t)e->fd);

			t->poll_set = set == NONE_IDX ? 0 : set;
		}
	}
	if (e->op == IPCT_OP_EPOLL_CTL)
		on_epoll_ctl(m, e);
	if ((e->op == IPCT_OP_LISTEN || e->op == IPCT_OP_ACCEPT) && rc != NONE_IDX)
		p->rchs[rc].listened = true;
	if (e->op == IPCT_OP_MMAP && rc != NONE_IDX && (e->ret >= 0 || e->ret < -4095)) {
		struct rch *r = &p->rchs[rc];

		if (e->arg & 0x2 /* PROT_WRITE */)
			r->map_writable = true;
		if (!r->mapper)
			r->mapper = e->h.pid;
		else if (r->mapper != e->h.pid)
			r->mapped_twice = true;
	}

	if (rc != NONE_IDX && is_send_op(e->op) && bytes >= 0)
		p->rchs[rc].written = true;
	if (rc2 != NONE_IDX && bytes >= 0)
		p->rchs[rc2].written = true;
	/* a poll over several fds did not wait on its first one alone */
	if (poll && e->chan2)
		nblk = 0, blk = 0;
	if (rc != NONE_IDX && (is_io_op(e->op) || nblk || e->op == IPCT_OP_MQ_NOTIFY ||
			       e->op == IPCT_OP_IO_URING_ENTER || e->op == IPCT_OP_IO_SUBMIT ||
			       is_attach_kind(p->rchs[rc].kind))) {
		ep = rch_ep(m, rc, e->h.pid);
		if (nblk)
			p->rchs[rc].waited = true;
		if (is_io_op(e->op) || is_attach_kind(p->rchs[rc].kind))
			rch_use(m, rc);
	}
	if (ep) {
		struct rch *r = &p->rchs[rc];

		rch_span_ts(r, start);
		rch_span_ts(r, end);
		if (!ep->first_ts || start < ep->first_ts)
			ep->first_ts = start;
		if (end > ep->last_ts)
			ep->last_ts = end;
		ep->blocked += nblk;
		ep->blocked_ns += blk;
		if (eagain) {
			ep->eagain++;
			if (!async) {
				ep->mode_calls[MODE_SYNC_NONBLOCKING]++;
				if (!t->snb_start) {
					t->snb_start = start;
					t->snb_rc = rc;
				}
			}
		}
		if (is_io_op(e->op)) {
			if (nblk) {
				ep->mode_calls[MODE_SYNC_BLOCKING]++;
				ep->mode_ns[MODE_SYNC_BLOCKING] += blk;
			}
			if (async)
				ep->mode_calls[MODE_ASYNC_NONBLOCKING]++;
			if (t->poll_valid && poll_covers(p, t, e->chan) && poll_credit(t, rc)) {
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

	if (bytes >= 0 && (is_recv_op(e->op) || is_send_op(e->op))) {
		if (rc != NONE_IDX && ep) {
			struct rch *r = &p->rchs[rc];
			uint64_t side = side_of(r, e->chan, e->h.pid);

			if (is_recv_op(e->op)) {
				ep->recvs++;
				ep->bytes_received += bytes;
				record_recv(m, rc, side, e->h.pid, e->h.tid, start, end, bytes);
			} else {
				ep->sends++;
				ep->bytes_sent += bytes;
				record_send(m, rc, side, e->h.pid, e->h.tid, start, end, bytes);
			}
		}
		if (rc2 != NONE_IDX) {
			struct model_endpoint *ep2;

			ep2 = rch_ep(m, rc2, e->h.pid);
			rch_use(m, rc2);
			if (ep2) {
				struct rch *r2 = &p->rchs[rc2];

				rch_span_ts(r2, start);
				rch_span_ts(r2, end);
				if (!ep2->first_ts || start < ep2->first_ts)
					ep2->first_ts = start;
				if (end > ep2->last_ts)
					ep2->last_ts = end;
				ep2->sends++;
				ep2->bytes_sent += bytes;
				record_send(m, rc2, side_of(r2, e->chan2, e->h.pid), e->h.pid,
					    e->h.tid, start, end, bytes);
			}
		}
		/* rc2's endpoints may have moved if it is rc itself */
		if (ep)
			ep = rch_ep(m, rc, e->h.pid);
		/* the busy-wait ends with the call that finally moved data on its channel */
		if (t->snb_start && ep && (t->snb_rc == NONE_IDX || t->snb_rc == rc)) {
			ep->mode_ns[MODE_SYNC_NONBLOCKING] += sub0(start, t->snb_start);
			t->snb_start = 0;
		}
		run_end(m, t);
	}

	/* glibc's AIO helper thread signals its own process that the I/O it just did completed */
	if (e->op == IPCT_OP_KILL && (e->h.flags & IPCT_F_ASYNC) && e->ret == 0 && t->io_rc != NONE_IDX) {
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
		if (bytes >= 0 && rc != NONE_IDX && (is_recv_op(e->op) || is_send_op(e->op))) {
			t->io_rc = rc;
			t->io_blocked = nblk && is_io_op(e->op);
			t->io_blk_ns = blk;
		}
	}

	if (e->op == IPCT_OP_KILL) {
		on_kill(m, e, start, rc);
		if (rc == NONE_IDX && e->arg > 0 && e->ret == 0) {
			uint32_t idx = hmap_get(&p->thr_by_tid, (uint32_t)e->arg);
			uint32_t target = idx != NONE_IDX ? p->thrs[idx].pub.pid : (uint32_t)e->arg;

			if (target != e->h.pid)
				rc = signal_rc(m, e->h.pid, target);
		}
	}

	s = (struct model_span){
		.pid = e->h.pid, .tid = e->h.tid, .state = SPAN_SYSCALL, .start = start, .end = end,
		.chan = rch_id(p, rc != NONE_IDX ? rc : rc2), .op = e->op, .nr = e->nr, .ret = e->ret,
		.calls = 1,
	};
	emit_span(m, &s);
}

static void on_sleep(struct model *m, const struct ipct_sleep *e)
{
	bool unknown = (e->h.flags & IPCT_F_OUT_UNKNOWN) || !e->out_ts;
	uint32_t idx = hmap_get(&m->priv->thr_by_tid, e->h.tid);
	uint64_t seen = idx != NONE_IDX ? m->priv->thrs[idx].pub.last_ts : 0;
	uint64_t in = e->h.ts, out, wake;
	uint32_t state = e->state, rc, wrc = NONE_IDX;
	struct model_span s;
	struct pend_sleep ps;
	struct thr *t;

	out = unknown ? m->start_ts : clamp_ts(m, e->out_ts);
	if (out > in)
		out = in;
	/* off CPU since before we knew it: since its birth or last sighting */
	if (unknown && seen > out && seen <= in)
		out = seen;
	t = thr_get(m, e->h.pid, e->h.tid, out);
	if (!t)
		return;
	/* a thread that existed before tracing and had not run since was asleep (a wake proves it) */
	if (unknown && !t->born && !state)
		state = 1;
	thr_touch(t, in);
	if (state) {
		wake = e->wake_ts ? e->wake_ts : in;
		if (wake < out)
			wake = out;
		if (wake > in)
			wake = in;
		t->pub.blocked_ns += wake - out;
		t->pub.runnable_ns += in - wake;
	} else {
		wake = out;
		t->pub.runnable_ns += in - out;
	}

	if (state && (e->wake_ts || e->waker_pid)) {
		wrc = chan_rc(m, e->waker_chan, false);
		if (wrc == NONE_IDX && e->waker_op == IPCT_OP_KILL && e->waker_pid &&
		    e->waker_pid != e->h.pid)
			wrc = signal_rc(m, e->waker_pid, e->h.pid);
	}
	ps = (struct pend_sleep){ .out = out, .in = in, .off_ns = in - out,
				  .blk_ns = state ? wake - out : 0, .nblk = state ? 1 : 0,
				  .waker_rc = wrc };
	if (t->npend == PEND_SLEEPS) {
		/* fold the two oldest: only their sums matter to the syscall */
		t->pend[0].in = t->pend[1].in;
		t->pend[0].off_ns += t->pend[1].off_ns;
		t->pend[0].blk_ns += t->pend[1].blk_ns;
		t->pend[0].nblk += t->pend[1].nblk;
		memmove(&t->pend[1], &t->pend[2], (PEND_SLEEPS - 2) * sizeof(t->pend[0]));
		t->npend--;
	}
	t->pend[t->npend++] = ps;

	rc = chan_rc(m, e->chan, false);
	s = (struct model_span){ .pid = e->h.pid, .tid = e->h.tid, .chan = rch_id(m->priv, rc),
				 .op = e->op, .nr = e->nr };
	if (state) {
		s.state = SPAN_BLOCKED;
		s.start = out;
		s.end = wake;
		emit_span(m, &s);
	}
	if (in > wake) {
		s.state = SPAN_RUNNABLE;
		s.start = wake;
		s.end = in;
		emit_span(m, &s);
	}
	if (state && (e->wake_ts || e->waker_pid))
		emit_wake(m, wrc, e->waker_pid, e->waker_tid, e->h.pid, e->h.tid, wake,
			  e->waker_op);
}

static void on_task(struct model *m, const struct ipct_task *e)
{
	struct thr *t;
	struct proc *pr;

	if (e->h.type == IPCT_EV_TASK) {
		t = thr_get(m, e->h.pid, e->h.tid, e->h.ts);
		if (!t)
			return;
		copy_name(t->pub.comm, sizeof(t->pub.comm), e->comm, sizeof(e->comm));
		pr = proc_get(m, e->h.pid);
		if (pr && !(e->h.flags & IPCT_F_THREAD) && e->child_pid != e->h.pid)
			pr->pub.ppid = e->child_pid;
		return;
	}
	/* FORK: h is the parent */
	thr_get(m, e->h.pid, e->h.tid, e->h.ts);
	if (hmap_get(&m->priv->thr_by_tid, e->child_tid) == NONE_IDX) {
		t = thr_get(m, e->child_pid, e->child_tid, e->h.ts);
		if (t)
			t->born = true;
	}
	t = thr_get(m, e->child_pid, e->child_tid, e->h.ts);
	if (!t)
		return;
	if (e->comm[0])
		copy_name(t->pub.comm, sizeof(t->pub.comm), e->comm, sizeof(e->comm));
	if (e->child_pid != e->h.pid) {
		pr = proc_get(m, e->child_pid);
		if (pr)
			pr->pub.ppid = e->h.pid;
	}
}

static void on_proc(struct model *m, const struct ipct_proc *e)
{
	struct thr *t = thr_get(m, e->h.pid, e->h.tid, e->h.ts);
	struct proc *pr;

	if (!t)
		return;
	if (e->comm[0] && e->h.type != IPCT_EV_EXIT)
		copy_name(t->pub.comm, sizeof(t->pub.comm), e->comm, sizeof(e->comm));
	if (e->h.type == IPCT_EV_EXEC) {
		pr = proc_get(m, e->h.pid);
		if (pr && e->name[0])
			copy_name(pr->pub.exe, sizeof(pr->pub.exe), e->name, sizeof(e->name));
	} else if (e->h.type == IPCT_EV_EXIT) {
		if (!t->pub.comm[0] && e->comm[0])
			copy_name(t->pub.comm, sizeof(t->pub.comm), e->comm, sizeof(e->comm));
		t->pub.exited = true;
		t->exit_ts = e->h.ts;
		run_end(m, t);
		if (e->h.flags & IPCT_F_GROUP_DEAD || e->h.tid == e->h.pid) {
			pr = proc_get(m, e->h.pid);
			if (pr && (e->h.flags & IPCT_F_GROUP_DEAD)) {
				pr->pub.exited = true;
				pr->pub.exit_code = e->exit_code;
			}
		}
	}
}

static void on_wakeup(struct model *m, const struct ipct_wakeup *e)
{
	uint32_t rc;

	if (!thr_get(m, e->h.pid, e->h.tid, e->h.ts))
		return;
	rc = chan_rc(m, e->chan, false);
	if (rc == NONE_IDX && e->op == IPCT_OP_KILL && e->wakee_pid != e->h.pid)
		rc = signal_rc(m, e->h.pid, e->wakee_pid);
	emit_wake(m, rc, e->h.pid, e->h.tid, e->wakee_pid, e->wakee_tid, e->h.ts, e->op);
}

static void on_lost(struct model *m, const struct ipct_lost *e)
{
	struct model_priv *p = m->priv;
	struct model_lost l = {
		.first_ts = e->first_ts && e->first_ts <= e->h.ts ? e->first_ts : e->h.ts,
		.last_ts = e->h.ts, .count = e->count, .cpu = e->h.cpu,
	};

	m->lost_events += e->count;
	if (p->opts.on_lost)
		p->opts.on_lost(p->opts.ctx, &l);
	if (m->nlost >= LOST_MAX) {
		/* bounded: fold into the last record */
		struct model_lost *last = &m->lost[m->nlost - 1];

		if (l.first_ts < last->first_ts)
			last->first_ts = l.first_ts;
		if (l.last_ts > last->last_ts)
			last->last_ts = l.last_ts;
		last->count += l.count;
		return;
	}
	if (grow(&m->lost, &p->clost, m->nlost, sizeof(*m->lost))) {
		p->oom = true;
		return;
	}
	m->lost[m->nlost++] = l;
}

struct model *model__new(const struct model_opts *opts)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->priv = calloc(1, sizeof(*m->priv));
	if (!m->priv) {
		free(m);
		return NULL;
	}
	if (opts)
		m->priv->opts = *opts;
	return m;
}

void model__add(struct model *m, const struct ipct_hdr *ev)
{
	struct model_priv *p = m->priv;

	if (p->finished)
		return;
	m->events++;
	if (!p->started) {
		p->started = true;
		m->start_ts = m->end_ts = ev->ts;
	} else if (ev->ts < m->start_ts) {
		m->start_ts = ev->ts;
	} else if (ev->ts > m->end_ts) {
		m->end_ts = ev->ts;
	}
	switch (ev->type) {
	case IPCT_EV_SYSCALL:
		on_syscall(m, (const struct ipct_syscall *)ev);
		break;
	case IPCT_EV_SLEEP:
		on_sleep(m, (const struct ipct_sleep *)ev);
		break;
	case IPCT_EV_WAKEUP:
		on_wakeup(m, (const struct ipct_wakeup *)ev);
		break;
	case IPCT_EV_FORK:
	case IPCT_EV_TASK:
		on_task(m, (const struct ipct_task *)ev);
		break;
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
	case IPCT_EV_COMM:
		on_proc(m, (const struct ipct_proc *)ev);
		break;
	case IPCT_EV_CHAN:
		on_chan(m, (const struct ipct_chan *)ev);
		break;
	case IPCT_EV_LOST:
		on_lost(m, (const struct ipct_lost *)ev);
		break;
	default:
		break;
	}
}

static void fmt_addr(char *buf, size_t sz, uint16_t family, const uint32_t *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET6) {
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		snprintf(buf, sz, "[%s]:%u", ip, port);
	} else {
		inet_ntop(AF_INET, a, ip, sizeof(ip));
		snprintf(buf, sz, "%s:%u", ip, port);
	}
}

static bool addr_is_loopback(uint16_t family, const uint32_t *a)
{
	const uint8_t *b = (const uint8_t *)a;
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (family != AF_INET6)
		return b[0] == 127;
	if (!memcmp(b, v6lo, 16))
		return true;
	/* v4-mapped ::ffff:127.x.y.z */
	return !memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && b[12] == 127;
}

static enum model_direction rch_direction(const struct rch *r)
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

static enum model_mode dominant_mode(const struct model_endpoint *e)
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

static int cmp_thread(const void *a, const void *b)
{
	const struct model_thread *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int cmp_process(const void *a, const void *b)
{
	const struct model_process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
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

static const char *proc_comm(const struct model *m, uint32_t pid)
{
	const struct model_process *pr = model__process(m, pid);

	return pr ? pr->comm : "";
}

static int finish_threads(struct model *m)
{
	struct model_priv *p = m->priv;

	m->threads = calloc(p->nthrs ? p->nthrs : 1, sizeof(*m->threads));
	if (!m->threads)
		return -ENOMEM;
	for (size_t i = 0; i < p->nthrs; i++) {
		struct thr *t = &p->thrs[i];
		struct model_thread *o = &m->threads[i];
		uint64_t first, last, life;

		run_end(m, t);
		*o = t->pub;
		first = o->first_ts < m->start_ts ? m->start_ts : o->first_ts;
		last = t->pub.exited && t->exit_ts ? t->exit_ts : m->end_ts;
		if (last < o->last_ts && !t->pub.exited)
			last = o->last_ts;
		if (last < first)
			last = first;
		o->first_ts = first;
		o->last_ts = last;
		life = last - first;
		o->user_ns = sub0(life, o->kernel_ns + o->blocked_ns + o->runnable_ns);
	}
	m->nthreads = p->nthrs;
	qsort(m->threads, m->nthreads, sizeof(*m->threads), cmp_thread);
	for (size_t i = 0; i < m->nthreads; i++)
		if (hmap_put(&p->final_tid, m->threads[i].tid, i))
			return -ENOMEM;
	return 0;
}

static int finish_processes(struct model *m)
{
	struct model_priv *p = m->priv;

	m->processes = calloc(p->nprocs ? p->nprocs : 1, sizeof(*m->processes));
	if (!m->processes)
		return -ENOMEM;
	for (size_t i = 0; i < p->nprocs; i++)
		m->processes[i] = p->procs[i].pub;
	m->nprocesses = p->nprocs;
	qsort(m->processes, m->nprocesses, sizeof(*m->processes), cmp_process);
	for (size_t i = 0; i < m->nprocesses; i++)
		if (hmap_put(&p->final_pid, m->processes[i].pid, i))
			return -ENOMEM;
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct model_thread *t = &m->threads[i];
		uint32_t pi = hmap_get(&p->final_pid, t->pid);
		struct model_process *pr;

		if (pi == NONE_IDX)
			continue;
		pr = &m->processes[pi];
		if (!pr->threads) {
			size_t n = 0;

			for (size_t j = i; j < m->nthreads && m->threads[j].pid == t->pid; j++)
				n++;
			pr->threads = calloc(n, sizeof(*pr->threads));
			if (!pr->threads)
				return -ENOMEM;
		}
		pr->threads[pr->nthreads++] = i;
		/* the main thread names the process; else its first named thread */
		if (t->comm[0] && (t->tid == t->pid || !pr->comm[0]))
			memcpy(pr->comm, t->comm, sizeof(pr->comm));
	}
	/* a thread we never heard named goes by its process's name */
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct model_process *pr = model__process(m, m->threads[i].pid);

		if (!m->threads[i].comm[0] && pr)
			memcpy(m->threads[i].comm, pr->comm, sizeof(m->threads[i].comm));
	}
	return 0;
}

static void rch_name(const struct rch *r, char *name, size_t sz)
{
	name[0] = 0;
	if (r->name[0]) {
		snprintf(name, sz, "%s", r->name);
	} else if (r->have_tuple) {
		char a[64], b[64];

		fmt_addr(a, sizeof(a), r->tuple.family, r->tuple.saddr, r->tuple.sport);
		fmt_addr(b, sizeof(b), r->tuple.family, r->tuple.daddr, r->tuple.dport);
		snprintf(name, sz, "%s <-> %s", a, b);
	} else if (r->have_local) {
		fmt_addr(name, sz, r->tuple.family, r->tuple.saddr, r->tuple.sport);
	} else if (r->ino && r->kind == IPCT_KIND_SIGNAL) {
		snprintf(name, sz, "signals to %llu", (unsigned long long)r->ino);
	} else if (r->ino) {
		snprintf(name, sz, "%s:[%llu]", r->kind == IPCT_KIND_PIPE ? "pipe" : kind_name(r->kind),
			 (unsigned long long)r->ino);
	}
}

static int finish_channels(struct model *m)
{
	struct model_priv *p = m->priv;
	struct hmap maps = { 0 };
	size_t n = 0;

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
		c->remote = (r->kind == IPCT_KIND_TCP || r->kind == IPCT_KIND_UDP) &&
			    r->have_tuple && !r->paired &&
			    !addr_is_loopback(r->tuple.family, r->tuple.daddr) &&
			    memcmp(r->tuple.saddr, r->tuple.daddr, sizeof(r->tuple.saddr));
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

static int finish_wakeups(struct model *m)
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

void model__finish(struct model *m)
{
	struct model_priv *p = m->priv;

	if (p->finished)
		return;
	p->finished = true;
	if (finish_threads(m) || finish_processes(m) || finish_channels(m) || finish_wakeups(m))
		p->oom = true;
}

void model__free(struct model *m)
{
	struct model_priv *p;

	if (!m)
		return;
	p = m->priv;
	for (size_t i = 0; i < m->nprocesses; i++)
		free(m->processes[i].threads);
	for (size_t i = 0; i < m->nchannels; i++)
		free(m->channels[i].endpoints);
	free(m->threads);
	free(m->processes);
	free(m->channels);
	free(m->wakeups);
	free(m->lost);
	if (p) {
		for (size_t i = 0; i < p->nrchs; i++) {
			free(p->rchs[i].eps);
			free(p->rchs[i].q);
			free(p->rchs[i].rq);
			free(p->rchs[i].flows);
			free(p->rchs[i].sides);
		}
		for (size_t i = 0; i < p->npairs; i++)
			free(p->pairs[i].chans);
		free(p->thrs);
		free(p->procs);
		free(p->kchans);
		free(p->rchs);
		free(p->pairs);
		hmap_free(&p->thr_by_tid);
		hmap_free(&p->proc_by_pid);
		hmap_free(&p->kchan_by_id);
		hmap_free(&p->kchan_by_tuple);
		hmap_free(&p->pair_by_pids);
		hmap_free(&p->sig_by_pids);
		hmap_free(&p->sig_by_target);
		hmap_free(&p->final_tid);
		hmap_free(&p->final_pid);
		hmap_free(&p->epoll_set);
		hmap_free(&p->epoll_member);
		hmap_free(&p->dgram_by_name);
		free(p);
	}
	free(m);
}

struct model *model__from_reader(struct trace_reader *r, const struct model_opts *opts)
{
	struct model *m = model__new(opts);
	const struct ipct_hdr *e;

	if (!m)
		return NULL;
	while ((e = trace_reader__next(r)) != NULL)
		model__add(m, e);
	model__finish(m);
	if (m->priv->oom) {
		model__free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

const struct model_thread *model__thread(const struct model *m, uint32_t tid)
{
	uint32_t i = hmap_get(&m->priv->final_tid, tid);

	return i == NONE_IDX ? NULL : &m->threads[i];
}

const struct model_process *model__process(const struct model *m, uint32_t pid)
{
	uint32_t i = hmap_get(&m->priv->final_pid, pid);

	return i == NONE_IDX ? NULL : &m->processes[i];
}

const struct model_channel *model__channel(const struct model *m, int id)
{
	size_t lo = 0, hi = m->nchannels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->channels[mid].id == id)
			return &m->channels[mid];
		if (m->channels[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
