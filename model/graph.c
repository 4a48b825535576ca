// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The communication graph: processes, threads, memory and remote peers, and what links them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "graph.h"
#include "group.h"
#include "role.h"

#define THREAD_LINKS_MAX 65536   /* distinct thread pairs kept; a bound, not a sample */

/* Threads of one process that woke each other or passed data, from the model's sinks. */
struct thread_link {
	uint32_t pid, src, dst;
	int chan;
	bool wake;
	uint64_t count, bytes;
};

struct graph_priv {
	struct thread_link *links;
	size_t nlinks, cap;
	uint64_t *slots;             /* open addressing: index + 1, 0 = free */
	size_t nslots;
	uint64_t links_dropped;
	const struct model *m;
	int *proc_node;              /* per m->processes index: its node, -1 = not drawn */
	size_t *edge_last_chan;      /* per edge: the last channel counted into it */
	size_t ecap, ncap;
};

struct graph *graph__new(const struct graph_opts *opts)
{
	struct graph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->priv = calloc(1, sizeof(*g->priv));
	if (!g->priv) {
		free(g);
		return NULL;
	}
	if (opts)
		g->opts = *opts;
	return g;
}

void graph__free(struct graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nnodes; i++)
		free(g->nodes[i].members);
	free(g->nodes);
	free(g->edges);
	free(g->hosts);
	if (g->priv) {
		free(g->priv->links);
		free(g->priv->slots);
		free(g->priv->proc_node);
		free(g->priv->edge_last_chan);
		free(g->priv);
	}
	free(g);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static struct thread_link *link_get(struct graph_priv *p, uint32_t pid, uint32_t src, uint32_t dst,
				    bool wake, int chan)
{
	uint64_t h = mix64(((uint64_t)src << 32 | dst) ^ ((uint64_t)wake << 63));
	size_t i;

	if (!p->slots) {
		p->nslots = 1024;
		p->slots = calloc(p->nslots, sizeof(*p->slots));
		if (!p->slots)
			return NULL;
	}
	for (i = h & (p->nslots - 1); p->slots[i]; i = (i + 1) & (p->nslots - 1)) {
		struct thread_link *l = &p->links[p->slots[i] - 1];

		if (l->src == src && l->dst == dst && l->wake == wake)
			return l;
	}
	if (p->nlinks >= THREAD_LINKS_MAX) {
		p->links_dropped++;
		return NULL;
	}
	if ((p->nlinks + 1) * 2 > p->nslots) {
		uint64_t *ns = calloc(p->nslots * 2, sizeof(*ns));

		if (!ns)
			return NULL;
		for (size_t k = 0; k < p->nlinks; k++) {
			const struct thread_link *l = &p->links[k];
			size_t j = mix64(((uint64_t)l->src << 32 | l->dst) ^ ((uint64_t)l->wake << 63)) &
				   (p->nslots * 2 - 1);

			while (ns[j])
				j = (j + 1) & (p->nslots * 2 - 1);
			ns[j] = k + 1;
		}
		free(p->slots);
		p->slots = ns;
		p->nslots *= 2;
		for (i = h & (p->nslots - 1); p->slots[i]; i = (i + 1) & (p->nslots - 1))
			;
	}
	if (p->nlinks == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct thread_link *nl = realloc(p->links, nc * sizeof(*nl));

		if (!nl)
			return NULL;
		p->links = nl;
		p->cap = nc;
	}
	p->links[p->nlinks] = (struct thread_link){ .pid = pid, .src = src, .dst = dst,
						    .wake = wake, .chan = chan };
	p->slots[i] = ++p->nlinks;
	return &p->links[p->nlinks - 1];
}

void graph__on_wake(void *ctx, const struct model_wake *w)
{
	struct graph *g = ctx;
	struct thread_link *l;

	/* only threads of one process: between processes the model's wakeups say it */
	if (!w->waker_tid || w->waker_pid != w->wakee_pid || w->waker_tid == w->wakee_tid)
		return;
	l = link_get(g->priv, w->waker_pid, w->waker_tid, w->wakee_tid, true, w->chan);
	if (l)
		l->count++;
}

