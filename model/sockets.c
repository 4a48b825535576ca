// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Socket pairing: the two ends of a TCP or UDP flow meet when one's 4-tuple
 * mirrors the other's; unix datagram sockets meet at the address one is
 * bound to and the others send to. Also how a socket channel is named.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include "model_priv.h"
#include "trace.h"

_Static_assert(TRACE_HOST_SHIFT == 22, "model_host_of() splits pids where merged traces put the host");

/* host: a merged trace's machine (model_host_of); its 127.0.0.1 is not another's */
static uint64_t tuple_key(const uint32_t *saddr, uint16_t sport, const uint32_t *daddr,
			  uint16_t dport, uint16_t family, uint32_t host)
{
	uint64_t h = mix64(((uint64_t)host << 48) | ((uint64_t)family << 32) |
			   ((uint64_t)sport << 16) | dport);

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

static bool addr_is_any(uint16_t family, const uint32_t *a)
{
	return family == AF_INET6 ? !(a[0] | a[1] | a[2] | a[3]) : !a[0];
}

static bool addr_matches(uint16_t family, const uint32_t *a, const uint32_t *b)
{
	return addr_is_any(family, a) || addr_is_any(family, b) || !memcmp(a, b, 4 * sizeof(*a));
}

/* b is a's other end, an unconnected socket's local address (the wildcard) matching any. */
static bool tuple_mirrors_any(const struct tuple *a, const struct tuple *b)
{
	return a->family == b->family && a->sport == b->dport && a->dport == b->sport &&
	       addr_matches(a->family, a->saddr, b->daddr) && addr_matches(a->family, a->daddr, b->saddr);
}

static uint64_t ports_key(uint16_t family, uint16_t lport, uint16_t rport, uint32_t host)
{
	return mix64(((uint64_t)host << 48) | ((uint64_t)family << 32) | ((uint64_t)lport << 16) | rport);
}

/* The channel is named by one end's tuple: where its local address is the wildcard, say the one its peer saw. */
static void tuple_fill_any(struct tuple *name, const struct tuple *a, const struct tuple *b)
{
	const struct tuple *other = !memcmp(name, a, sizeof(*a)) ? b : a;

	if (addr_is_any(name->family, name->saddr))
		memcpy(name->saddr, other->daddr, sizeof(name->saddr));
	if (addr_is_any(name->family, name->daddr))
		memcpy(name->daddr, other->saddr, sizeof(name->daddr));
}

/*
 * UDP ends meet on their ports when one's local address is the wildcard (an
 * unbound client, a server bound to 0.0.0.0): the address each saw of the
 * other must still agree.
 */
static void udp_pair_by_ports(struct model *m, uint32_t k, const struct tuple *t, uint32_t host)
{
	struct model_priv *p = m->priv;
	uint32_t other = hmap_get(&p->udp_by_ports, ports_key(t->family, t->dport, t->sport, host)), rc;

	if (other != NONE_IDX && other != k && p->kchans[other].have_tuple &&
	    kchan_root(p, other) != kchan_root(p, k) && tuple_mirrors_any(&p->kchans[other].tuple, t)) {
		struct tuple ot = p->kchans[other].tuple;

		kchan_union(m, k, other);
		rc = rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
		if (rc != NONE_IDX) {
			p->rchs[rc].paired = true;
			tuple_fill_any(&p->rchs[rc].tuple, t, &ot);
		}
	}
	if (hmap_put(&p->udp_by_ports, ports_key(t->family, t->sport, t->dport, host), k))
		p->oom = true;
}

/* A TCP/UDP CHAN event for kernel channel k (report channel r): its address, and its peer's end. */
void socket_pair_by_tuple(struct model *m, uint32_t k, struct rch *r, const struct ipct_chan *e)
{
	struct model_priv *p = m->priv;
	struct tuple t = { .family = e->family, .sport = e->sport, .dport = e->dport };
	uint32_t other, rc, host = model_host_of(e->h.pid);

	if (!e->sport)
		return;
	memcpy(t.saddr, e->saddr, sizeof(t.saddr));
	if (!e->dport) {
		/* bound, not connected: its local address names it until a 4-tuple does */
		if (!r->have_tuple) {
			r->tuple = t;
			r->have_local = true;
		}
		return;
	}
	memcpy(t.daddr, e->daddr, sizeof(t.daddr));
	if (!r->have_tuple) {
		r->tuple = t;
		r->have_tuple = true;
	}
	p->kchans[k].tuple = t;
	p->kchans[k].have_tuple = true;
	other = hmap_get(&p->kchan_by_tuple, tuple_key(t.daddr, t.dport, t.saddr, t.sport, t.family, host));
	if (other != NONE_IDX && other != k && p->kchans[other].have_tuple &&
	    tuple_mirrors(&p->kchans[other].tuple, &t)) {
		kchan_union(m, k, other);
		rc = rch_resolve(p, p->kchans[kchan_root(p, k)].rc);
		if (rc != NONE_IDX)
			p->rchs[rc].paired = true;
	}
	if (hmap_put(&p->kchan_by_tuple, tuple_key(t.saddr, t.sport, t.daddr, t.dport, t.family, host),
			 k))
		p->oom = true;
	if (e->kind == IPCT_KIND_UDP)
		udp_pair_by_ports(m, k, &t, host);
}

/*
 * The kernel channel a call is on: its own, except a receive on an
 * unconnected UDP socket that did not ask where the datagram came from,
 * which is the reply on the flow the socket last sent on. Sends on a flow
 * are remembered for it.
 */
uint64_t udp_flow_of_call(struct model *m, const struct ipct_syscall *e)
{
	struct model_priv *p = m->priv;
	uint32_t k = e->chan ? kchan_get(m, e->chan, false) : NONE_IDX;
	struct kchan *kc;

	if (k == NONE_IDX)
		return e->chan;
	kc = &p->kchans[k];
	if (kc->kind == IPCT_KIND_UDP && kc->flow && kc->ino && is_send_op(e->op) &&
	    hmap_put(&p->udp_last_flow, kc->ino, k))
		p->oom = true;
	return is_recv_op(e->op) ? udp_flow_of_socket(m, e->chan) : e->chan;
}

/* An unconnected UDP socket's flow for a call that does not say its peer: the one it last sent on. */
uint64_t udp_flow_of_socket(struct model *m, uint64_t chan)
{
	struct model_priv *p = m->priv;
	uint32_t k = chan ? kchan_get(m, chan, false) : NONE_IDX, f;
	const struct kchan *kc;

	if (k == NONE_IDX)
		return chan;
	kc = &p->kchans[k];
	if (kc->kind != IPCT_KIND_UDP || kc->flow || kc->have_tuple || !kc->ino)
		return chan;
	f = hmap_get(&p->udp_last_flow, kc->ino);
	return f == NONE_IDX ? chan : p->kchans[f].id;
}

/*
 * A unix connection's client end: who holds it. A traced client's own end
 * (named by its server's address) says its process and fd; the server's end
 * says which process connected (SO_PEERCRED) and its socket's inode.
 */
void socket_clients(struct model_priv *p)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->nkchans; i++) {
			struct kchan *k = &p->kchans[i];
			uint32_t rc;
			struct rch *r;

			if (!k->described || (pass == 0 ? !k->peer_named : k->peer_named || !k->peer_pid))
				continue;
			rc = rch_resolve(p, p->kchans[kchan_root(p, i)].rc);
			if (rc == NONE_IDX)
				continue;
			r = &p->rchs[rc];
			if (r->kind != IPCT_KIND_UNIX_STREAM && r->kind != IPCT_KIND_UNIX_SEQPACKET)
				continue;
			if (pass == 0 && !r->have_client) {
				r->have_client = true;
				r->client_pid = k->user_pid;
				r->client_fd = k->user_pid ? k->user_fd : -1;
				r->client_ino = k->ino;
			} else if (pass == 1) {
				if (!r->have_client)
					r->client_fd = -1;
				r->have_client = true;
				if (!r->client_pid)
					r->client_pid = k->peer_pid;
				if (!r->client_ino)
					r->client_ino = k->peer_ino;
			}
		}
	}
}

