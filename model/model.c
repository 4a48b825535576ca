// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model, built in one pass: model__add dispatches each event to the
 * file of its concern (model_priv.h lists them); a SYSCALL goes through the
 * named steps of on_syscall. model__finish copies the internal records into
 * the public, sorted arrays of struct model.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "memlimit.h"
#include "model_priv.h"
#include "trace.h"

void emit_span(struct model *m, const struct model_span *s)
{
	if (m->priv->opts.on_span)
		m->priv->opts.on_span(m->priv->opts.ctx, s);
}

/* The call's thread and time span; a call that began before tracing starts at the thread's first sight. */
static struct thr *call_thread(struct model *m, struct call *c)
{
	const struct ipct_syscall *e = c->e;
	struct model_priv *p = m->priv;
	struct thr *t;

	if (!e->enter_ts) {
		uint32_t idx = hmap_get_memo(&p->thr_by_tid, e->h.tid);

		if (idx != NONE_IDX && p->thrs[idx].pub.first_ts > c->start)
			c->start = p->thrs[idx].pub.first_ts;
	}
	if (c->start > c->end)
		c->start = c->end;
	t = thr_get(m, e->h.pid, e->h.tid, c->start);
	if (!t)
		return NULL;
	thr_touch(t, c->end);
	t->pub.syscalls++;
	if (!p->opts.sinks_only)
		end_of_recording_call(t, e, c->start);
	return t;
}

/* The call's report channels; a sigwait that slept waits on the channel of signals to its process. */
static void call_channels(struct model *m, struct call *c)
{
	const struct ipct_syscall *e = c->e;
	struct model_priv *p = m->priv;

	/* one lookup of e->chan serves the steps below; only a UDP socket's may name another flow */
	uint32_t k = e->chan ? kchan_get(m, e->chan, false) : NONE_IDX;

	if (k != NONE_IDX && p->kchans[k].kind == IPCT_KIND_UDP) {
		c->chan = udp_flow_of_call(m, e);
		c->rc = chan_rc(m, c->chan, true);
		/* k stays e->chan's (kernel channels are only appended); a flow's own is not noted */
		if (c->chan != e->chan)
			k = NONE_IDX;
	} else {
		c->chan = e->chan;
		if (k == NONE_IDX && e->chan)
			k = kchan_get(m, e->chan, true);
		c->rc = k != NONE_IDX ? kchan_rc(p, k, true) : NONE_IDX;
	}
	/* a connection's client process and fd only name the channel in the report */
	if (k != NONE_IDX && !p->opts.sinks_only)
		kchan_note_user(p, k, e->h.pid, e->fd);
	if (e->op == IPCT_OP_SPLICE)
		c->rc2 = chan_rc(m, e->chan2, true);
	if (e->op == IPCT_OP_SIGWAIT && c->rc == NONE_IDX && c->nblk) {
		uint32_t waker_rc = rch_resolve(p, c->waker_rc);

		if (waker_rc != NONE_IDX && p->rchs[waker_rc].kind == IPCT_KIND_SIGNAL)
			c->rc = waker_rc;
		else
			c->rc = rch_resolve(p, hmap_get(&p->sig_by_target, e->h.pid));
	}
	if (c->rc != NONE_IDX)
		p->rchs[c->rc].used = true;
	if (c->rc2 != NONE_IDX)
		p->rchs[c->rc2].used = true;
}