void graph__on_transfer(void *ctx, const struct model_transfer *t)
{
	struct graph *g = ctx;
	struct thread_link *l;

	if (t->src_pid != t->dst_pid || t->src_tid == t->dst_tid)
		return;
	l = link_get(g->priv, t->src_pid, t->src_tid, t->dst_tid, false, t->chan);
	if (l) {
		l->count++;
		l->bytes += t->bytes;
	}
}

void graph__sinks(struct graph *g, struct model_opts *mo)
{
	mo->ctx = g;
	mo->on_wake = graph__on_wake;
	mo->on_transfer = graph__on_transfer;
}

static int add_node(struct graph *g, const struct graph_node *n)
{
	struct graph_priv *p = g->priv;

	if (g->nnodes == p->ncap) {
		size_t nc = p->ncap ? p->ncap * 2 : 32;
		struct graph_node *nn = realloc(g->nodes, nc * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		g->nodes = nn;
		p->ncap = nc;
	}
	g->nodes[g->nnodes] = *n;
	return (int)g->nnodes++;
}

static int node_add_member(struct graph_node *n, uint32_t id)
{
	uint32_t *nm = realloc(n->members, (n->nmembers + 1) * sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	n->members = nm;
	n->members[n->nmembers++] = id;
	return 0;
}

static int host_add(struct graph *g, const char *name, bool local)
{
	struct graph_host *nh;

	for (size_t i = 0; i < g->nhosts; i++)
		if (g->hosts[i].local == local && !strcmp(g->hosts[i].name, name))
			return (int)i;
	nh = realloc(g->hosts, (g->nhosts + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	g->hosts = nh;
	snprintf(g->hosts[g->nhosts].name, sizeof(g->hosts[g->nhosts].name), "%s", name);
	g->hosts[g->nhosts].local = local;
	return (int)g->nhosts++;
}

static enum model_direction stronger(enum model_direction a, enum model_direction b)
{
	return a > b ? a : b;
}

/* Data (or wakeups) from a to b on channel chan, merged with what already links them. */
static int add_flow(struct graph *g, enum graph_edge_type type, enum ipct_kind kind, int a, int b,
		    uint64_t bytes, uint64_t messages, uint64_t wakeups, enum model_direction dir,
		    int chan)
{
	struct graph_priv *p = g->priv;
	struct graph_edge *e = NULL;
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		e = &g->edges[i];
		if (e->type == type && e->kind == kind &&
		    ((e->from == a && e->to == b) || (e->from == b && e->to == a)))
			break;
	}
	if (i == g->nedges) {
		if (g->nedges == p->ecap) {
			size_t nc = p->ecap ? p->ecap * 2 : 32;
			struct graph_edge *ne = realloc(g->edges, nc * sizeof(*ne));
			size_t *nl = realloc(p->edge_last_chan, nc * sizeof(*nl));

			if (ne)
				g->edges = ne;
			if (nl)
				p->edge_last_chan = nl;
			if (!ne || !nl)
				return -ENOMEM;
			p->ecap = nc;
		}
		e = &g->edges[g->nedges++];
		*e = (struct graph_edge){ .type = type, .from = a, .to = b, .kind = kind, .chan = chan };
		p->edge_last_chan[i] = 0;
	}
	if (chan && p->edge_last_chan[i] != (size_t)chan) {
		e->nchans++;
		p->edge_last_chan[i] = (size_t)chan;
	}
	e->direction = stronger(e->direction, dir);
	if (e->from == a) {
		e->bytes += bytes;
		e->messages += messages;
		e->wakeups += wakeups;
	} else {
		e->bytes_back += bytes;
		e->messages_back += messages;
		e->wakeups_back += wakeups;
	}
	return 0;
}

static int proc_index(const struct model *m, uint32_t pid)
{
	const struct model_process *p = model__process(m, pid);

	return p ? (int)(p - m->processes) : -1;
}

static int node_of_pid(const struct graph *g, uint32_t pid)
{
	int i = proc_index(g->priv->m, pid);

	return i < 0 ? -1 : g->priv->proc_node[i];
}

static bool is_memory_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP;
}

static bool is_sync_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_FUTEX || k == IPCT_KIND_SYSV_SEM;
}

static uint64_t process_cpu(const struct model *m, const struct model_process *p,
			    uint64_t *blocked)
{
	uint64_t cpu = 0;

	for (size_t j = 0; j < p->nthreads; j++) {
		const struct model_thread *t;

		if (p->threads[j] >= m->nthreads)
			continue;
		t = &m->threads[p->threads[j]];
		cpu += t->user_ns + t->kernel_ns;
		*blocked += t->blocked_ns;
	}
	return cpu;
}

/* True when process index pi fed a member of node n through a pipe, or was fed by one. */
static bool talks_to(const struct graph *g, size_t pi, int n)
{
	const struct model *m = g->priv->m;
	uint32_t pid = m->processes[pi].pid;

	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];
		bool my_send = false, my_recv = false, their_send = false, their_recv = false;

		/* a shell pipeline (grep | grep) stays apart; servers' siblings nudge each other otherwise */
		if (!model_filter__channel(g->opts.filter, c) ||
		    (c->kind != IPCT_KIND_PIPE && c->kind != IPCT_KIND_FIFO))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];
			bool sent = e->sends || e->bytes_sent, recvd = e->recvs || e->bytes_received;

			if (e->pid == pid) {
				my_send |= sent;
				my_recv |= recvd;
			} else if (node_of_pid(g, e->pid) == n) {
				their_send |= sent;
				their_recv |= recvd;
			}
		}
		/* many writers of one pipe share it without talking to each other */
		if ((my_send && their_recv) || (my_recv && their_send))
			return true;
	}
	return false;
}

