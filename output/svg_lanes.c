// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: one lane per thread, its spans and the marks of spans merged under a pixel.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "role.h"
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

static const char *span_cls(const struct draw *d, char *b, size_t n, const struct tl_span *s)
{
	const struct model_channel *c;
	enum family f = FAM_NONE;

	switch (s->state) {
	case SPAN_BLOCKED:
		/* sleeping that is not waiting for a peer is drawn lighter */
		return s->chan <= 0 && (s->op == IPCT_OP_NANOSLEEP || s->op == IPCT_OP_OTHER) ? "bn" : "b";
	case SPAN_RUNNABLE: return "r";
	case SPAN_POLLING: return "p";
	default: break;
	}
	if (s->chan > 0 && timeline__chan_shown(d->tl, s->chan)) {
		c = model__channel(d->m, s->chan);
		if (c)
			f = kind_family(c->kind);
	}
	snprintf(b, n, "k%d", f);
	return b;
}

static void span_title(struct draw *d, const struct tl_lane *l, const struct tl_span *s)
{
	char t0[48], t1[48], du[32], ch[IPCT_NAME_LEN * 2 + 64], calls[32], comm[IPCT_COMM_LEN + 64];
	uint32_t tid;

	svg_who(d, comm, sizeof(comm), l->thread->comm, l->tid, &tid);

	svg_fmt_ts(d, t0, sizeof(t0), s->start);
	svg_fmt_ts(d, t1, sizeof(t1), s->end);
	fmt_dur(du, sizeof(du), s->end - s->start);
	svg_chan_desc(d, ch, sizeof(ch), s->chan);
	svgw__open(d->w, "title");
	switch (s->state) {
	case SPAN_SYSCALL:
		if (s->unfinished)
			svgw__textf(d->w, tr(d->lang, T_SPAN_SYSCALL_OPEN_TIP),
				    comm, tid, op_name(s->op), s->nr, ch, du, t0, t1);
		else
			svgw__textf(d->w, tr(d->lang, T_SPAN_SYSCALL_TIP),
				    comm, tid, op_name(s->op), s->nr, ch, du, t0, t1, s->ret);
		break;
	case SPAN_BLOCKED:
		svgw__textf(d->w, tr(d->lang, T_SPAN_BLOCKED_TIP),
			    comm, tid, op_name(s->op), ch, du, t0, t1);
		break;
	case SPAN_RUNNABLE:
		svgw__textf(d->w, tr(d->lang, T_SPAN_RUNNABLE_TIP),
			    comm, tid, s->op ? tr(d->lang, T_SPAN_RUNNABLE_IN) : "", s->op ? op_name(s->op) : "",
			    du, t0, t1);
		break;
	case SPAN_POLLING:
		svgw__textf(d->w, tr(d->lang, T_SPAN_POLLING_TIP),
			    comm, tid, fmt_count(calls, sizeof(calls), s->calls), op_name(s->op),
			    ch, s->ret, du, t0, t1);
		break;
	default:
		svgw__textf(d->w, tr(d->lang, T_SPAN_OTHER_TIP), comm, tid,
			    tr_state(d->lang, (enum span_state)s->state), t0, t1);
	}
	if (s->unfinished && s->state != SPAN_SYSCALL)
		svgw__text(d->w, tr(d->lang, T_SPAN_STILL_AT_STOP));
	svgw__close(d->w);
}

static int span_rank(unsigned state)
{
	switch (state) {
	case SPAN_SYSCALL: return 0;
	case SPAN_BLOCKED: return 1;
	case SPAN_RUNNABLE: return 2;
	case SPAN_POLLING: return 3;
	default: return 4;
	}
}

