// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP/UDP sockets of two traces paired across machines and their messages
 * matched (netpair.h). A socket id can come back as a new socket (the kernel
 * reuses a freed struct sock): a new inode, new addresses, or a new
 * connect/accept on it starts a new record for that id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "netpair.h"

struct ncall {
	uint64_t enter, exit, bytes;
	uint32_t pid, tid;
	uint32_t from_host, from_pid, from_tid;  /* a receive: who sent its last byte (pid 0: unknown) */
	bool send, timed;
};

struct nsock {
	uint64_t id, ev, ino;
	uint16_t kind, family;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	bool have_local, have_remote;
	bool from_start;  /* its connect/accept/socket came before any data */
	bool sized;       /* one datagram per call (no sendmmsg/recvmmsg) */
	struct ncall *calls;
	size_t ncalls, ccalls;
};

/* An accept whose call began before tracing returns no socket id, only its fd. */
#define FRESH_FDS 64

struct fresh_fd {
	uint32_t pid;
	int32_t fd;
};

/* u64 -> u32, open addressing */
struct idmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

struct net_scan {
	struct trace_meta meta;
	uint32_t host;
	struct fresh_fd fresh[FRESH_FDS];
	size_t nfresh;
	struct nsock *socks;
	size_t nsocks, csocks;
	struct idmap by_id;    /* chan id -> its current record */
	struct idmap traced;   /* pids with events of their own */
	uint64_t nev;
};

#define NO_SOCK UINT32_MAX

static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t map_get(const struct idmap *s, uint64_t id)
{
	if (!s->cap)
		return NO_SOCK;
	for (size_t i = mix(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->vals[i] == NO_SOCK)
			return NO_SOCK;
		if (s->keys[i] == id)
			return s->vals[i];
	}
}

static int map_put(struct idmap *s, uint64_t id, uint32_t v)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ocap = s->cap, ncap = ocap ? ocap * 2 : 256;
		uint64_t *ok = s->keys, *nk = malloc(ncap * sizeof(*nk));
		uint32_t *ov = s->vals, *nv = malloc(ncap * sizeof(*nv));

		if (!nk || !nv) {
			free(nk);
			free(nv);
			return -ENOMEM;
		}
		memset(nv, 0xff, ncap * sizeof(*nv));
		s->keys = nk;
		s->vals = nv;
		s->cap = ncap;
		s->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (ov[i] != NO_SOCK)
				map_put(s, ok[i], ov[i]);
		free(ok);
		free(ov);
	}
	for (size_t i = mix(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->vals[i] == NO_SOCK) {
			s->keys[i] = id;
			s->vals[i] = v;
			s->n++;
			return 0;
		}
		if (s->keys[i] == id) {
			s->vals[i] = v;
			return 0;
		}
	}
}

static void map_free(struct idmap *s)
{
	free(s->keys);
	free(s->vals);
}

struct net_scan *net_scan__new(const struct trace_meta *meta, uint32_t host)
{
	struct net_scan *s = calloc(1, sizeof(*s));

	if (s && meta)
		s->meta = *meta;
	if (s)
		s->host = host;
	return s;
}

void net_scan__free(struct net_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsocks; i++)
		free(s->socks[i].calls);
	free(s->socks);
	map_free(&s->by_id);
	map_free(&s->traced);
	free(s);
}

/* A fresh record for id (a new socket, or the first sight of one). */
static struct nsock *sock_new(struct net_scan *s, uint64_t id)
{
	struct nsock *k;

	if (s->nsocks == s->csocks) {
		size_t nc = s->csocks ? s->csocks * 2 : 64;
		struct nsock *ns = realloc(s->socks, nc * sizeof(*ns));

		if (!ns)
			return NULL;
		s->socks = ns;
		s->csocks = nc;
	}
	if (map_put(&s->by_id, id, s->nsocks))
		return NULL;
	k = &s->socks[s->nsocks++];
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->sized = true;
	return k;
}