/* Processes drawn: the chosen ones, then the peers at the other end of their channels. */
static int mark_processes(struct graph *g, char *drawn)
{
	const struct model *m = g->priv->m;
	const struct model_filter *f = g->opts.filter;

	for (size_t i = 0; i < m->nprocesses; i++)
		drawn[i] = model_filter__process(f, m, m->processes[i].pid) ? 1 : 0;
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!model_filter__channel(f, c))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			int pi = proc_index(m, c->endpoints[j].pid);

			if (pi >= 0 && !drawn[pi])
				drawn[pi] = 2;
		}
	}
	return 0;
}

static int add_processes(struct graph *g)
{
	const struct model *m = g->priv->m;
	char *drawn = calloc(m->nprocesses ? m->nprocesses : 1, 1);
	int err = 0;

	if (!drawn)
		return -ENOMEM;
	mark_processes(g, drawn);
	for (size_t i = 0; i < m->nprocesses && !err; i++) {
		const struct model_process *p = &m->processes[i];
		uint64_t blocked = 0, cpu;
		struct graph_node *n;
		int ni = -1;

		if (!drawn[i])
			continue;
		/* siblings of one role become one node, unless a pipe joins them (group.h) */
		for (size_t k = 0; k < g->nnodes && !g->opts.no_group; k++) {
			const struct model_process *q = model__process(m, g->nodes[k].members[0]);

			if (g->nodes[k].type != GRAPH_PROCESS || !q ||
			    g->nodes[k].outside != (drawn[i] == 2) || !group__same_role(q, p))
				continue;
			if (!talks_to(g, i, (int)k)) {
				ni = (int)k;
				break;
			}
		}
		if (ni < 0) {
			struct graph_node nn = { .type = GRAPH_PROCESS, .parent = -1, .pid = p->pid,
						 .outside = drawn[i] == 2 };

			snprintf(nn.name, sizeof(nn.name), "%s", p->comm);
			role__of_process(p, nn.role, sizeof(nn.role));
			ni = add_node(g, &nn);
			if (ni < 0) {
				err = ni;
				break;
			}
		}
		g->priv->proc_node[i] = ni;
		n = &g->nodes[ni];
		cpu = process_cpu(m, p, &blocked);
		n->count++;
		n->nthreads += p->nthreads;
		n->cpu_ns += cpu;
		n->blocked_ns += blocked;
		err = node_add_member(n, p->pid);
		/* the busiest member names the node and comes first */
		if (!err && (n->count == 1 || cpu > n->busiest_cpu_ns)) {
			n->busiest_cpu_ns = cpu;
			n->pid = p->pid;
			role__of_process(p, n->role, sizeof(n->role));
			n->members[n->nmembers - 1] = n->members[0];
			n->members[0] = p->pid;
		}
	}
	free(drawn);
	return err;
}