/* Unix datagram sockets meet by address: the one bound there and those that sent to it. */
void dgram_meet(struct model *m, uint32_t k, const char *name, size_t len, uint32_t host)
{
	struct model_priv *p = m->priv;
	uint64_t key = 0xcbf29ce484222325ull ^ host;
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

/* "local <-> remote" of a connected socket, "local" of a bound one. */
void socket_name(const struct rch *r, char *name, size_t sz)
{
	if (r->have_tuple) {
		char a[64], b[64];

		fmt_addr(a, sizeof(a), r->tuple.family, r->tuple.saddr, r->tuple.sport);
		fmt_addr(b, sizeof(b), r->tuple.family, r->tuple.daddr, r->tuple.dport);
		snprintf(name, sz, "%s <-> %s", a, b);
	} else if (r->have_local) {
		fmt_addr(name, sz, r->tuple.family, r->tuple.saddr, r->tuple.sport);
	}
}

/* A TCP/UDP channel whose other end is neither traced here nor on this machine. */
bool socket_is_remote(const struct rch *r)
{
	return (r->kind == IPCT_KIND_TCP || r->kind == IPCT_KIND_UDP) && r->have_tuple &&
	       !r->paired && !addr_is_loopback(r->tuple.family, r->tuple.daddr) &&
	       memcmp(r->tuple.saddr, r->tuple.daddr, sizeof(r->tuple.saddr));
}