static struct nsock *sock_of(struct net_scan *s, uint64_t id)
{
	uint32_t i = id ? map_get(&s->by_id, id) : NO_SOCK;

	return i == NO_SOCK ? NULL : &s->socks[i];
}

static bool is_ip_kind(unsigned kind)
{
	return kind == IPCT_KIND_TCP || kind == IPCT_KIND_UDP;
}

static int on_chan(struct net_scan *s, const struct ipct_chan *e)
{
	struct nsock *k = sock_of(s, e->chan);
	size_t alen = e->family == AF_INET6 ? 16 : 4;

	if (!is_ip_kind(e->kind) || (e->h.flags & IPCT_F_DEST))
		return 0;
	if (k && ((k->ino && e->ino && k->ino != e->ino) ||
		  (k->have_remote && e->dport &&
		   (k->rport != e->dport || memcmp(k->raddr, e->daddr, alen)))))
		k = NULL;	/* a new socket at a freed one's address */
	if (!k && !(k = sock_new(s, e->chan)))
		return -ENOMEM;
	k->kind = e->kind;
	k->family = e->family;
	if (e->ino)
		k->ino = e->ino;
	if (e->sport) {
		memcpy(k->laddr, e->saddr, alen);
		k->lport = e->sport;
		k->have_local = true;
		k->ev = s->nev;
	}
	if (e->dport) {
		memcpy(k->raddr, e->daddr, alen);
		k->rport = e->dport;
		k->have_remote = true;
		k->ev = s->nev;
	}
	return 0;
}