static bool is_member(const struct graph_node *n, uint32_t id)
{
	for (size_t j = 0; j < n->nmembers; j++)
		if (n->members[j] == id)
			return true;
	return false;
}

/* True when thread tid woke or fed a member of n, or the other way round. */
static bool thread_linked(const struct graph_priv *p, uint32_t pid, uint32_t tid,
			  const struct graph_node *n)
{
	for (size_t i = 0; i < p->nlinks; i++) {
		const struct thread_link *l = &p->links[i];

		if (l->pid == pid && ((l->src == tid && is_member(n, l->dst)) ||
				      (l->dst == tid && is_member(n, l->src))))
			return true;
	}
	return false;
}

/* Threads that woke each other or passed data inside one process, as nodes inside it. */
static int add_threads(struct graph *g)
{
	const struct model *m = g->priv->m;
	struct graph_priv *p = g->priv;
	size_t nproc = g->nnodes;
	int err = 0;

	for (size_t pn = 0; pn < nproc && !err; pn++) {
		size_t first = g->nnodes;

		if (g->nodes[pn].type != GRAPH_PROCESS || g->nodes[pn].count != 1)
			continue;
		for (size_t li = 0; li < p->nlinks && !err; li++) {
			const struct thread_link *l = &p->links[li];
			uint32_t tids[2] = { l->src, l->dst };
			int tn[2];

			if (l->pid != g->nodes[pn].pid)
				continue;
			for (int s = 0; s < 2 && !err; s++) {
				const struct model_thread *t = model__thread(m, tids[s]);
				const char *name = t ? t->comm : "";
				uint64_t cpu = t ? t->user_ns + t->kernel_ns : 0;

				tn[s] = -1;
				for (size_t k = first; k < g->nnodes; k++) {
					struct graph_node *n = &g->nodes[k];
					bool same_tid = false;

					for (size_t j = 0; j < n->nmembers; j++)
						same_tid |= n->members[j] == tids[s];
					/* a pool: threads of one name that do not talk to each other */
					if (same_tid || (!g->opts.no_group && !strcmp(n->name, name) &&
							 !thread_linked(p, l->pid, tids[s], n))) {
						tn[s] = (int)k;
						if (same_tid)
							break;
					}
				}
				if (tn[s] >= 0) {
					struct graph_node *n = &g->nodes[tn[s]];
					bool known = false;

					for (size_t j = 0; j < n->nmembers; j++)
						known |= n->members[j] == tids[s];
					if (known)
						continue;
					n->count++;
					n->cpu_ns += cpu;
					n->blocked_ns += t ? t->blocked_ns : 0;
					err = node_add_member(n, tids[s]);
					if (!err && cpu > n->busiest_cpu_ns) {
						n->busiest_cpu_ns = cpu;
						n->tid = tids[s];
						n->members[n->nmembers - 1] = n->members[0];
						n->members[0] = tids[s];
					}
					continue;
				}
				{
					struct graph_node nn = {
						.type = GRAPH_THREAD, .parent = (int)pn, .pid = l->pid,
						.tid = tids[s], .count = 1, .nthreads = 1,
						.cpu_ns = cpu, .busiest_cpu_ns = cpu,
						.blocked_ns = t ? t->blocked_ns : 0,
					};

					snprintf(nn.name, sizeof(nn.name), "%s", name);
					tn[s] = add_node(g, &nn);
					if (tn[s] < 0) {
						err = tn[s];
						break;
					}
					err = node_add_member(&g->nodes[tn[s]], tids[s]);
				}
			}
			if (err)
				break;
			if (l->wake) {
				const struct model_channel *c = l->chan ? model__channel(m, l->chan) : NULL;

				/* a wakeup on a data channel is that channel's transfer, drawn as such */
				if (c && !is_sync_kind(c->kind))
					continue;
				err = add_flow(g, c ? GRAPH_SYNC : GRAPH_WAKE, c ? c->kind : IPCT_KIND_NONE,
					       tn[0], tn[1], 0, 0, l->count, DIR_NONE, l->chan);
			} else {
				const struct model_channel *c = model__channel(m, l->chan);

				err = add_flow(g, GRAPH_DATA, c ? c->kind : IPCT_KIND_NONE, tn[0], tn[1],
					       l->bytes, l->count, 0, c ? c->direction : DIR_SIMPLEX,
					       l->chan);
			}
		}
		if (g->nnodes > first)
			g->nodes[pn].has_threads = true;
	}
	return err;
}

