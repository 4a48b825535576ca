// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Shared memory held by each process: the shared mappings (mmap of shm,
 * memfd, files, shared anonymous memory; SysV shmat) it made, had when
 * tracing began (MAP events from the attach scan) or inherited across fork.
 * Loads and stores make no syscall, so holding a mapping is what makes a
 * process an endpoint of it: a forked child is one from its birth, unless
 * it execs the memory away (a shell command) or only borrowed its parent's
 * (vfork). Dropped at munmap/shmdt and at exec.
 */
#include "model_priv.h"

static bool is_memory_kind(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP;
}

static void maps_add(struct model *m, struct proc *pr, uint32_t rc, bool inherited, uint64_t ts)
{
	for (size_t i = 0; i < pr->nmaps; i++) {
		if (rch_resolve(m->priv, pr->maps[i].rc) == rc) {
			pr->maps[i].inherited &= inherited;
			return;
		}
	}
	if (grow(&pr->maps, &pr->cmaps, pr->nmaps, sizeof(*pr->maps))) {
		m->priv->oom = true;
		return;
	}
	pr->maps[pr->nmaps++] = (struct held_map){ .rc = rc, .inherited = inherited, .since = ts };
}

static void maps_drop(struct model *m, struct proc *pr, uint32_t rc)
{
	for (size_t i = 0; i < pr->nmaps; i++) {
		if (rch_resolve(m->priv, pr->maps[i].rc) == rc) {
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
	maps_add(m, pr, rc, false, ts);
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
	pr = proc_get(m, e->h.pid);
	if (!pr)
		return;
	if (e->op == IPCT_OP_MMAP || e->op == IPCT_OP_SHMAT)
		maps_add(m, pr, c->rc, false, e->h.ts);
	else if (e->op == IPCT_OP_MUNMAP || e->op == IPCT_OP_SHMDT)
		maps_drop(m, pr, c->rc);
}

void on_map(struct model *m, const struct ipct_map *e)
{
	uint32_t rc = chan_rc(m, e->chan, true);

	if (rc == NONE_IDX || !is_memory_kind(m->priv->rchs[rc].kind))
		return;
	hold(m, e->h.pid, rc, e->prot & 0x2 /* PROT_WRITE */, e->h.ts);
}

/*
 * A forked child has every shared mapping of its parent. It counts as
 * holding them once it is seen not to exec them away: at its exit, or when
 * the recording ends (maps_settle).
 */
void maps_inherit(struct model *m, uint32_t parent, uint32_t child, uint64_t ts)
{
	struct proc *pp = proc_get(m, parent), *pc;

	if (!pp || parent == child)
		return;
	for (size_t i = 0; i < pp->nmaps; i++) {
		uint32_t rc = rch_resolve(m->priv, pp->maps[i].rc);

		/* maps_add may grow procs: fetch both again */
		pc = proc_get(m, child);
		pp = proc_get(m, parent);
		if (!pc || !pp)
			return;
		if (rc != NONE_IDX)
			maps_add(m, pc, rc, true, ts);
	}
}

/* The child kept what it inherited: now it is an endpoint of it, since its fork. */
void maps_settle(struct model *m, uint32_t pid)
{
	struct proc *pr = proc_get(m, pid);

	for (size_t i = 0; pr && i < pr->nmaps; i++) {
		struct held_map h = pr->maps[i];

		if (h.inherited && rch_resolve(m->priv, h.rc) != NONE_IDX)
			hold(m, pid, rch_resolve(m->priv, h.rc), false, h.since);
		pr = proc_get(m, pid);
	}
}

/* exec replaces the address space: nothing mapped survives it. */
void maps_clear(struct proc *pr)
{
	pr->nmaps = 0;
}