static int add_call(struct nsock *k, const struct ipct_syscall *e, bool send, uint64_t bytes)
{
	if (k->ncalls == k->ccalls) {
		size_t nc = k->ccalls ? k->ccalls * 2 : 16;
		struct ncall *n = realloc(k->calls, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		k->calls = n;
		k->ccalls = nc;
	}
	/* an io_uring completion's time is not its call's, and a call begun before tracing has none */
	k->calls[k->ncalls++] = (struct ncall){
		.enter = e->enter_ts, .exit = e->h.ts, .bytes = bytes, .send = send,
		.pid = e->h.pid, .tid = e->h.tid,
		.timed = e->enter_ts && !(e->h.flags & IPCT_F_ASYNC),
	};
	if (e->h.flags & IPCT_F_MSGS)
		k->sized = false;
	return 0;
}

/* The fd an accept returned, if its socket is not known yet: true once (then forgotten). */
static bool take_fresh(struct net_scan *s, uint32_t pid, int32_t fd)
{
	for (size_t i = 0; i < s->nfresh; i++) {
		if (s->fresh[i].pid == pid && s->fresh[i].fd == fd) {
			s->fresh[i] = s->fresh[--s->nfresh];
			return true;
		}
	}
	return false;
}

static int on_syscall(struct net_scan *s, const struct ipct_syscall *e)
{
	struct nsock *k;
	uint64_t bytes;

	if (e->op == IPCT_OP_ACCEPT && !e->chan2 && e->ret >= 0) {
		take_fresh(s, e->h.pid, (int32_t)e->ret);
		if (s->nfresh == FRESH_FDS)
			s->nfresh--;
		s->fresh[s->nfresh++] = (struct fresh_fd){ .pid = e->h.pid, .fd = (int32_t)e->ret };
		return 0;
	}
	if (e->op == IPCT_OP_CLOSE && e->fd >= 0)
		take_fresh(s, e->h.pid, e->fd);
	switch (e->op) {
	case IPCT_OP_CONNECT:
	case IPCT_OP_ACCEPT:
	case IPCT_OP_SOCKET:
	case IPCT_OP_BIND: {
		uint64_t id = e->op == IPCT_OP_ACCEPT ? e->chan2 : e->chan;

		if (!id || (e->ret < 0 && e->ret != -115 /* EINPROGRESS */))
			return 0;
		k = sock_of(s, id);
		/* a connection made again on a reused id starts a new record */
		if (k && k->ncalls && e->op != IPCT_OP_BIND) {
			struct nsock old = *k;

			k = sock_new(s, id);
			if (!k)
				return -ENOMEM;
			k->kind = old.kind;
			k->family = old.family;
		}
		if (!k && !(k = sock_new(s, id)))
			return -ENOMEM;
		if (!k->ncalls)
			k->from_start = true;
		return 0;
	}
	case IPCT_OP_READ:
	case IPCT_OP_RECV:
	case IPCT_OP_WRITE:
	case IPCT_OP_SEND:
	case IPCT_OP_SPLICE:
		break;
	default:
		return 0;
	}
	if (e->ret <= 0)
		return 0;
	bytes = (e->h.flags & IPCT_F_MSGS) ? (e->arg > 0 ? (uint64_t)e->arg : 0) : (uint64_t)e->ret;
	if (e->op == IPCT_OP_SPLICE) {
		int err = 0;

		k = sock_of(s, e->chan);
		if (k && is_ip_kind(k->kind))
			err = add_call(k, e, false, bytes);
		k = sock_of(s, e->chan2);
		if (!err && k && is_ip_kind(k->kind))
			err = add_call(k, e, true, bytes);
		return err;
	}
	k = sock_of(s, e->chan);
	if (!k || !is_ip_kind(k->kind))
		return 0;
	if (take_fresh(s, e->h.pid, e->fd) && !k->ncalls)
		k->from_start = true;
	return add_call(k, e, e->op == IPCT_OP_WRITE || e->op == IPCT_OP_SEND, bytes);
}

int net_scan__add(struct net_scan *s, const struct ipct_hdr *ev)
{
	int err = 0;

	if (map_get(&s->traced, ev->pid) == NO_SOCK && map_put(&s->traced, ev->pid, 1))
		return -ENOMEM;
	if (ev->type == IPCT_EV_CHAN)
		err = on_chan(s, (const struct ipct_chan *)ev);
	else if (ev->type == IPCT_EV_SYSCALL)
		err = on_syscall(s, (const struct ipct_syscall *)ev);
	s->nev++;
	return err;
}

static size_t addr_len(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool addr_loopback(uint16_t family, const uint8_t *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (family != AF_INET6)
		return a[0] == 127;
	return !memcmp(a, v6lo, 16) ||
	       (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && a[12] == 127);
}

static bool addr_any(uint16_t family, const uint8_t *a)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, addr_len(family));
}

/* Whether a is one of the machine's addresses (true when the trace does not list them). */
static bool addr_ours(const struct trace_meta *m, uint16_t family, const uint8_t *a)
{
	if (!m->naddrs)
		return true;
	for (uint32_t i = 0; i < m->naddrs; i++)
		if (m->addrs[i].family == family && !memcmp(m->addrs[i].addr, a, addr_len(family)))
			return true;
	return false;
}

/* x's remote end is y: y has that local address and port, and x's remote is y's machine's. */
static bool reaches(const struct nsock *x, const struct nsock *y, const struct trace_meta *ym)
{
	size_t n = addr_len(x->family);

	if (!x->have_remote || !y->have_local || x->rport != y->lport || x->family != y->family)
		return false;
	if (addr_loopback(x->family, x->raddr) || !addr_ours(ym, x->family, x->raddr))
		return false;
	/* a socket bound to the wildcard (or a UDP flow of one) takes any of its machine's addresses */
	return !memcmp(x->raddr, y->laddr, n) || addr_any(y->family, y->laddr);
}

static bool paired(const struct nsock *x, const struct net_scan *xs, const struct nsock *y,
		   const struct net_scan *ys)
{
	if (x->kind != y->kind || !is_ip_kind(x->kind))
		return false;
	if (x->have_remote && y->have_remote)
		return reaches(x, y, &ys->meta) && reaches(y, x, &xs->meta);
	/* an unconnected UDP socket: whoever sent to its address */
	return x->kind == IPCT_KIND_UDP && (reaches(x, y, &ys->meta) || reaches(y, x, &xs->meta));
}