/* "10.0.0.2" from a socket channel named "10.0.0.1:5000 <-> 10.0.0.2:80". */
static void remote_host(const struct model_channel *c, char *buf, size_t n)
{
	const char *peer = strstr(c->name, " <-> ");
	const char *end;

	peer = peer ? peer + 5 : c->name;
	if (*peer == '[') {
		end = strchr(peer, ']');
		snprintf(buf, n, "%.*s", end ? (int)(end - peer - 1) : (int)strlen(peer + 1), peer + 1);
		return;
	}
	end = strrchr(peer, ':');
	snprintf(buf, n, "%.*s", end ? (int)(end - peer) : (int)strlen(peer), peer);
}

static int add_remote(struct graph *g, const struct model_channel *c)
{
	char host[128];
	int h, rn = -1, err = 0;

	remote_host(c, host, sizeof(host));
	h = host_add(g, host, false);
	if (h < 0)
		return h;
	for (size_t k = 0; k < g->nnodes; k++)
		if (g->nodes[k].type == GRAPH_REMOTE && g->nodes[k].host == h)
			rn = (int)k;
	if (rn < 0) {
		struct graph_node nn = { .type = GRAPH_REMOTE, .host = h, .parent = -1, .count = 1 };

		snprintf(nn.name, sizeof(nn.name), "%s", host);
		rn = add_node(g, &nn);
		if (rn < 0)
			return rn;
	}
	for (size_t j = 0; j < c->nendpoints && !err; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		int a = node_of_pid(g, e->pid);

		if (a < 0)
			continue;
		err = add_flow(g, GRAPH_DATA, c->kind, a, rn, e->bytes_sent, e->sends, 0, c->direction,
			       c->id);
		if (!err && (e->bytes_received || e->recvs))
			err = add_flow(g, GRAPH_DATA, c->kind, rn, a, e->bytes_received, e->recvs, 0,
				       c->direction, c->id);
	}
	return err;
}

static int add_memory(struct graph *g, const struct model_channel *c)
{
	struct graph_node nn = { .type = GRAPH_MEMORY, .parent = -1, .chan = c->id, .kind = c->kind,
				 .count = 1 };
	int mn, err = 0;

	snprintf(nn.name, sizeof(nn.name), "%s", c->name);
	mn = add_node(g, &nn);
	if (mn < 0)
		return mn;
	for (size_t j = 0; j < c->nendpoints && !err; j++) {
		int a = node_of_pid(g, c->endpoints[j].pid);

		if (a >= 0)
			err = add_flow(g, GRAPH_ATTACH, c->kind, a, mn, 0, 0, 0, DIR_NONE, c->id);
	}
	return err;
}