static int cmp_span(const void *a, const void *b)
{
	const struct tl_span *x = a, *y = b;
	int rx = span_rank(x->state), ry = span_rank(y->state);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* What a merged column shows: its dominant state and how full it is. */
struct cell_look {
	char cls[8];
	int level;                 /* 1..4 quarters of the bar height */
};

static struct cell_look cell_look(const struct draw *d, const struct tl_cell *c, uint32_t cols)
{
	uint64_t off = c->ns[SPAN_BLOCKED] + c->ns[SPAN_RUNNABLE];
	uint64_t sys = c->ns[SPAN_SYSCALL] > off ? c->ns[SPAN_SYSCALL] - off : 0;
	uint64_t best = sys, busy;
	double col_ns = cols * (double)(d->tl->opts.to - d->tl->opts.from) / d->tl->opts.width;
	struct cell_look lk;
	int st = SPAN_SYSCALL;

	if (c->ns[SPAN_BLOCKED] > best)
		best = c->ns[st = SPAN_BLOCKED];
	if (c->ns[SPAN_RUNNABLE] > best)
		best = c->ns[st = SPAN_RUNNABLE];
	if (c->ns[SPAN_POLLING] > best)
		best = c->ns[st = SPAN_POLLING];
	if (best == 0) {
		/* zero-length spans only: the one seen most often */
		uint32_t most = c->n[SPAN_SYSCALL];

		for (int s = SPAN_BLOCKED; s < SPAN_STATE_COUNT; s++)
			if (c->n[s] > most) {
				most = c->n[s];
				st = s;
			}
	}
	switch (st) {
	case SPAN_BLOCKED: strcpy(lk.cls, "b"); break;
	case SPAN_RUNNABLE: strcpy(lk.cls, "r"); break;
	case SPAN_POLLING: strcpy(lk.cls, "p"); break;
	default: snprintf(lk.cls, sizeof(lk.cls), "k%d", kind_family(c->kind));
	}
	busy = (c->ns[SPAN_SYSCALL] > off ? c->ns[SPAN_SYSCALL] : off) + c->ns[SPAN_POLLING];
	lk.level = (int)ceil(4.0 * (double)busy / col_ns);
	if (lk.level < 1)
		lk.level = 1;
	if (lk.level > 4)
		lk.level = 4;
	return lk;
}

static void merged_title(struct draw *d, const struct tl_lane *l, const struct tl_cell *sum,
			 uint32_t c0, uint32_t c1)
{
	static const int order[] = { SPAN_SYSCALL, SPAN_BLOCKED, SPAN_RUNNABLE, SPAN_POLLING };
	const struct timeline *tl = d->tl;
	double col_ns = (double)(tl->opts.to - tl->opts.from) / tl->opts.width;
	uint64_t a = tl->opts.from + (uint64_t)(c0 * col_ns);
	uint64_t b = tl->opts.from + (uint64_t)((c1 + 1) * col_ns);
	char t0[48], t1[48], n[32], du[32], total[32], who[IPCT_COMM_LEN + 64];
	uint32_t tid;
	uint64_t nspans = 0;

	for (int s = 0; s < SPAN_STATE_COUNT; s++)
		nspans += sum->n[s];
	svg_fmt_ts(d, t0, sizeof(t0), a);
	svg_fmt_ts(d, t1, sizeof(t1), b);
	svg_who(d, who, sizeof(who), l->thread->comm, l->tid, &tid);
	svgw__open(d->w, "title");
	svgw__textf(d->w, tr(d->lang, T_MERGED_TIP),
		    who, tid, fmt_count(total, sizeof(total), nspans), t0, t1);
	/* only the states present: these tooltips are most of a big file */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (sum->n[order[i]])
			svgw__textf(d->w, "\n%s: %s, %s", tr_state(d->lang, order[i]),
				    fmt_count(n, sizeof(n), sum->n[order[i]]),
				    fmt_dur(du, sizeof(du), sum->ns[order[i]]));
	svgw__close(d->w);
}

/* Columns of a lane summed into one, the syscall kinds by majority vote. */
static void cell_sum(struct tl_cell *dst, const struct tl_cell *c)
{
	for (int s = 0; s < SPAN_STATE_COUNT; s++) {
		dst->ns[s] += c->ns[s];
		dst->n[s] += c->n[s];
	}
	if (c->kind == dst->kind) {
		dst->kind_weight += c->kind_weight;
	} else if (dst->kind_weight >= c->kind_weight) {
		dst->kind_weight -= c->kind_weight;
	} else {
		dst->kind = c->kind;
		dst->kind_weight = c->kind_weight - dst->kind_weight;
	}
}

/*
 * Summary marks of a lane: columns of `group` pixels (more than one when
 * lanes x width would exceed MARK_BUDGET), and runs of groups that look
 * alike drawn as one mark.
 */
static void draw_merged(struct draw *d, const struct tl_lane *l, size_t lane)
{
	uint32_t width = d->tl->opts.width, g = d->mark_group, start = 0;
	struct cell_look run = { "", 0 }, lk;
	struct tl_cell sum, grp;
	bool open = false;
	double y = svg_lane_mid(d, lane) + d->bar_h / 2, h;

	if (!l->cells)
		return;
	memset(&sum, 0, sizeof(sum));
	for (uint32_t c = 0; c < width + g; c += g) {
		bool any = false;

		memset(&grp, 0, sizeof(grp));
		for (uint32_t k = c; k < c + g && k < width; k += d->tl->cell_cols) {
			const struct tl_cell *cell = timeline__cell(d->tl, l, k);

			if (cell)
				cell_sum(&grp, cell);
		}
		for (int s = 0; s < SPAN_STATE_COUNT; s++)
			any |= grp.n[s] != 0;
		if (any)
			lk = cell_look(d, &grp, c + g <= width ? g : width - c);
		if (open && (!any || lk.level != run.level || strcmp(lk.cls, run.cls))) {
			uint32_t e = c < width ? c : width;

			h = d->bar_h * run.level / 4.0;
			svg_rect(d, run.cls, d->x0 + start, y - h, e - start, h);
			merged_title(d, l, &sum, start, e - 1);
			svgw__close(d->w);
			d->merged_marks++;
			open = false;
		}
		if (!any)
			continue;
		if (!open) {
			open = true;
			start = c;
			run = lk;
			memset(&sum, 0, sizeof(sum));
		}
		cell_sum(&sum, &grp);
	}
}

static void lane_title(struct draw *d, const struct tl_lane *l)
{
	const struct model_thread *t = l->thread;
	char a[48], b[48], u[32], k[32], bl[32], r[32], n[32], who[IPCT_COMM_LEN + 64];
	uint32_t pid;

	svg_who(d, who, sizeof(who), t->comm, t->pid, &pid);
	svgw__open(d->w, "title");
	svgw__textf(d->w, tr(d->lang, T_THREAD_TIP),
		    who, model_host_pid(t->tid), pid, svg_fmt_ts(d, a, sizeof(a), t->first_ts),
		    svg_fmt_ts(d, b, sizeof(b), t->last_ts), t->exited ? tr(d->lang, T_EXITED) : "",
		    fmt_dur(u, sizeof(u), t->user_ns), fmt_dur(k, sizeof(k), t->kernel_ns),
		    fmt_dur(bl, sizeof(bl), t->blocked_ns), fmt_dur(r, sizeof(r), t->runnable_ns),
		    fmt_count(n, sizeof(n), t->syscalls));
	if (l->threads > 1 || l->processes > 1) {
		char role[128];

		role__of_process(l->process, role, sizeof(role));
		svgw__textf(d->w, tr(d->lang, l->processes > 1 ? T_SIBLINGS_TIP : T_POOL_TIP),
			    l->processes > 1 ? l->processes : l->threads,
			    l->processes > 1 ? role : t->comm,
			    fmt_dur(u, sizeof(u), l->sum_ns[SPAN_USER]),
			    fmt_dur(k, sizeof(k), l->sum_ns[SPAN_SYSCALL]),
			    fmt_dur(bl, sizeof(bl), l->sum_ns[SPAN_BLOCKED]),
			    fmt_dur(r, sizeof(r), l->sum_ns[SPAN_RUNNABLE]));
	}
	svgw__close(d->w);
}

static void process_title(struct draw *d, const struct model_process *p)
{
	char nt[48], who[IPCT_COMM_LEN + 64];
	uint32_t pid;

	snprintf(nt, sizeof(nt), trn(d->lang, T_N_THREADS_1, p->nthreads), p->nthreads);
	svg_who(d, who, sizeof(who), p->comm, p->pid, &pid);
	svgw__open(d->w, "title");
	svgw__textf(d->w, tr(d->lang, T_PROCESS_TIP), who, pid, model_host_pid(p->ppid),
		    p->exe[0] ? tr(d->lang, T_PROCESS_EXE) : "", p->exe, nt,
		    p->exited ? tr(d->lang, T_EXITED) : "");
	if (p->exited)
		svgw__textf(d->w, tr(d->lang, T_PROCESS_EXIT_CODE), p->exit_code);
	if (p->cmdline[0])
		svgw__textf(d->w, tr(d->lang, T_PROCESS_CMDLINE), p->cmdline);
	svgw__close(d->w);
}

/* A clock offset for the host header, to the microsecond. */
static void fmt_offset(char *b, size_t n, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (a >= 1000000000)
		snprintf(b, n, "%c%.6f s", ns < 0 ? '-' : '+', a / 1e9);
	else
		snprintf(b, n, "%c%.3f ms", ns < 0 ? '-' : '+', a / 1e6);
}

/* A merged trace: the machine's name and clock above its first lane, a rule across. */
static void host_header(struct draw *d, size_t i)
{
	const struct trace_host *h = svg_host(d, d->tl->lanes[i].pid);
	uint32_t hi = model_host_of(d->tl->lanes[i].pid);
	double y = d->lane_y[i] - HOST_HDR_H + 4;
	char off[40], unc[32], most[32];

	if (!h)
		return;
	fmt_offset(off, sizeof(off), h->offset_ns);
	fmt_dur(unc, sizeof(unc), h->uncertainty_ns);
	fmt_dur(most, sizeof(most), h->max_uncertainty_ns);
	svgw__open(d->w, "g");
	svgw__open(d->w, "title");
	svgw__textf(d->w, tr(d->lang, T_HOST_TIP), h->name, h->boot_id[0] ? h->boot_id : "?",
		    hi << TRACE_HOST_SHIFT, d->meta->hosts[h->aligned_to].name, h->messages, unc, most);
	svgw__close(d->w);
	svg_rect(d, "hostrule", MARGIN - 6, y, d->page_w - 2 * MARGIN + 12, 1.5);
	svgw__close(d->w);
	svg_text_at(d, "hostlbl", MARGIN, y + 14);
	if (hi)
		svgw__textf(d->w, tr(d->lang, T_HOST_HEADER), h->name, off, unc, h->drift_ppm);
	else
		svgw__textf(d->w, tr(d->lang, T_HOST_HEADER_REF), h->name);
	svgw__close(d->w);
	svgw__close(d->w);
}

void svg_draw_lanes(struct draw *d)
{
	const struct timeline *tl = d->tl;
	size_t pi = 0;
	char cls[8];

	svg_draw_grid(d);
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		double y = d->lane_y[i], top = svg_lane_mid(d, i) - d->bar_h / 2;
		bool merged_done = false;
		double xa, xb, lx, cw, room;
		const char *name;
		uint32_t n_of;
		char ids[48];

		if (svg_host_starts(d, i)) {
			if (i)
				svgw__close(d->w);
			host_header(d, i);
			if (i)
				svgw__open(d->w, "g");
		}
		if (l->first_of_process) {
			size_t j = i + 1;

			while (j < tl->nlanes && !tl->lanes[j].first_of_process)
				j++;
			if (i)
				svgw__close(d->w);
			svgw__open(d->w, "g");
			svg_rect(d, pi++ % 2 ? "band1" : "band0", MARGIN - 6, y - 2,
			     d->page_w - 2 * MARGIN + 12, d->lane_y[j - 1] + d->lane_h - y + 4);
			process_title(d, l->process);
			svgw__close(d->w);
		}
		svgw__open(d->w, "g");
		lane_title(d, l);
		lx = l->first_of_process ? MARGIN : MARGIN + 14;
		svg_text_at(d, l->first_of_process ? "plbl" : "lbl", lx, svg_lane_mid(d, i) + 4 * fmin(d->fs, 1.35));
		svgw__attr(d->w, "clip-path", "url(#labels)");
		/* a merged trace: the machine's own numbers (the header above names the machine) */
		if (l->first_of_process && l->tid != l->pid)
			snprintf(ids, sizeof(ids), " %u \xc2\xb7 tid %u", model_host_pid(l->pid),
				 model_host_pid(l->tid));
		else
			snprintf(ids, sizeof(ids), " %u",
				 model_host_pid(l->first_of_process ? l->pid : l->tid));
		/* the ids always show: the name gives up what the label column lacks */
		cw = l->first_of_process ? fmin(12 * d->fs, 16) * 0.62 : fmin(11 * d->fs, 14) * 0.56;
		room = (d->x0 - 6 - lx) / cw - (double)utf8_chars(ids);
		/* a group says how many it stands for: "16 × postgres", "8 × worker" */
		n_of = l->first_of_process ? l->processes : l->threads;
		if (n_of > 1) {
			svgw__textf(d->w, "%u \xc3\x97 ", n_of);
			room -= 3 + (n_of > 9) + (n_of > 99) + (n_of > 999);
		}
		/* a process goes by its role ("postgres: checkpointer") where it set one */
		name = l->first_of_process ? model__process_role(l->process) : l->thread->comm;
		svgw__text_trunc(d->w, name, room < 4 ? 4 : room > sizeof(l->process->cmdline) ?
				 sizeof(l->process->cmdline) : (size_t)room);
		svgw__text(d->w, ids);
		svgw__close(d->w);
		xa = svg_xpos(d, l->thread->first_ts);
		xb = svg_xpos(d, l->thread->last_ts);
		if (xb - xa < 1)
			xb = xa + 1;
		svg_rect(d, "u", xa, top, xb - xa, d->bar_h);
		svgw__close(d->w);
		svgw__close(d->w);

		if (l->nspans)
			qsort(l->spans, l->nspans, sizeof(*l->spans), cmp_span);
		for (size_t k = 0; k <= l->nspans; k++) {
			const struct tl_span *s = k < l->nspans ? &l->spans[k] : NULL;
			double h = d->bar_h;

			/* polling runs go over everything else: a band along the top */
			if (!s || s->state == SPAN_POLLING) {
				if (!merged_done)
					draw_merged(d, l, i);
				merged_done = true;
				if (!s)
					break;
				h = d->bar_h * 0.45;
			}
			if (s->state == SPAN_BLOCKED || s->state == SPAN_RUNNABLE)
				h -= UNDER_H;
			xa = svg_xpos(d, s->start);
			xb = svg_xpos(d, s->end);
			svg_rect(d, span_cls(d, cls, sizeof(cls), s), xa, top, xb - xa, h);
			span_title(d, l, s);
			svgw__close(d->w);
		}
	}
	if (tl->nlanes) {
		svgw__close(d->w);
	} else {
		svg_text_at(d, "fn", d->x0 + 8, d->y_lanes + 15);
		svgw__text(d->w, tr(d->lang, d->opts->slide ? T_SLIDE_NO_IPC : T_NO_THREAD_IN_WINDOW));
		svgw__element_text(d->w, "title", tr(d->lang, d->opts->slide ? T_SLIDE_NO_IPC_TIP : T_WIDEN_WINDOW_TIP));
		svgw__close(d->w);
	}
	svg_draw_arrows(d);
}