/* Matches x's sends to y's receives; from_x: x is on the reference clock. */
static void sent_by(struct ncall *r, const struct ncall *s, uint32_t host)
{
	r->from_host = host;
	r->from_pid = s->pid;
	r->from_tid = s->tid;
}

static int match_way(const struct nsock *x, uint32_t xhost, struct nsock *y, bool from_x,
		     bool timed, struct clocksync *cs, uint64_t *bytes, uint64_t *messages)
{
	enum clock_way way = from_x ? CLOCK_TO_OTHER : CLOCK_TO_REF;
	uint64_t sent = 0, got = 0, s_end = 0, r_end = 0;
	size_t i = 0, j = 0;
	int err = 0;

	for (size_t k = 0; k < x->ncalls; k++)
		sent += x->calls[k].send ? x->calls[k].bytes : 0;
	for (size_t k = 0; k < y->ncalls; k++)
		got += y->calls[k].send ? 0 : y->calls[k].bytes;
	*bytes = sent < got ? sent : got;
	/* who sent what is known only when both saw the start, like the times */
	if (!timed)
		return 0;
	if (x->kind == IPCT_KIND_UDP) {
		/* datagrams in order; one that never arrived is skipped */
		while (i < x->ncalls && j < y->ncalls && !err) {
			const struct ncall *s = &x->calls[i];
			struct ncall *r = &y->calls[j];

			if (!s->send) {
				i++;
			} else if (r->send) {
				j++;
			} else if (s->bytes != r->bytes) {
				i++;
			} else {
				sent_by(r, s, xhost);
				if (s->timed)
					err = clocksync__add(cs, way, s->enter, r->exit);
				(*messages)++;
				i++;
				j++;
			}
		}
		return err;
	}
	/* stream: each receive against every send whose bytes it holds */
	while (i < x->ncalls && j < y->ncalls && !err) {
		const struct ncall *s = &x->calls[i];
		struct ncall *r = &y->calls[j];
		uint64_t se, re;

		if (!s->send) {
			i++;
			continue;
		}
		if (r->send) {
			j++;
			continue;
		}
		se = s_end + s->bytes;
		re = r_end + r->bytes;
		sent_by(r, s, xhost);
		if (s->timed)
			err = clocksync__add(cs, way, s->enter, r->exit);
		if (se <= re) {
			s_end = se;
			(*messages)++;
			i++;
		}
		if (re <= se) {
			r_end = re;
			j++;
		}
	}
	return err;
}

/* b's sockets sorted by a port, to find the candidates of each of a's without trying all */
static const struct net_scan *sort_scan;
static bool sort_by_local;

static uint16_t port_of(const struct nsock *k, bool local)
{
	return local ? (k->have_local ? k->lport : 0) : (k->have_remote ? k->rport : 0);
}

static int cmp_port(const void *p, const void *q)
{
	uint16_t x = port_of(&sort_scan->socks[*(const uint32_t *)p], sort_by_local);
	uint16_t y = port_of(&sort_scan->socks[*(const uint32_t *)q], sort_by_local);

	return (x > y) - (x < y);
}