/* Futexes and semaphores: who woke whom through them. */
static int add_sync(struct graph *g, const struct model_channel *c)
{
	const struct model *m = g->priv->m;
	int first = -1, err = 0;
	bool linked = false, inside = false;

	for (size_t i = 0; i < m->nwakeups && !err; i++) {
		const struct model_wakeup *w = &m->wakeups[i];
		int a, b;

		if (w->chan != c->id)
			continue;
		a = node_of_pid(g, w->waker_pid);
		b = node_of_pid(g, w->wakee_pid);
		if (a < 0 || b < 0)
			continue;
		/* threads of one process: drawn between its thread nodes when those are known */
		if (a == b && g->nodes[a].has_threads && w->waker_pid == w->wakee_pid)
			continue;
		if (a == b && w->waker_pid != w->wakee_pid) {
			inside = true;
			continue;
		}
		err = add_flow(g, GRAPH_SYNC, c->kind, a, b, 0, 0, w->count, DIR_NONE, c->id);
		linked = true;
	}
	for (size_t j = 0; j < c->nendpoints && !linked && !err; j++) {
		int a = node_of_pid(g, c->endpoints[j].pid);

		if (a < 0)
			continue;
		if (first < 0)
			first = a;
		else if (a != first)
			err = add_flow(g, GRAPH_SYNC, c->kind, first, a, 0, 0, 0, DIR_NONE, c->id);
	}
	if (!linked && inside)
		g->chans_inside++;
	return err;
}

/* A client or server we did not trace: one box per machine for all of them, so a traced server shows its clients. */
static int add_untraced(struct graph *g, const struct model_channel *c, int a)
{
	const struct model_endpoint *e = NULL;
	int un = -1, err = 0;

	for (size_t k = 0; k < g->nnodes; k++)
		if (g->nodes[k].type == GRAPH_UNTRACED)
			un = (int)k;
	if (un < 0) {
		struct graph_node nn = { .type = GRAPH_UNTRACED, .parent = -1, .count = 1 };

		un = add_node(g, &nn);
		if (un < 0)
			return un;
	}
	for (size_t j = 0; j < c->nendpoints && !err; j++) {
		e = &c->endpoints[j];
		if (node_of_pid(g, e->pid) != a)
			continue;
		err = add_flow(g, GRAPH_DATA, c->kind, a, un, e->bytes_sent, e->sends, 0, c->direction,
			       c->id);
		if (!err && (e->bytes_received || e->recvs))
			err = add_flow(g, GRAPH_DATA, c->kind, un, a, e->bytes_received, e->recvs, 0,
				       c->direction, c->id);
	}
	return err;
}