/* Calls that change what a channel is: listening, mapped (by whom, writable), written, read by whom. */
static void call_channel_facts(struct model *m, const struct call *c)
{
	const struct ipct_syscall *e = c->e;
	struct model_priv *p = m->priv;

	/* epoll sets only tell mode evidence which channels a wait covered */
	if (e->op == IPCT_OP_EPOLL_CTL && !p->opts.sinks_only)
		on_epoll_ctl(m, e);
	if ((e->op == IPCT_OP_LISTEN || e->op == IPCT_OP_ACCEPT) && c->rc != NONE_IDX)
		p->rchs[c->rc].listened = true;
	if (e->op == IPCT_OP_MMAP && c->rc != NONE_IDX && (e->ret >= 0 || e->ret < -4095)) {
		struct rch *r = &p->rchs[c->rc];

		if (e->arg & 0x2 /* PROT_WRITE */)
			r->map_writable = true;
		if (!r->mapper)
			r->mapper = e->h.pid;
		else if (r->mapper != e->h.pid)
			r->mapped_twice = true;
	}
	if (c->rc != NONE_IDX && is_send_op(e->op) && c->bytes >= 0) {
		p->rchs[c->rc].written = true;
		note_writer(&p->rchs[c->rc], e->h.pid);
	}
	if (c->rc != NONE_IDX && is_recv_op(e->op) && c->bytes >= 0)
		note_reader(&p->rchs[c->rc], e->h.pid);
	if (c->rc2 != NONE_IDX && c->bytes >= 0) {
		p->rchs[c->rc2].written = true;
		note_writer(&p->rchs[c->rc2], e->h.pid);
	}
}

/* The caller's endpoint on rc when the call moves data, waits or attaches; its times and sleeps. */
static void call_endpoint(struct model *m, struct call *c)
{
	const struct ipct_syscall *e = c->e;
	struct model_priv *p = m->priv;
	struct rch *r;

	if (c->rc == NONE_IDX)
		return;
	if (!(is_io_op(e->op) || c->nblk || e->op == IPCT_OP_MQ_NOTIFY ||
	      e->op == IPCT_OP_IO_URING_ENTER || e->op == IPCT_OP_IO_SUBMIT ||
	      is_attach_kind(p->rchs[c->rc].kind)))
		return;
	c->ep = rch_ep(m, c->rc, e->h.pid);
	if (c->nblk)
		p->rchs[c->rc].waited = true;
	if (is_io_op(e->op) || is_attach_kind(p->rchs[c->rc].kind))
		rch_use(m, c->rc);
	if (!c->ep || p->opts.sinks_only)
		return;
	r = &p->rchs[c->rc];
	rch_span_ts(r, c->start);
	rch_span_ts(r, c->end);
	ep_span_ts(c->ep, c->start, c->end);
	c->ep->blocked += c->nblk;
	c->ep->blocked_ns += c->blk;
}

static void on_syscall(struct model *m, const struct ipct_syscall *e)
{
	struct model_priv *p = m->priv;
	bool poll = is_poll_op(e->op);
	/* still inside the call at the stop: it waited, it returned nothing */
	bool unfinished = e->h.flags & IPCT_F_UNFINISHED;
	struct call c = {
		.e = e, .start = clamp_ts(m, e->enter_ts), .end = e->h.ts,
		.rc = NONE_IDX, .rc2 = NONE_IDX, .waker_rc = NONE_IDX,
		.poll = poll, .zero = poll && (e->h.flags & IPCT_F_ZERO_TMO),
		.async = e->h.flags & (IPCT_F_ASYNC | IPCT_F_INSIGNAL),
		.eagain = !unfinished && e->ret == -EAGAIN, .bytes = unfinished ? -1 : moved_bytes(e),
	};
	struct model_span s;

	c.t = call_thread(m, &c);
	if (!c.t)
		return;
	call_sleeps(c.t, &c);
	call_channels(m, &c);
	call_busy_wait(m, c.t, &c);
	if (!p->opts.sinks_only)
		call_poll_wait(p, c.t, &c);
	call_channel_facts(m, &c);
	call_mapping(m, &c);
	/* a poll over several fds did not wait on its first one alone */
	if (poll && e->chan2)
		c.nblk = 0, c.blk = 0;
	call_endpoint(m, &c);
	if (c.ep && !p->opts.sinks_only)
		call_mode_evidence(m, &c);
	if (c.bytes >= 0 && (is_recv_op(e->op) || is_send_op(e->op))) {
		call_transfers(m, &c);
		call_busy_wait_end(m, &c);
	}
	call_aio_completion(m, &c);
	if (e->op == IPCT_OP_KILL)
		call_kill(m, &c);

	s = (struct model_span){
		.pid = e->h.pid, .tid = e->h.tid, .state = SPAN_SYSCALL, .start = c.start,
		.end = c.end, .chan = rch_id(p, c.rc != NONE_IDX ? c.rc : c.rc2),
		.chan_kind = rch_kind(p, c.rc != NONE_IDX ? c.rc : c.rc2), .op = e->op,
		.nr = e->nr, .ret = e->ret, .calls = 1, .unfinished = unfinished,
	};
	emit_span(m, &s);
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
	if (opts && opts->on_model)
		opts->on_model(opts->ctx, m);
	return m;
}

