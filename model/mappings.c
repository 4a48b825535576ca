// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Shared memory held by each process: the shared mappings (mmap of shm,
 * memfd, files, shared anonymous memory; SysV shmat) it made, had when
 * tracing began (MAP events from the attach scan) or inherited across fork.
 * Loads and stores make no syscall, so holding a mapping is what makes a
 * process an endpoint of it: a forked child is one from its birth.
 * Dropped at munmap/shmdt and at exec.
 */
#include "model_priv.h"

static bool is_memory_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP;
}

static void maps_add(struct model *m, struct proc *pr, uint32_t rc)
{
	for (size_t i = 0; i < pr->nmaps; i++)
		if (rch_resolve(m->priv, pr->maps[i]) == rc)
			return;
	if (grow(&pr->maps, &pr->cmaps, pr->nmaps, sizeof(*pr->maps))) {
		m->priv->oom = true;
		return;
	}
	pr->maps[pr->nmaps++] = rc;
}

static void maps_drop(struct model *m, struct proc *pr, uint32_t rc)
{
	for (size_t i = 0; i < pr->nmaps; i++) {
		if (rch_resolve(m->priv, pr->maps[i]) == rc) {
			pr->maps[i] = pr->maps[--pr->nmaps];
			return;
		}
	}
}

/* pid holds rc from ts on: it is an endpoint, and a second holder makes the memory shared. */
static void hold(struct model *m, uint32_t pid, uint32_t rc, bool writable, uint64_t ts)
{
	struct proc *pr = proc_get(m, pid);
	struct model_endpoint *ep;
	struct rch *r;

	if (!pr)
		return;
	maps_add(m, pr, rc);
	ep = rch_ep(m, rc, pid);
	rch_use(m, rc);
	r = &m->priv->rchs[rc];
	if (writable)
		r->map_writable = true;
	if (!r->mapper)
		r->mapper = pid;
	else if (r->mapper != pid)
		r->mapped_twice = true;
	rch_span_ts(r, ts);
	if (ep)
		ep_span_ts(ep, ts, ts);
}

/* mmap and shmat add what they mapped; munmap and shmdt drop it. */
void call_mapping(struct model *m, const struct call *c)
{
	const struct ipct_syscall *e = c->e;
	struct proc *pr;

	if (c->rc == NONE_IDX || !is_memory_kind(m->priv->rchs[c->rc].kind))
		return;
	if (e->ret < 0 && e->ret >= -4095)
		return;
	if (e->op == IPCT_OP_MMAP || e->op == IPCT_OP_SHMAT) {
		pr = proc_get(m, e->h.pid);
		if (pr)
			maps_add(m, pr, c->rc);
	} else if (e->op == IPCT_OP_MUNMAP || e->op == IPCT_OP_SHMDT) {
		pr = proc_get(m, e->h.pid);
		if (pr)
			maps_drop(m, pr, c->rc);
	}
}

void on_map(struct model *m, const struct ipct_map *e)
{
	uint32_t rc = chan_rc(m, e->chan, true);

	if (rc == NONE_IDX || !is_memory_kind(m->priv->rchs[rc].kind))
		return;
	hold(m, e->h.pid, rc, e->prot & 0x2 /* PROT_WRITE */, e->h.ts);
}

/* A forked child has every shared mapping of its parent. */
void maps_inherit(struct model *m, uint32_t parent, uint32_t child, uint64_t ts)
{
	struct proc *pp = proc_get(m, parent);
	size_t n;

	if (!pp || parent == child)
		return;
	/* hold() may grow procs, moving pp: walk by index, re-fetching */
	n = pp->nmaps;
	for (size_t i = 0; i < n; i++) {
		uint32_t rc;

		pp = proc_get(m, parent);
		if (!pp || i >= pp->nmaps)
			return;
		rc = rch_resolve(m->priv, pp->maps[i]);
		if (rc != NONE_IDX)
			hold(m, child, rc, false, ts);
	}
}

/* exec replaces the address space: nothing mapped survives it. */
void maps_clear(struct proc *pr)
{
	pr->nmaps = 0;
}