static int add_data(struct graph *g, const struct model_channel *c)
{
	size_t nsend = 0, nrecv = 0, nnodes = 0;
	int first = -1, err = 0;
	bool drawn = false;

	for (size_t j = 0; j < c->nendpoints; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		int a = node_of_pid(g, e->pid);

		nsend += e->bytes_sent || e->sends;
		nrecv += e->bytes_received || e->recvs;
		if (a >= 0 && a != first && (first < 0 || nnodes < 2)) {
			nnodes++;
			if (first < 0)
				first = a;
		}
	}
	for (size_t s = 0; s < c->nendpoints && !err; s++) {
		const struct model_endpoint *se = &c->endpoints[s];
		int a = node_of_pid(g, se->pid);

		if (a < 0 || !(se->bytes_sent || se->sends))
			continue;
		for (size_t r = 0; r < c->nendpoints && !err; r++) {
			const struct model_endpoint *re = &c->endpoints[r];
			int b = node_of_pid(g, re->pid);
			uint64_t bytes, msgs;

			if (b < 0 || b == a || !(re->bytes_received || re->recvs))
				continue;
			/* with several on one side, each pair gets what the lone other side saw */
			bytes = nrecv == 1 ? se->bytes_sent : nsend == 1 ? re->bytes_received
				: se->bytes_sent < re->bytes_received ? se->bytes_sent : re->bytes_received;
			msgs = nrecv == 1 ? se->sends : nsend == 1 ? re->recvs
			       : se->sends < re->recvs ? se->sends : re->recvs;
			err = add_flow(g, GRAPH_DATA, c->kind, a, b, bytes, msgs, 0, c->direction, c->id);
			drawn = true;
		}
	}
	/* opened by both, no data seen: a plain line */
	for (size_t j = 0; j < c->nendpoints && !drawn && !err; j++) {
		int a = node_of_pid(g, c->endpoints[j].pid);

		if (a >= 0 && a != first) {
			err = add_flow(g, GRAPH_DATA, c->kind, first, a, 0, 0, 0, DIR_NONE, c->id);
			drawn = err == 0;
		}
	}
	if (!drawn && !c->listening && !err) {
		if (nnodes >= 1 && c->nendpoints >= 2)
			g->chans_inside++;
		else if (first >= 0 && (nsend || nrecv))
			err = add_untraced(g, c, first);
		else
			g->chans_one_end++;
	}
	return err;
}

static int add_channels(struct graph *g)
{
	const struct model *m = g->priv->m;
	int err = 0;

	for (size_t i = 0; i < m->nchannels && !err; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!model_filter__channel(g->opts.filter, c))
			continue;
		if (c->remote)
			err = add_remote(g, c);
		else if (is_memory_kind(c->kind))
			err = add_memory(g, c);
		else if (is_sync_kind(c->kind))
			err = add_sync(g, c);
		else
			err = add_data(g, c);
	}
	return err;
}

/* Wakeups outside any channel, between processes; and the threads of one when no detail is known. */
static int add_wakes(struct graph *g)
{
	const struct model *m = g->priv->m;
	int err = 0;

	for (size_t i = 0; i < m->nwakeups && !err; i++) {
		const struct model_wakeup *w = &m->wakeups[i];
		int a, b;

		if (w->chan || !model_filter__wakeup(g->opts.filter, m, w))
			continue;
		a = node_of_pid(g, w->waker_pid);
		b = node_of_pid(g, w->wakee_pid);
		if (a < 0 || b < 0 || (a == b && (g->nodes[a].has_threads || w->waker_pid != w->wakee_pid)))
			continue;
		err = add_flow(g, GRAPH_WAKE, IPCT_KIND_NONE, a, b, 0, 0, w->count, DIR_NONE, 0);
	}
	return err;
}

/* One-way edges point from the side that sent. */
static void orient_edges(struct graph *g)
{
	for (size_t i = 0; i < g->nedges; i++) {
		struct graph_edge *e = &g->edges[i];
		int t;

		if (e->bytes || e->messages || e->wakeups)
			continue;
		if (!e->bytes_back && !e->messages_back && !e->wakeups_back)
			continue;
		t = e->from;
		e->from = e->to;
		e->to = t;
		e->bytes = e->bytes_back;
		e->messages = e->messages_back;
		e->wakeups = e->wakeups_back;
		e->bytes_back = e->messages_back = e->wakeups_back = 0;
	}
}

int graph__build(struct graph *g, const struct model *m)
{
	int err;

	g->priv->m = m;
	g->priv->proc_node = malloc((m->nprocesses ? m->nprocesses : 1) * sizeof(int));
	if (!g->priv->proc_node)
		return -ENOMEM;
	for (size_t i = 0; i < m->nprocesses; i++)
		g->priv->proc_node[i] = -1;
	err = host_add(g, g->opts.host ? g->opts.host : "", true);
	if (err < 0)
		return err;
	err = add_processes(g);
	if (!err)
		err = add_threads(g);
	if (!err)
		err = add_channels(g);
	if (!err)
		err = add_wakes(g);
	if (!err)
		orient_edges(g);
	return err;
}