void model__add(struct model *m, const struct ipct_hdr *ev)
{
	struct model_priv *p = m->priv;

	if (p->finished)
		return;
	if (p->ts_hi && (ev->ts < p->ts_lo || ev->ts > p->ts_hi)) {
		m->out_of_window++;
		return;
	}
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
	case IPCT_EV_MAP:
		on_map(m, (const struct ipct_map *)ev);
		break;
	case IPCT_EV_CMDLINE:
		on_cmdline(m, (const struct ipct_cmdline *)ev);
		break;
	case IPCT_EV_WINDOW:
		/* the window's start and stop are the first and last events: the times above */
	default:
		break;
	}
}

void model__finish(struct model *m)
{
	struct model_priv *p = m->priv;

	if (p->finished)
		return;
	p->finished = true;
	/* children still holding what they inherited hold it to the end */
	for (size_t i = 0; i < p->nprocs; i++)
		maps_settle(m, p->procs[i].pub.pid);
	if (p->opts.sinks_only) {
		/* the polling runs still open are the only sink calls left, in finish_threads' order */
		for (size_t i = 0; i < p->nthrs; i++)
			run_end(m, &p->thrs[i]);
		return;
	}
	if (finish_threads(m) || finish_processes(m) || finish_channels(m) || finish_wakeups(m))
		p->oom = true;
	else
		finish_stuck(m);
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
			free(p->rchs[i].q.v);
			free(p->rchs[i].rq.v);
			free(p->rchs[i].flows);
			free(p->rchs[i].sides);
			hmap_free(&p->rchs[i].side_idx);
			hmap_free(&p->rchs[i].flow_idx);
		}
		for (size_t i = 0; i < p->npairs; i++)
			free(p->pairs[i].chans);
		free(p->thrs);
		for (size_t i = 0; i < p->nprocs; i++)
			free(p->procs[i].maps);
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
		hmap_free(&p->ep_by_rch_pid);
		hmap_free(&p->udp_by_ports);
		hmap_free(&p->udp_last_flow);
		free(p);
	}
	free(m);
}

#define MODEL_TS_SLACK_NS 1000000000ull                    /* 1 s */
#define MODEL_TS_SPAN_NS (31ull * 24 * 3600 * 1000000000ull) /* 31 days */

#define MODEL_MEM_CHECK_MASK 0xffffu	/* memory checked every 65536 events */

static struct model_refusal refusal;

const struct model_refusal *model__refusal(void)
{
	return &refusal;
}

struct model *model__from_reader(struct trace_reader *r, const struct model_opts *opts)
{
	return model__from_reader_window(r, opts, 0, 0);
}

/* A model whose events must lie near r's recording (a damaged timestamp is no loop's bound). */
static struct model *model_for(struct trace_reader *r, const struct model_opts *opts)
{
	struct model *m = model__new(opts);
	uint64_t start = trace_reader__meta(r)->start_mono_ns;

	if (m && start) {
		/* Every event lies after the recording began (CPUs may disagree by a little) and
		 * within a month of it: no loop then depends on a timestamp a damaged trace holds. */
		m->priv->ts_lo = start > MODEL_TS_SLACK_NS ? start - MODEL_TS_SLACK_NS : 1;
		m->priv->ts_hi = start + MODEL_TS_SPAN_NS;
	}
	return m;
}

