// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Threads and processes: when each was alive, and how its time divides
 * into user, kernel, blocked (asleep) and runnable (waiting for a CPU).
 * Off-CPU stretches (SLEEP events) are kept until the syscall around them
 * exits, which then knows how long it waited.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model_priv.h"

struct proc *proc_get(struct model *m, uint32_t pid)
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

void thr_touch(struct thr *t, uint64_t ts)
{
	if (ts < t->pub.first_ts)
		t->pub.first_ts = ts;
	if (ts > t->pub.last_ts)
		t->pub.last_ts = ts;
}

struct thr *thr_get(struct model *m, uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct model_priv *p = m->priv;
	uint32_t i = hmap_get_memo(&p->thr_by_tid, tid);
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

/* The off-CPU stretches inside the call [c->start, c->end]: how long it was off CPU and blocked. */
void call_sleeps(struct thr *t, struct call *c)
{
	for (int i = 0; i < t->npend; i++) {
		struct pend_sleep *ps = &t->pend[i];
		uint64_t within;

		if (ps->in <= c->start || ps->out > c->end)
			continue;
		within = ps->in - (ps->out > c->start ? ps->out : c->start);
		c->off += ps->off_ns < within ? ps->off_ns : within;
		c->blk += ps->blk_ns < within ? ps->blk_ns : within;
		c->nblk += ps->nblk;
		if (ps->waker_rc != NONE_IDX)
			c->waker_rc = ps->waker_rc;
	}
	t->npend = 0;
	t->pub.kernel_ns += sub0(c->end - c->start, c->off);
}

void on_sleep(struct model *m, const struct ipct_sleep *e)
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
	if (e->h.flags & IPCT_F_IN_UNKNOWN)
		m->unseen_switch_ins++;
	/* asleep at the stop and not yet woken (a woken one only waited for a CPU); what
	 * happens after the stop (a kill ending the program) does not change that */
	if (!m->priv->opts.sinks_only && !(t->end_asleep && e->h.ts > t->end_stop)) {
		t->end_asleep = state && (e->h.flags & IPCT_F_UNFINISHED) && !e->wake_ts;
		t->end_stop = e->h.ts;
	}
	if (!m->priv->opts.sinks_only && t->end_asleep && !t->end_call && t->end_stop == e->h.ts) {
		t->end_chan = e->chan;
		t->end_op = e->op;
		t->end_since = out;
	}
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
		wrc = chan_rc(m, udp_flow_of_socket(m, e->waker_chan), false);
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
				 .chan_kind = rch_kind(m->priv, rc),
				 .op = e->op, .nr = e->nr,
				 .unfinished = e->h.flags & IPCT_F_UNFINISHED };
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

void on_task(struct model *m, const struct ipct_task *e)
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
		struct proc *parent;

		pr = proc_get(m, e->child_pid);
		if (!pr)
			return;
		pr->pub.ppid = e->h.pid;
		/* a forked child runs its parent's program, with its argv, until it execs */
		parent = proc_get(m, e->h.pid);
		if (!parent)
			return;
		pr = proc_get(m, e->child_pid);
		if (pr && !pr->pub.exe[0])
			memcpy(pr->pub.exe, parent->pub.exe, sizeof(pr->pub.exe));
		if (pr && !pr->pub.cmdline[0]) {
			memcpy(pr->pub.cmdline, parent->pub.cmdline, sizeof(pr->pub.cmdline));
			pr->pub.titled = parent->pub.titled;
		}
		if (!(e->h.flags & IPCT_F_SHARED_VM))
			maps_inherit(m, e->h.pid, e->child_pid, e->h.ts);
	}
}

void on_proc(struct model *m, const struct ipct_proc *e)
{
	struct thr *t = thr_get(m, e->h.pid, e->h.tid, e->h.ts);
	struct proc *pr;

	if (!t)
		return;
	if (e->comm[0] && e->h.type != IPCT_EV_EXIT)
		copy_name(t->pub.comm, sizeof(t->pub.comm), e->comm, sizeof(e->comm));
	if (e->h.type == IPCT_EV_EXEC) {
		pr = proc_get(m, e->h.pid);
		if (!pr)
			return;
		if (e->name[0])
			copy_name(pr->pub.exe, sizeof(pr->pub.exe), e->name, sizeof(e->name));
		/* a new program: its argv follows (CMDLINE), its old mappings are gone */
		pr->pub.cmdline[0] = '\0';
		pr->pub.titled = false;
		maps_clear(pr);
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
				maps_settle(m, e->h.pid);
			}
		}
	}
}

/* argv joined by spaces as ps shows it; the executable where the event knows it. */
void on_cmdline(struct model *m, const struct ipct_cmdline *e)
{
	struct proc *pr = proc_get(m, e->h.pid);
	size_t n = e->len < sizeof(e->args) ? e->len : sizeof(e->args);

	if (!pr)
		return;
	if (e->exe[0])
		copy_name(pr->pub.exe, sizeof(pr->pub.exe), e->exe, sizeof(e->exe));
	/* trailing NULs and spaces are setproctitle's padding */
	while (n && (e->args[n - 1] == '\0' || e->args[n - 1] == ' '))
		n--;
	if (!n)
		return;
	pr->pub.titled = memchr(e->args, ' ', strnlen(e->args, n)) != NULL;
	for (size_t i = 0; i < n; i++)
		pr->pub.cmdline[i] = e->args[i] ? e->args[i] : ' ';
	pr->pub.cmdline[n] = '\0';
}

const char *model__process_role(const struct model_process *p)
{
	return p->titled && p->cmdline[0] ? p->cmdline : p->comm;
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

void end_of_recording_call(struct thr *t, const struct ipct_syscall *e, uint64_t start)
{
	if (t->end_asleep && e->h.ts > t->end_stop)
		return;
	t->end_call = e->h.flags & IPCT_F_UNFINISHED;
	if (!t->end_call) {
		t->end_asleep = false;
		return;
	}
	t->end_chan = e->chan;
	t->end_op = e->op;
	t->end_since = e->enter_ts || !t->end_asleep ? start : t->end_since;
}

void finish_stuck(struct model *m)
{
	struct model_priv *p = m->priv;

	for (size_t i = 0; i < p->nthrs; i++) {
		uint32_t idx;

		if (!p->thrs[i].end_asleep)
			continue;
		idx = hmap_get(&p->final_tid, p->thrs[i].pub.tid);
		if (idx != NONE_IDX && m->threads[idx].stuck)
			m->threads[idx].stuck_chan = rch_id(p, chan_rc(m, p->thrs[i].end_chan, false));
	}
}

int finish_threads(struct model *m)
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
		o->stuck = t->end_asleep && (!t->pub.exited || t->exit_ts > t->end_stop);
		if (o->stuck) {
			o->stuck_op = t->end_op;
			o->stuck_since = t->end_since;
		}
	}
	m->nthreads = p->nthrs;
	qsort(m->threads, m->nthreads, sizeof(*m->threads), cmp_thread);
	for (size_t i = 0; i < m->nthreads; i++)
		if (hmap_put(&p->final_tid, m->threads[i].tid, i))
			return -ENOMEM;
	return 0;
}

int finish_processes(struct model *m)
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