static uint32_t *index_by_port(const struct net_scan *b, bool local)
{
	uint32_t *idx = malloc((b->nsocks ? b->nsocks : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < b->nsocks; i++)
		idx[i] = i;
	sort_scan = b;
	sort_by_local = local;
	qsort(idx, b->nsocks, sizeof(*idx), cmp_port);
	return idx;
}

/* The first position in idx whose socket's port is at least port. */
static size_t lower_bound(const struct net_scan *b, const uint32_t *idx, bool local, uint16_t port)
{
	size_t lo = 0, hi = b->nsocks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (port_of(&b->socks[idx[mid]], local) < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_pair(struct net_pair **out, size_t *n, size_t *cap, const struct net_pair *p)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct net_pair *np = realloc(*out, nc * sizeof(*np));

		if (!np)
			return -ENOMEM;
		*out = np;
		*cap = nc;
	}
	(*out)[(*n)++] = *p;
	return 0;
}

static int pair_two(struct nsock *x, const struct net_scan *a, struct nsock *y,
		    const struct net_scan *b, struct clocksync *cs, struct net_pair **out,
		    size_t *n, size_t *cap)
{
	bool timed = x->from_start && y->from_start &&
		     (x->kind == IPCT_KIND_TCP || (x->sized && y->sized));
	struct net_pair p = { .chan_a = x->id, .chan_b = y->id, .ev_a = x->ev, .ev_b = y->ev,
			      .kind = x->kind, .timed = timed };
	int err;

	err = match_way(x, a->host, y, true, timed, cs, &p.bytes_ab, &p.messages);
	if (!err)
		err = match_way(y, b->host, x, false, timed, cs, &p.bytes_ba, &p.messages);
	return err ? err : add_pair(out, n, cap, &p);
}

int net_scan__pair(struct net_scan *a, struct net_scan *b, struct clocksync *cs,
		   struct net_pair **pairs, size_t *npairs)
{
	uint32_t *by_local = index_by_port(b, true), *by_remote = index_by_port(b, false);
	size_t n = 0, cap = 0;
	struct net_pair *out = NULL;
	int err = by_local && by_remote ? 0 : -ENOMEM;

	for (size_t i = 0; i < a->nsocks && !err; i++) {
		struct nsock *x = &a->socks[i];

		if (!is_ip_kind(x->kind) || !x->have_local)
			continue;
		/* the sockets x reaches (their local port is x's remote one) */
		for (size_t k = x->have_remote ? lower_bound(b, by_local, true, x->rport) : b->nsocks;
		     k < b->nsocks && !err && port_of(&b->socks[by_local[k]], true) == x->rport; k++) {
			struct nsock *y = &b->socks[by_local[k]];

			if (paired(x, a, y, b))
				err = pair_two(x, a, y, b, cs, &out, &n, &cap);
		}
		/* and those that reach x, unless already found above */
		for (size_t k = lower_bound(b, by_remote, false, x->lport);
		     k < b->nsocks && !err && port_of(&b->socks[by_remote[k]], false) == x->lport; k++) {
			struct nsock *y = &b->socks[by_remote[k]];

			if (x->have_remote && y->have_local && y->lport == x->rport)
				continue;
			if (paired(x, a, y, b))
				err = pair_two(x, a, y, b, cs, &out, &n, &cap);
		}
	}
	free(by_local);
	free(by_remote);
	if (err) {
		free(out);
		return err;
	}
	*pairs = out;
	*npairs = n;
	return 0;
}

bool net_scan__traced(const struct net_scan *s, uint32_t pid)
{
	return map_get(&s->traced, pid) != NO_SOCK;
}

bool net_scan__sender(const struct net_scan *s, uint64_t chan, uint32_t tid, uint64_t ts,
		      uint32_t *host, uint32_t *pid, uint32_t *stid)
{
	/* the socket's records, newest first: the one whose receives reach past ts */
	for (size_t i = s->nsocks; i-- > 0;) {
		const struct nsock *k = &s->socks[i];
		size_t lo = 0, hi = k->ncalls;

		if (k->id != chan || !k->ncalls || k->calls[k->ncalls - 1].exit < ts)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (k->calls[mid].exit < ts)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < k->ncalls; lo++) {
			const struct ncall *c = &k->calls[lo];

			if (c->tid != tid || c->send)
				continue;
			if (!c->from_pid)
				return false;
			*host = c->from_host;
			*pid = c->from_pid;
			*stid = c->from_tid;
			return true;
		}
		return false;
	}
	return false;
}