/*
 * Reads r to its end: every event into whole (if not NULL), the events clipped to
 * [from, to] into window (0, 0: all of them), and finishes both. 0, -EFBIG (past the
 * memory limit: model__refusal) or -ENOMEM.
 */
static int read_into(struct trace_reader *r, struct model *whole, struct model *window,
		     uint64_t from, uint64_t to)
{
	_Alignas(8) unsigned char buf[IPCT_EVENT_MAX];
	uint64_t n = 0, limit = memlimit__bytes();
	const struct ipct_hdr *e;

	while ((e = trace_reader__next(r)) != NULL) {
		const struct ipct_hdr *k = from || to ? model_filter__clip(e, from, to, buf) : e;

		if (whole)
			model__add(whole, e);
		if (k)
			model__add(window, k);
		/* a trace of millions of channels or threads is refused before the machine swaps */
		if (!(++n & MODEL_MEM_CHECK_MASK) && limit && memlimit__rss() > limit) {
			refusal = (struct model_refusal){ .events = n, .rss = memlimit__rss(), .limit = limit,
							  .threads = window->priv->nthrs,
							  .channels = window->priv->nrchs };
			return -EFBIG;
		}
	}
	if (whole)
		model__finish(whole);
	model__finish(window);
	return (whole && whole->priv->oom) || window->priv->oom ? -ENOMEM : 0;
}

struct model *model__from_reader_window(struct trace_reader *r, const struct model_opts *opts,
					uint64_t from, uint64_t to)
{
	struct model *m = model_for(r, opts);
	int err;

	if (!m)
		return NULL;
	err = read_into(r, NULL, m, from, to);
	if (err) {
		model__free(m);
		errno = -err;
		return NULL;
	}
	return m;
}

int model__pair_from_reader(struct trace_reader *r, const struct model_opts *whole_opts,
			    const struct model_opts *window_opts, uint64_t from, uint64_t to,
			    struct model **whole, struct model **window)
{
	int err = -ENOMEM;

	*whole = model_for(r, whole_opts);
	*window = *whole ? model_for(r, window_opts) : NULL;
	if (*window)
		err = read_into(r, *whole, *window, from, to);
	if (err) {
		model__free(*whole);
		model__free(*window);
		*whole = *window = NULL;
	}
	return err;
}

bool model__failed(const struct model *m)
{
	return m->priv->oom;
}

int model__reindex(struct model *m)
{
	struct model_priv *p = m->priv;

	hmap_free(&p->final_tid);
	hmap_free(&p->final_pid);
	for (size_t i = 0; i < m->nthreads; i++)
		if (hmap_put(&p->final_tid, m->threads[i].tid, i))
			return -ENOMEM;
	for (size_t i = 0; i < m->nprocesses; i++)
		if (hmap_put(&p->final_pid, m->processes[i].pid, i))
			return -ENOMEM;
	return 0;
}

const struct model_thread *model__thread(const struct model *m, uint32_t tid)
{
	uint32_t i = hmap_get(&m->priv->final_tid, tid);

	return i == NONE_IDX ? NULL : &m->threads[i];
}

bool model__thread_so_far(const struct model *m, uint32_t tid, struct model_thread_so_far *out)
{
	const struct model_priv *p = m->priv;
	uint32_t i = hmap_get(&p->thr_by_tid, tid), pi;
	const struct thr *t;

	if (i == NONE_IDX)
		return false;
	t = &p->thrs[i];
	pi = hmap_get(&p->proc_by_pid, t->pub.pid);
	*out = (struct model_thread_so_far){
		.pid = t->pub.pid, .tid = tid, .ppid = pi == NONE_IDX ? 0 : p->procs[pi].pub.ppid,
		/* as finish_threads will settle them */
		.first_ts = t->pub.first_ts < m->start_ts ? m->start_ts : t->pub.first_ts,
		.last_ts = UINT64_MAX,
	};
	if (t->pub.exited && t->exit_ts)
		out->last_ts = t->exit_ts < out->first_ts ? out->first_ts : t->exit_ts;
	return true;
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
