// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The timeline SVG. Layout, top to bottom: title, time axis and one lane
 * per thread grouped by process, the channel table (the seed's IPC table),
 * the sync/async x blocking/non-blocking figure beside the legend.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "svg.h"
#include "svg_writer.h"
#include "timeline.h"

#define DEFAULT_WIDTH 1200
#define MIN_PAGE_W 1320
#define MARGIN 20.0
#define LABEL_W 200.0
#define LANE_H 22.0        /* lanes of many threads; a few get taller (lane_sizes) */
#define SWATCH_H 12.0
#define UNDER_H 3.0        /* syscall colour left visible under blocked/runnable */
#define PROC_GAP 6.0
#define AXIS_H 30.0
#define ROW_H 18.0
#define TABLE_MAX_ROWS 30
#define FIG_HDR_W 104.0
#define FIG_CELL_W 300.0    /* at least; wider pages get wider cells */
#define LEGEND_W 440.0
#define FIG_LINE_H 14.0
#define FIG_MAX_LINES 7
#define LEGEND_LINE_H 17.0
#define CHAR_W 6.2         /* rough advance of an 11px sans-serif character */
#define ARROW_LABELS_MAX 40
#define ARROWS_BIG_MAX 200  /* more arrows than this are drawn thin whatever the lane height */
#define LABEL_GAP 120.0
#define LABEL_SLOTS 64
#define LABEL_BOXES 32
#define MARK_BUDGET 20000   /* summary marks over all lanes, at most */

/* Colour families of channel kinds (Okabe-Ito palette, colour-blind safe). */
enum family {
	FAM_NONE = 0, FAM_PIPE, FAM_MSG, FAM_SHM, FAM_SOCK, FAM_FILE, FAM_SIGNAL, FAM_COUNT
};

static const char *const fam_color[FAM_COUNT] = {
	"#8C8C8C", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9", "#009E73", "#000000",
};

/* Arrows without a channel are drawn darker than the neutral syscall grey. */
static const char *const fam_arrow_color[FAM_COUNT] = {
	"#555555", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9", "#009E73", "#000000",
};

static const char *const fam_label[FAM_COUNT] = {
	"in a syscall, not IPC",
	"in a syscall on a pipe or fifo",
	"in a syscall on a message queue (mqueue, sysv-msg)",
	"in a syscall on shared memory or its sync (shm, mmap, futex, sem)",
	"in a syscall on a socket (unix, tcp, udp)",
	"in a syscall on a shared file",
	"in a signal syscall",
};

static enum family kind_family(unsigned k)
{
	switch (k) {
	case IPCT_KIND_PIPE: case IPCT_KIND_FIFO:
		return FAM_PIPE;
	case IPCT_KIND_MQUEUE: case IPCT_KIND_SYSV_MSG:
		return FAM_MSG;
	case IPCT_KIND_SHM: case IPCT_KIND_SYSV_SHM: case IPCT_KIND_MMAP:
	case IPCT_KIND_FUTEX: case IPCT_KIND_SYSV_SEM:
		return FAM_SHM;
	case IPCT_KIND_UNIX_STREAM: case IPCT_KIND_UNIX_DGRAM:
	case IPCT_KIND_UNIX_SEQPACKET: case IPCT_KIND_TCP: case IPCT_KIND_UDP:
		return FAM_SOCK;
	case IPCT_KIND_FILE:
		return FAM_FILE;
	case IPCT_KIND_SIGNAL:
		return FAM_SIGNAL;
	default:
		return FAM_NONE;
	}
}

/* The seed's table columns (section 4) for each kind. */
struct kind_facts {
	const char *medium, *unit;
};

static struct kind_facts kind_facts(unsigned k)
{
	switch (k) {
	case IPCT_KIND_PIPE: return (struct kind_facts){ "file (pipe)", "stream" };
	case IPCT_KIND_FIFO: return (struct kind_facts){ "file (FIFO)", "stream" };
	case IPCT_KIND_MQUEUE: return (struct kind_facts){ "memory", "message" };
	case IPCT_KIND_SYSV_MSG: return (struct kind_facts){ "memory", "message" };
	case IPCT_KIND_SHM: return (struct kind_facts){ "memory", "struct" };
	case IPCT_KIND_SYSV_SHM: return (struct kind_facts){ "memory", "struct" };
	case IPCT_KIND_MMAP: return (struct kind_facts){ "file+memory", "page" };
	case IPCT_KIND_SYSV_SEM: return (struct kind_facts){ "memory", "semaphore" };
	case IPCT_KIND_FUTEX: return (struct kind_facts){ "memory", "32-bit word" };
	case IPCT_KIND_UNIX_STREAM: return (struct kind_facts){ "socket", "stream" };
	case IPCT_KIND_UNIX_DGRAM: return (struct kind_facts){ "socket", "datagram" };
	case IPCT_KIND_UNIX_SEQPACKET: return (struct kind_facts){ "socket", "packet" };
	case IPCT_KIND_TCP: return (struct kind_facts){ "socket", "stream" };
	case IPCT_KIND_UDP: return (struct kind_facts){ "socket", "datagram" };
	case IPCT_KIND_FILE: return (struct kind_facts){ "file", "bytes" };
	case IPCT_KIND_SIGNAL: return (struct kind_facts){ "kernel", "signal" };
	default: return (struct kind_facts){ "-", "-" };
	}
}

static const char *scope_text(const struct model_channel *c)
{
	if (c->remote)
		return "network (remote peer)";
	if (c->kind == IPCT_KIND_TCP || c->kind == IPCT_KIND_UDP)
		return "same system (loopback)";
	return "same system";
}

struct draw {
	const struct model *m;
	const struct trace_meta *meta;
	const struct timeline *tl;
	const struct svg_opts *opts;
	const char *note;
	struct svgw *w;
	double page_w, page_h;
	double lane_h, bar_h;
	size_t title_split;        /* bytes of the title on its first line; 0 = one line */
	double fs;                 /* scale of lane labels: 1 = compact */
	double afs;                /* scale of arrows and their labels: 1 = compact or crowded */
	double cell_w;             /* a quadrant of the modes figure */
	double x0, tw;             /* timeline area */
	double y_axis, y_lanes, y_lanes_end, y_table, y_fig, y_legend;
	double *lane_y;
	size_t *table_chans;       /* indexes into m->channels, in id order */
	size_t ntable, table_more;
	struct fig_entry *fig;
	size_t nfig;
	size_t fig_lines;          /* lines per cell */
	bool fam_used[FAM_COUNT];
	uint64_t merged_marks;
	uint32_t mark_group;        /* columns per summary mark, at least */
	uint64_t ts_unit;          /* unit for tooltip times: 1e3, 1e6 or 1e9 ns */
};

struct fig_entry {
	int mode;
	uint32_t pid;
	const char *comm;
	const struct model_channel *chan;
	uint64_t calls, ns;
	bool dominant;
};

/* m->channels is sorted by id (model.h). */
static const struct model_channel *find_channel(const struct model *m, int id)
{
	size_t lo = 0, hi = m->nchannels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->channels[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nchannels && m->channels[lo].id == id)
		return &m->channels[lo];
	return NULL;
}

static const char *fmt_dur(char *b, size_t n, uint64_t ns)
{
	double v;
	const char *u;

	if (ns < 1000) {
		snprintf(b, n, "%" PRIu64 " ns", ns);
		return b;
	}
	if (ns < 1000000) {
		v = ns / 1e3;
		u = "\xc2\xb5s";
	} else if (ns < 1000000000) {
		v = ns / 1e6;
		u = "ms";
	} else {
		v = ns / 1e9;
		u = "s";
	}
	snprintf(b, n, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v, u);
	return b;
}

static const char *fmt_count(char *b, size_t n, uint64_t v)
{
	char tmp[32];
	size_t len, o = 0;

	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	len = strlen(tmp);
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			b[o++] = ',';
		b[o++] = tmp[i];
	}
	b[o] = '\0';
	return b;
}

static const char *fmt_bytes(char *b, size_t n, uint64_t v)
{
	if (v < 1024)
		snprintf(b, n, "%" PRIu64 " B", v);
	else if (v < 1024 * 1024)
		snprintf(b, n, "%.1f KiB", v / 1024.0);
	else if (v < 1024ull * 1024 * 1024)
		snprintf(b, n, "%.1f MiB", v / (1024.0 * 1024));
	else
		snprintf(b, n, "%.2f GiB", v / (1024.0 * 1024 * 1024));
	return b;
}

/* A time since the trace start, in one unit for the whole picture. */
static const char *fmt_ts(const struct draw *d, char *b, size_t n, uint64_t ts)
{
	uint64_t rel = ts > d->m->start_ts ? ts - d->m->start_ts : 0;

	if (d->ts_unit == 1000)
		snprintf(b, n, "%.3f \xc2\xb5s", rel / 1e3);
	else if (d->ts_unit == 1000000)
		snprintf(b, n, "%.3f ms", rel / 1e6);
	else
		snprintf(b, n, "%.6f s", rel / 1e9);
	return b;
}

static double lane_mid(const struct draw *d, size_t lane)
{
	return d->lane_y[lane] + d->lane_h / 2;
}

static double xpos(const struct draw *d, uint64_t ts)
{
	double x = timeline__x(d->tl, ts);

	if (x < 0)
		x = 0;
	if (x > d->tw)
		x = d->tw;
	return d->x0 + x;
}

static void rect(struct draw *d, const char *cls, double x, double y, double w, double h)
{
	svgw__open(d->w, "rect");
	if (cls)
		svgw__attr(d->w, "class", "%s", cls);
	svgw__attr_num(d->w, "x", x);
	svgw__attr_num(d->w, "y", y);
	svgw__attr_num(d->w, "width", w);
	svgw__attr_num(d->w, "height", h);
}

static void text_at(struct draw *d, const char *cls, double x, double y)
{
	svgw__open(d->w, "text");
	if (cls)
		svgw__attr(d->w, "class", "%s", cls);
	svgw__attr_num(d->w, "x", x);
	svgw__attr_num(d->w, "y", y);
}

/* A server's listening socket says so, as in the text report. */
static const char *listening_suffix(const struct model_channel *c)
{
	return c->listening ? " (listening)" : "";
}

static void chan_desc(const struct draw *d, char *b, size_t n, int id)
{
	const struct model_channel *c = id > 0 ? find_channel(d->m, id) : NULL;

	if (!c) {
		snprintf(b, n, "%s", id > 0 ? "an unnamed channel" : "no channel");
		return;
	}
	snprintf(b, n, "#%d %s %s%s", c->id, kind_name(c->kind), c->name, listening_suffix(c));
}

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
		c = find_channel(d->m, s->chan);
		if (c)
			f = kind_family(c->kind);
	}
	snprintf(b, n, "k%d", f);
	return b;
}

static const char *op_word(unsigned op)
{
	const char *s = op < IPCT_OP_MAX ? op_name(op) : NULL;

	return s ? s : "syscall";
}

static void span_title(struct draw *d, const struct tl_lane *l, const struct tl_span *s)
{
	char t0[48], t1[48], du[32], ch[IPCT_NAME_LEN * 2 + 64], calls[32];
	const char *comm = l->thread->comm;

	fmt_ts(d, t0, sizeof(t0), s->start);
	fmt_ts(d, t1, sizeof(t1), s->end);
	fmt_dur(du, sizeof(du), s->end - s->start);
	chan_desc(d, ch, sizeof(ch), s->chan);
	svgw__open(d->w, "title");
	switch (s->state) {
	case SPAN_SYSCALL:
		svgw__textf(d->w, "%s %u: %s (syscall %u) on %s\n%s, %s \xe2\x86\x92 %s\nreturned %" PRId64,
			    comm, l->tid, op_word(s->op), s->nr, ch, du, t0, t1, s->ret);
		break;
	case SPAN_BLOCKED:
		svgw__textf(d->w, "%s %u: blocked in %s on %s\n%s, %s \xe2\x86\x92 %s",
			    comm, l->tid, op_word(s->op), ch, du, t0, t1);
		break;
	case SPAN_RUNNABLE:
		svgw__textf(d->w, "%s %u: runnable (woken, waiting for a CPU)%s%s\n%s, %s \xe2\x86\x92 %s",
			    comm, l->tid, s->op ? " in " : "", s->op ? op_word(s->op) : "",
			    du, t0, t1);
		break;
	case SPAN_POLLING:
		svgw__textf(d->w, "%s %u: polling (busy-wait): %s calls of %s on %s, last returned %" PRId64 "\n%s, %s \xe2\x86\x92 %s",
			    comm, l->tid, fmt_count(calls, sizeof(calls), s->calls), op_word(s->op),
			    ch, s->ret, du, t0, t1);
		break;
	default:
		svgw__textf(d->w, "%s %u: %s, %s \xe2\x86\x92 %s", comm, l->tid,
			    span_state_name((enum span_state)s->state), t0, t1);
	}
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
	char t0[48], t1[48], n[32], du[32], total[32];
	uint64_t nspans = 0;

	for (int s = 0; s < SPAN_STATE_COUNT; s++)
		nspans += sum->n[s];
	fmt_ts(d, t0, sizeof(t0), a);
	fmt_ts(d, t1, sizeof(t1), b);
	svgw__open(d->w, "title");
	svgw__textf(d->w, "%s %u: %s spans under a pixel, merged (%s \xe2\x86\x92 %s)",
		    l->thread->comm, l->tid, fmt_count(total, sizeof(total), nspans), t0, t1);
	/* only the states present: these tooltips are most of a big file */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (sum->n[order[i]])
			svgw__textf(d->w, "\n%s: %s, %s", span_state_name(order[i]),
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
	double y = lane_mid(d, lane) + d->bar_h / 2, h;

	if (!l->cells)
		return;
	memset(&sum, 0, sizeof(sum));
	for (uint32_t c = 0; c < width + g; c += g) {
		bool any = false;

		memset(&grp, 0, sizeof(grp));
		for (uint32_t k = c; k < c + g && k < width; k++) {
			const struct tl_cell *cell = timeline__cell(l, k);

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
			rect(d, run.cls, d->x0 + start, y - h, e - start, h);
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
	char a[48], b[48], u[32], k[32], bl[32], r[32], n[32];

	svgw__open(d->w, "title");
	svgw__textf(d->w, "thread %s %u of process %u\nseen %s \xe2\x86\x92 %s%s\n"
		    "user %s, kernel %s, blocked %s, runnable %s\n%s syscalls",
		    t->comm, t->tid, t->pid, fmt_ts(d, a, sizeof(a), t->first_ts),
		    fmt_ts(d, b, sizeof(b), t->last_ts), t->exited ? ", exited" : "",
		    fmt_dur(u, sizeof(u), t->user_ns), fmt_dur(k, sizeof(k), t->kernel_ns),
		    fmt_dur(bl, sizeof(bl), t->blocked_ns), fmt_dur(r, sizeof(r), t->runnable_ns),
		    fmt_count(n, sizeof(n), t->syscalls));
	svgw__close(d->w);
}

static void process_title(struct draw *d, const struct model_process *p)
{
	svgw__open(d->w, "title");
	svgw__textf(d->w, "process %s %u, parent %u%s%s\n%zu thread%s%s",
		    p->comm, p->pid, p->ppid, p->exe[0] ? ", exe " : "", p->exe,
		    p->nthreads, p->nthreads == 1 ? "" : "s",
		    p->exited ? ", exited" : "");
	if (p->exited)
		svgw__textf(d->w, " with code %d", p->exit_code);
	svgw__close(d->w);
}

/* Tick step: 1, 2 or 5 times a power of ten, about every 100 px. */
static uint64_t tick_step(uint64_t span, double width)
{
	double raw = (double)span / (width / 100.0 > 1 ? width / 100.0 : 1);
	uint64_t mag = 1;

	while ((double)mag * 10 <= raw)
		mag *= 10;
	if ((double)mag >= raw)
		return mag;
	if ((double)mag * 2 >= raw)
		return mag * 2;
	if ((double)mag * 5 >= raw)
		return mag * 5;
	return mag * 10;
}

/* Tick labels in the unit of the window's end, with the decimals the step needs. */
static void fmt_tick(char *b, size_t n, uint64_t v, uint64_t step, uint64_t end)
{
	uint64_t unit = end < 1000 ? 1 : end < 1000000 ? 1000 : end < 1000000000 ? 1000000 : 1000000000;
	const char *u = unit == 1 ? "ns" : unit == 1000 ? "\xc2\xb5s" : unit == 1000000 ? "ms" : "s";
	int dec = 0;

	for (uint64_t s = step; s % unit && dec < 9; s *= 10)
		dec++;
	if (v == 0)
		snprintf(b, n, "0");
	else
		snprintf(b, n, "%.*f %s", dec, (double)v / unit, u);
}

static void draw_axis(struct draw *d, double y, bool labels_below)
{
	const struct timeline *tl = d->tl;
	uint64_t from = tl->opts.from - d->m->start_ts, to = tl->opts.to - d->m->start_ts;
	uint64_t step = tick_step(to - from, d->tw), t;
	char lbl[48];

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "time since the trace started");
	svgw__open(d->w, "path");
	svgw__attr(d->w, "class", "axis");
	svgw__attr(d->w, "d", "M%.1f %.1fH%.1f", d->x0, y, d->x0 + d->tw);
	svgw__close(d->w);
	for (t = (from + step - 1) / step * step; t <= to; t += step) {
		double x = xpos(d, d->m->start_ts + t);

		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "axis");
		svgw__attr(d->w, "d", "M%.1f %.1fv%d", x, y, labels_below ? 4 : -4);
		svgw__close(d->w);
		fmt_tick(lbl, sizeof(lbl), t, step, to);
		text_at(d, "tick", x, labels_below ? y + 14 : y - 7);
		/* a label at the right end would run off the page */
		svgw__attr(d->w, "text-anchor", x > d->x0 + d->tw - 24 ? "end" : "middle");
		svgw__text(d->w, lbl);
		svgw__close(d->w);
	}
	svgw__close(d->w);
}

static void draw_grid(struct draw *d)
{
	const struct timeline *tl = d->tl;
	uint64_t from = tl->opts.from - d->m->start_ts, to = tl->opts.to - d->m->start_ts;
	uint64_t step = tick_step(to - from, d->tw);
	size_t cap = 64, len = 0;
	char *path = malloc(cap);

	if (!path)
		return;
	path[0] = '\0';
	for (uint64_t t = (from + step - 1) / step * step; t <= to; t += step) {
		char seg[64];
		int n = snprintf(seg, sizeof(seg), "M%.1f %.1fV%.1f", xpos(d, d->m->start_ts + t),
				 d->y_lanes - 2, d->y_lanes_end);

		if (len + (size_t)n + 1 > cap) {
			char *p;

			cap = (len + n + 1) * 2;
			p = realloc(path, cap);
			if (!p)
				break;
			path = p;
		}
		memcpy(path + len, seg, (size_t)n + 1);
		len += (size_t)n;
	}
	if (len) {
		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "grid");
		svgw__attr(d->w, "d", "%s", path);
		svgw__element_text(d->w, "title", "a line at every tick of the time axis");
		svgw__close(d->w);
	}
	free(path);
}

static void draw_lost(struct draw *d)
{
	const struct timeline *tl = d->tl;
	char cnt[32], t0[48], t1[48];

	for (size_t i = 0; i < tl->nlost; i++) {
		const struct tl_lost *l = &tl->lost[i];
		double x = xpos(d, l->first_ts), x1 = xpos(d, l->last_ts), y = d->y_axis;

		svgw__open(d->w, "g");
		svgw__attr(d->w, "class", "lost");
		svgw__open(d->w, "title");
		svgw__textf(d->w, "LOST: %s events dropped by the kernel (ring buffer full), CPU %u, %s \xe2\x86\x92 %s",
			    fmt_count(cnt, sizeof(cnt), l->count), l->cpu,
			    fmt_ts(d, t0, sizeof(t0), l->first_ts), fmt_ts(d, t1, sizeof(t1), l->last_ts));
		svgw__close(d->w);
		if (x1 - x < 2)
			x1 = x + 2;
		rect(d, NULL, x, y - 2, x1 - x, 4);
		svgw__close(d->w);
		rect(d, NULL, x, d->y_lanes, x1 - x, d->y_lanes_end - d->y_lanes);
		svgw__attr(d->w, "opacity", "0.25");
		svgw__close(d->w);
		svgw__open(d->w, "path");
		svgw__attr(d->w, "d", "M%.1f %.1fl-5 -8h10z", x, y - 1);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}

static void arrow_title(struct draw *d, const struct tl_arrow *a)
{
	const struct tl_lane *s = &d->tl->lanes[a->src], *t = &d->tl->lanes[a->dst];
	char ch[IPCT_NAME_LEN * 2 + 64], t0[48], t1[48], cnt[32], by[32], l0[32], l1[32];

	chan_desc(d, ch, sizeof(ch), a->chan);
	fmt_ts(d, t0, sizeof(t0), a->src_ts);
	svgw__open(d->w, "title");
	if (a->type == TL_TRANSFER) {
		fmt_ts(d, t1, sizeof(t1), a->dst_ts);
		if (a->count == 1)
			svgw__textf(d->w, "transfer on %s: %s %u \xe2\x86\x92 %s %u, %s\nsent %s, received %s",
				    ch, s->thread->comm, s->tid, t->thread->comm, t->tid,
				    fmt_bytes(by, sizeof(by), a->bytes), t0, t1);
		else
			svgw__textf(d->w, "%s transfers merged (sent within %u px): %s %u \xe2\x86\x92 %s %u on %s%s, %s in all\nfirst sent %s, last sent %s; send to receive %s \xe2\x80\x93 %s",
				    fmt_count(cnt, sizeof(cnt), a->count), d->tl->arrow_cols, s->thread->comm, s->tid,
				    t->thread->comm, t->tid, ch, a->mixed ? " and other channels" : "",
				    fmt_bytes(by, sizeof(by), a->bytes), t0,
				    fmt_ts(d, t1, sizeof(t1), a->last_ts),
				    fmt_dur(l0, sizeof(l0), a->min_lat), fmt_dur(l1, sizeof(l1), a->max_lat));
	} else {
		if (a->count == 1)
			svgw__textf(d->w, "wakeup: %s %u woke %s %u at %s (waker in a call on %s)",
				    s->thread->comm, s->tid, t->thread->comm, t->tid, t0, ch);
		else
			svgw__textf(d->w, "%s wakeups merged (within %u px): %s %u woke %s %u, on %s%s\nfirst %s, last %s",
				    fmt_count(cnt, sizeof(cnt), a->count), d->tl->arrow_cols, s->thread->comm, s->tid,
				    t->thread->comm, t->tid, ch, a->mixed ? " and other channels" : "",
				    t0, fmt_ts(d, t1, sizeof(t1), a->last_ts));
	}
	svgw__close(d->w);
}

/* Where the last label of arrows into a lane on a channel was put. */
struct label_slot {
	uint32_t dst;
	int chan;
	double x;
};

/* Labels placed lately, to keep new ones off them. */
struct label_box {
	double x0, x1, y;
};

/*
 * Few arrows: label each. Many: label an arrow only LABEL_GAP px after the
 * last label of its channel into the same lane, so the ids stay readable.
 */
static bool want_label(struct label_slot *slots, size_t *n, const struct tl_arrow *a, double x,
		       bool all)
{
	for (size_t i = 0; i < *n; i++) {
		struct label_slot *l = &slots[i];

		if (l->dst != a->dst || l->chan != a->chan)
			continue;
		if (!all && x - l->x < LABEL_GAP)
			return false;
		l->x = x;
		return true;
	}
	if (*n == LABEL_SLOTS)
		return all;
	slots[(*n)++] = (struct label_slot){ a->dst, a->chan, x };
	return true;
}

static bool label_collides(const struct label_box *b, size_t n, double x0, double x1, double y,
			   double h)
{
	for (size_t i = 0; i < n && i < LABEL_BOXES; i++)
		if (x0 < b[i].x1 && b[i].x0 < x1 && fabs(b[i].y - y) < h)
			return true;
	return false;
}

/* An arrow from the edge of the sending bar to the edge of the receiving one. */
static void arrow_ends(const struct draw *d, const struct tl_arrow *a, double *x1, double *y1,
		       double *x2, double *y2)
{
	*x1 = xpos(d, a->src_ts);
	*x2 = xpos(d, a->dst_ts);
	*y1 = lane_mid(d, a->src);
	*y2 = lane_mid(d, a->dst);
	if (*y2 > *y1) {
		*y1 += d->bar_h / 2;
		*y2 -= d->bar_h / 2 + 1;
	} else {
		*y1 -= d->bar_h / 2;
		*y2 += d->bar_h / 2 + 1;
	}
}

/* Channel ids next to arrowheads, drawn after every arrow so none covers them. */
static void draw_arrow_labels(struct draw *d)
{
	const struct timeline *tl = d->tl;
	bool all = tl->narrows <= ARROW_LABELS_MAX;
	struct label_slot slots[LABEL_SLOTS];
	struct label_box boxes[LABEL_BOXES];
	size_t nslots = 0, nboxes = 0;

	for (size_t i = 0; i < tl->narrows; i++) {
		const struct tl_arrow *a = &tl->arrows[i];
		const struct model_channel *c = a->chan > 0 ? find_channel(d->m, a->chan) : NULL;
		double x1, y1, x2, y2, w, lx, ly;
		char txt[48];

		/* wakeups are labelled on channels that move no data of their own (futex, semaphores) */
		if (!c || (a->type != TL_TRANSFER && c->messages))
			continue;
		arrow_ends(d, a, &x1, &y1, &x2, &y2);
		ly = y2 > y1 ? y2 - 1 : y2 + 8 * d->afs;
		if (a->count > 1)
			snprintf(txt, sizeof(txt), "#%d \xc3\x97%" PRIu64, c->id, a->count);
		else
			snprintf(txt, sizeof(txt), "#%d", c->id);
		/* next to the arrowhead, in the gap beside the receiving bar */
		w = 6.6 * d->afs * utf8_chars(txt);
		lx = x2 + 3 + w > d->x0 + d->tw + MARGIN - 2 ? x2 - 3 - w : x2 + 3;
		if (label_collides(boxes, nboxes, lx, lx + w, ly, 9 * d->afs) ||
		    !want_label(slots, &nslots, a, x2, all))
			continue;
		boxes[nboxes++ % LABEL_BOXES] = (struct label_box){ lx, lx + w, ly };
		text_at(d, "al", lx, ly);
		svgw__text(d->w, txt);
		svgw__open(d->w, "title");
		svgw__textf(d->w, "channel #%d: %s %s", c->id, kind_name(c->kind), c->name);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}

static void draw_arrows(struct draw *d)
{
	const struct timeline *tl = d->tl;

	svgw__open(d->w, "g");
	for (size_t i = 0; i < tl->narrows; i++) {
		const struct tl_arrow *a = &tl->arrows[i];
		const struct model_channel *c = a->chan > 0 ? find_channel(d->m, a->chan) : NULL;
		enum family f = c ? kind_family(c->kind) : FAM_NONE;
		double sw = (a->count > 1 ? 1.3 + log2((double)a->count) * 0.4 : 1.3) * d->afs;
		double x1, y1, x2, y2;
		char cls[8];

		if (sw > 4 * d->afs)
			sw = 4 * d->afs;
		arrow_ends(d, a, &x1, &y1, &x2, &y2);
		snprintf(cls, sizeof(cls), "%c%d", a->type == TL_TRANSFER ? 't' : 'w', f);
		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "%s", cls);
		svgw__attr(d->w, "d", "M%.1f %.1fL%.1f %.1f", x1, y1, x2, y2);
		if (a->count > 1)
			svgw__attr(d->w, "stroke-width", "%.1f", sw);
		arrow_title(d, a);
		svgw__close(d->w);
	}
	draw_arrow_labels(d);
	svgw__close(d->w);
}

static void draw_lanes(struct draw *d)
{
	const struct timeline *tl = d->tl;
	size_t pi = 0;
	char cls[8];

	draw_grid(d);
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		double y = d->lane_y[i], top = lane_mid(d, i) - d->bar_h / 2;
		bool merged_done = false;
		double xa, xb, lx, cw, room;
		char ids[48];

		if (l->first_of_process) {
			size_t j = i + 1;

			while (j < tl->nlanes && !tl->lanes[j].first_of_process)
				j++;
			if (i)
				svgw__close(d->w);
			svgw__open(d->w, "g");
			rect(d, pi++ % 2 ? "band1" : "band0", MARGIN - 6, y - 2,
			     d->page_w - 2 * MARGIN + 12, d->lane_y[j - 1] + d->lane_h - y + 4);
			process_title(d, l->process);
			svgw__close(d->w);
		}
		svgw__open(d->w, "g");
		lane_title(d, l);
		lx = l->first_of_process ? MARGIN : MARGIN + 14;
		text_at(d, l->first_of_process ? "plbl" : "lbl", lx, lane_mid(d, i) + 4 * fmin(d->fs, 1.35));
		svgw__attr(d->w, "clip-path", "url(#labels)");
		if (l->first_of_process && l->tid != l->pid)
			snprintf(ids, sizeof(ids), " %u \xc2\xb7 tid %u", l->pid, l->tid);
		else
			snprintf(ids, sizeof(ids), " %u", l->first_of_process ? l->pid : l->tid);
		/* the ids always show: the name gives up what the label column lacks */
		cw = l->first_of_process ? fmin(12 * d->fs, 16) * 0.62 : fmin(11 * d->fs, 14) * 0.56;
		room = (d->x0 - 6 - lx) / cw - (double)utf8_chars(ids);
		svgw__text_trunc(d->w, l->first_of_process ? l->process->comm : l->thread->comm,
				 room < 4 ? 4 : room > 16 ? 16 : (size_t)room);
		svgw__text(d->w, ids);
		svgw__close(d->w);
		xa = xpos(d, l->thread->first_ts);
		xb = xpos(d, l->thread->last_ts);
		if (xb - xa < 1)
			xb = xa + 1;
		rect(d, "u", xa, top, xb - xa, d->bar_h);
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
			xa = xpos(d, s->start);
			xb = xpos(d, s->end);
			rect(d, span_cls(d, cls, sizeof(cls), s), xa, top, xb - xa, h);
			span_title(d, l, s);
			svgw__close(d->w);
		}
	}
	if (tl->nlanes) {
		svgw__close(d->w);
	} else {
		text_at(d, "fn", d->x0 + 8, d->y_lanes + 15);
		svgw__text(d->w, "no thread of the processes chosen is alive in this window");
		svgw__element_text(d->w, "title", "widen the time window or choose other processes");
		svgw__close(d->w);
	}
	draw_arrows(d);
}

static bool pid_listed(const struct draw *d, uint32_t pid)
{
	if (!d->opts->pids)
		return true;
	for (size_t i = 0; i < d->opts->npids; i++)
		if (d->opts->pids[i] == pid)
			return true;
	return false;
}

static bool chan_listed(const struct draw *d, const struct model_channel *c)
{
	if (!timeline__chan_shown(d->tl, c->id))
		return false;
	if (!d->opts->pids)
		return true;
	for (size_t j = 0; j < c->nendpoints; j++)
		if (pid_listed(d, c->endpoints[j].pid))
			return true;
	return false;
}

static int cmp_chan_weight(const void *a, const void *b, void *model)
{
	const struct model *m = model;
	const struct model_channel *x = &m->channels[*(const size_t *)a];
	const struct model_channel *y = &m->channels[*(const size_t *)b];

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_chan_id(const void *a, const void *b, void *model)
{
	const struct model *m = model;
	const struct model_channel *x = &m->channels[*(const size_t *)a];
	const struct model_channel *y = &m->channels[*(const size_t *)b];

	return x->id < y->id ? -1 : x->id > y->id;
}

static int pick_table(struct draw *d)
{
	const struct model *m = d->m;
	size_t n = 0;

	d->table_chans = calloc(m->nchannels ? m->nchannels : 1, sizeof(size_t));
	if (!d->table_chans)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++)
		if (chan_listed(d, &m->channels[i]))
			d->table_chans[n++] = i;
	if (n > TABLE_MAX_ROWS) {
		/* the busiest channels, then in id order; the rest are counted */
		qsort_r(d->table_chans, n, sizeof(size_t), cmp_chan_weight, (void *)m);
		d->table_more = n - TABLE_MAX_ROWS;
		n = TABLE_MAX_ROWS;
	}
	qsort_r(d->table_chans, n, sizeof(size_t), cmp_chan_id, (void *)m);
	d->ntable = n;
	return 0;
}

static int cmp_fig(const void *a, const void *b)
{
	const struct fig_entry *x = a, *y = b;

	if (x->mode != y->mode)
		return x->mode < y->mode ? -1 : 1;
	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->chan->id < y->chan->id ? -1 : x->chan->id > y->chan->id;
}

static int pick_figure(struct draw *d)
{
	const struct model *m = d->m;
	size_t n = 0, cap = 16, per[MODE_COUNT] = { 0 };

	d->fig = malloc(cap * sizeof(*d->fig));
	if (!d->fig)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!chan_listed(d, c))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];

			if (!pid_listed(d, e->pid))
				continue;
			for (int mo = 0; mo < MODE_COUNT; mo++) {
				struct fig_entry *f;

				if (!e->mode_calls[mo] && !e->mode_ns[mo])
					continue;
				if (n == cap) {
					struct fig_entry *v = realloc(d->fig, cap * 2 * sizeof(*v));

					if (!v)
						return -ENOMEM;
					d->fig = v;
					cap *= 2;
				}
				f = &d->fig[n++];
				f->mode = mo;
				f->pid = e->pid;
				f->comm = e->comm;
				f->chan = c;
				f->calls = e->mode_calls[mo];
				f->ns = e->mode_ns[mo];
				f->dominant = (int)e->mode == mo;
				per[mo]++;
			}
		}
	}
	qsort(d->fig, n, sizeof(*d->fig), cmp_fig);
	d->nfig = n;
	d->fig_lines = 2;
	for (int mo = 0; mo < MODE_COUNT; mo++)
		if (per[mo] > d->fig_lines)
			d->fig_lines = per[mo];
	if (d->fig_lines > FIG_MAX_LINES)
		d->fig_lines = FIG_MAX_LINES;
	return 0;
}

#define TITLE_CHAR_W 10.8  /* rough advance of an 18px bold character */

/* A long --title breaks at the last space that fits: where its first line ends, 0 = it fits. */
static size_t title_split(const struct draw *d)
{
	const char *t = d->opts->title;
	size_t maxc = (size_t)((d->page_w - 2 * MARGIN) / TITLE_CHAR_W), chars = 0, split = 0;

	if (!t || utf8_chars(t) <= maxc)
		return 0;
	for (size_t i = 0; t[i] && chars < maxc; i++) {
		if (t[i] == ' ')
			split = i;
		chars += ((unsigned char)t[i] & 0xC0) != 0x80;
	}
	return split;
}

static void draw_title(struct draw *d)
{
	const struct model *m = d->m;
	char dur[32], ev[32], lost[32], a[32], b[32];
	const char *cmd = d->opts->title ? d->opts->title : d->meta && d->meta->cmdline[0] ? d->meta->cmdline : NULL;
	size_t maxc = (size_t)((d->page_w - 2 * MARGIN) / TITLE_CHAR_W);
	size_t nthreads = 0;
	double y = MARGIN + 18;

	for (size_t i = 0; i < m->nprocesses; i++)
		nthreads += m->processes[i].nthreads;
	svgw__open(d->w, "g");
	svgw__open(d->w, "title");
	svgw__text(d->w, cmd ? cmd : "ipctrace");
	svgw__close(d->w);
	text_at(d, "h1", MARGIN, y);
	if (!d->opts->title) {
		const char *traced = cmd ? strstr(cmd, " -- ") : NULL;

		/* the traced command says more than the recorder's own options */
		if (traced && traced[4])
			cmd = traced + 4;
		svgw__text(d->w, "ipctrace: ");
	}
	if (d->title_split) {
		char *first = strndup(cmd, d->title_split);

		svgw__text(d->w, first ? first : "");
		free(first);
		svgw__close(d->w);
		y += 22;
		text_at(d, "h1", MARGIN, y);
		cmd += d->title_split + 1;
	}
	svgw__text_trunc(d->w, cmd ? cmd : "(no command line recorded)", maxc);
	svgw__close(d->w);
	svgw__close(d->w);

	y += 20;
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "what the trace holds");
	text_at(d, "sub", MARGIN, y);
	svgw__textf(d->w, "duration %s \xc2\xb7 %s events \xc2\xb7 %zu process%s, %zu thread%s \xc2\xb7 %zu channel%s",
		    fmt_dur(dur, sizeof(dur), m->end_ts - m->start_ts),
		    fmt_count(ev, sizeof(ev), m->events),
		    m->nprocesses, m->nprocesses == 1 ? "" : "es", nthreads, nthreads == 1 ? "" : "s",
		    m->nchannels, m->nchannels == 1 ? "" : "s");
	if (d->opts->from_ns || d->opts->to_ns)
		svgw__textf(d->w, " \xc2\xb7 window %s \xe2\x86\x92 %s",
			    fmt_dur(a, sizeof(a), d->tl->opts.from - m->start_ts),
			    fmt_dur(b, sizeof(b), d->tl->opts.to - m->start_ts));
	if (d->meta && d->meta->host[0]) {
		svgw__text(d->w, " \xc2\xb7 ");
		svgw__text_trunc(d->w, d->meta->host, 40);
	}
	if (d->meta && d->meta->kernel[0]) {
		svgw__text(d->w, " \xc2\xb7 Linux ");
		svgw__text_trunc(d->w, d->meta->kernel, 40);
	}
	svgw__close(d->w);
	svgw__close(d->w);
	if (m->lost_events || d->note) {
		y += 18;
		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", "nothing recorded is dropped silently");
		text_at(d, "warn", MARGIN, y);
		if (m->lost_events)
			svgw__textf(d->w, "LOST %s events: the kernel's ring buffer was full; red marks on the time axis show where. ",
				    fmt_count(lost, sizeof(lost), m->lost_events));
		if (d->note)
			svgw__text(d->w, d->note);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}

static void endpoints_text(const struct model_channel *c, char *b, size_t n)
{
	size_t o = 0;

	b[0] = '\0';
	for (size_t j = 0; j < c->nendpoints && o + 1 < n; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		const char *rw = e->sends && e->recvs ? "rw" : e->sends ? "w" : e->recvs ? "r" : "-";
		int k = snprintf(b + o, n - o, "%s%s %u (%s)", j ? ", " : "", e->comm, e->pid, rw);

		if (k < 0)
			break;
		o += (size_t)k;
	}
	if (o >= n)
		b[n - 1] = '\0';
}

static void chan_title(struct draw *d, const struct model_channel *c)
{
	char by[32], t0[48], t1[48];

	svgw__open(d->w, "title");
	svgw__textf(d->w, "channel #%d: %s %s%s\n%s, %s \xc2\xb7 %s in %" PRIu64 " messages \xc2\xb7 used %s \xe2\x86\x92 %s",
		    c->id, kind_name(c->kind), c->name, listening_suffix(c),
		    direction_name(c->direction), scope_text(c),
		    fmt_bytes(by, sizeof(by), c->bytes), c->messages,
		    fmt_ts(d, t0, sizeof(t0), c->first_ts), fmt_ts(d, t1, sizeof(t1), c->last_ts));
	for (size_t j = 0; j < c->nendpoints; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		const char *mo = mode_name(e->mode);
		char sb[32], rb[32], bn[32];

		svgw__textf(d->w, "\n%s %u: %" PRIu64 " sends (%s), %" PRIu64 " receives (%s), blocked %" PRIu64 "\xc3\x97 %s, EAGAIN %" PRIu64 ", mode %s",
			    e->comm, e->pid, e->sends, fmt_bytes(sb, sizeof(sb), e->bytes_sent),
			    e->recvs, fmt_bytes(rb, sizeof(rb), e->bytes_received), e->blocked,
			    fmt_dur(bn, sizeof(bn), e->blocked_ns), e->eagain, mo ? mo : "none (never waited)");
	}
	svgw__close(d->w);
}

static const char *const dir_help[] = {
	[DIR_NONE] = "none: no data moved",
	[DIR_SIMPLEX] = "simplex: data went one way only (seed 2.1.1)",
	[DIR_HALF_DUPLEX] = "half-duplex: both ways, one way at a time (seed 2.1.2)",
	[DIR_FULL_DUPLEX] = "full-duplex: both ways at the same time (seed 2.1.3)",
};

/* The direction as a glyph 18 px wide centred on y: -> simplex, <-> half, two opposite arrows full, none drawn for none. */
static void dir_glyph(struct draw *d, enum model_direction dir, double x, double y)
{
	if (dir != DIR_SIMPLEX && dir != DIR_HALF_DUPLEX && dir != DIR_FULL_DUPLEX)
		return;
	svgw__open(d->w, "path");
	svgw__attr(d->w, "class", "dir");
	switch (dir) {
	case DIR_SIMPLEX:
		svgw__attr(d->w, "d", "M%.1f %.1fh18m-5 -4l5 4l-5 4", x, y);
		break;
	case DIR_HALF_DUPLEX:
		svgw__attr(d->w, "d", "M%.1f %.1fh18m-5 -4l5 4l-5 4M%.1f %.1fl-5 4l5 4", x, y, x + 5, y - 4);
		break;
	case DIR_FULL_DUPLEX:
		svgw__attr(d->w, "d", "M%.1f %.1fh18l-4 -3.5M%.1f %.1fh-18l4 3.5", x, y - 2.5, x + 18, y + 2.5);
		break;
	default:
		break;
	}
	svgw__element_text(d->w, "title", dir_help[dir]);
	svgw__close(d->w);
}

/* An invisible box over the direction cell of a memory channel, to say why it is unseen. */
static void memory_dir_title(struct draw *d, double x, double y)
{
	rect(d, NULL, x, y, 112, ROW_H);
	svgw__attr(d->w, "fill", "none");
	svgw__attr(d->w, "pointer-events", "all");
	svgw__element_text(d->w, "title", "the data moves by loads and stores in shared memory, which no system call "
			   "shows, so its direction is not seen; the seed's table has shared memory and "
			   "memory maps both ways (2.1.3)");
	svgw__close(d->w);
}

/* The glyphs explained, beside the table's heading. */
static void dir_key(struct draw *d, double x, double y)
{
	static const struct {
		enum model_direction dir;
		const char *word;
	} k[] = {
		{ DIR_SIMPLEX, "simplex" }, { DIR_HALF_DUPLEX, "half-duplex (one way at a time)" },
		{ DIR_FULL_DUPLEX, "full-duplex (both at once)" },
	};

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "the direction column: how data moved on each channel (seed 2.1)");
	text_at(d, "lg", x, y + 4);
	svgw__text(d->w, "direction (seed \xc2\xa7" "2.1):");
	svgw__close(d->w);
	x += 128;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		dir_glyph(d, k[i].dir, x, y);
		text_at(d, "lg", x + 24, y + 4);
		svgw__text(d->w, k[i].word);
		svgw__close(d->w);
		x += 24 + CHAR_W * strlen(k[i].word) + 18;
	}
	svgw__close(d->w);
}

struct column {
	const char *head;
	double w;
	bool right;
};

static void draw_table(struct draw *d)
{
	double avail = d->page_w - 2 * MARGIN, x, y = d->y_table;
	struct column cols[] = {
		{ "#", 34, false }, { "kind", 112, false }, { "name", 0, false },
		{ "medium", 112, false }, { "unit", 84, false }, { "direction", 112, false },
		{ "scope", 150, false }, { "bytes", 80, true }, { "messages", 76, true },
		{ "endpoints (r = reads, w = writes)", 0, false },
	};
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	double fixed = 0;

	for (size_t i = 0; i < ncols; i++)
		fixed += cols[i].w;
	cols[2].w = (avail - fixed) * 0.45;
	cols[9].w = avail - fixed - cols[2].w;

	dir_key(d, MARGIN + 330, y + 10);
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "the IPC table of the seed (section 4), filled with what was observed");
	text_at(d, "h2", MARGIN, y + 14);
	svgw__text(d->w, "Channels: the IPC table, as observed");
	svgw__close(d->w);
	y += 24;
	rect(d, "th", MARGIN, y, avail, ROW_H);
	svgw__close(d->w);
	x = MARGIN;
	for (size_t i = 0; i < ncols; i++) {
		text_at(d, "thd", cols[i].right ? x + cols[i].w - 8 : x + 4, y + 13);
		if (cols[i].right)
			svgw__attr(d->w, "text-anchor", "end");
		svgw__text(d->w, cols[i].head);
		svgw__close(d->w);
		x += cols[i].w;
	}
	svgw__close(d->w);
	y += ROW_H;
	if (d->ntable == 0) {
		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", "no IPC channel was used by the processes shown");
		text_at(d, "td", MARGIN + 4, y + 13);
		svgw__text(d->w, "no channel observed");
		svgw__close(d->w);
		svgw__close(d->w);
	}
	for (size_t r = 0; r < d->ntable; r++, y += ROW_H) {
		const struct model_channel *c = &d->m->channels[d->table_chans[r]];
		struct kind_facts kf = kind_facts(c->kind);
		char cells[10][IPCT_NAME_LEN * 2 + 16], ep[512];
		const char *vals[10];

		snprintf(cells[0], sizeof(cells[0]), "%d", c->id);
		fmt_bytes(cells[7], sizeof(cells[7]), c->bytes);
		fmt_count(cells[8], sizeof(cells[8]), c->messages);
		endpoints_text(c, ep, sizeof(ep));
		vals[0] = cells[0];
		vals[1] = kind_name(c->kind);
		snprintf(cells[2], sizeof(cells[2]), "%s%s", c->name[0] ? c->name : "-",
			 listening_suffix(c));
		vals[2] = cells[2];
		vals[3] = kf.medium;
		vals[4] = kf.unit;
		/* loads and stores in shared memory make no system call: their direction is not seen */
		vals[5] = c->direction == DIR_NONE && kind_family(c->kind) == FAM_SHM ? "unseen (memory)"
										 : direction_name(c->direction);
		vals[6] = scope_text(c);
		vals[7] = cells[7];
		vals[8] = cells[8];
		vals[9] = ep;
		svgw__open(d->w, "g");
		chan_title(d, c);
		rect(d, r % 2 ? "tr1" : "tr0", MARGIN, y, avail, ROW_H);
		svgw__close(d->w);
		x = MARGIN;
		for (size_t i = 0; i < ncols; i++) {
			double pad;

			if (i == 1) {
				char cls[8];

				snprintf(cls, sizeof(cls), "k%d", kind_family(c->kind));
				rect(d, cls, x + 4, y + 4, 10, 10);
				svgw__close(d->w);
			}
			if (i == 5)
				dir_glyph(d, c->direction, x + 4, y + 9);
			if (i == 5 && c->direction == DIR_NONE && kind_family(c->kind) == FAM_SHM)
				memory_dir_title(d, x, y);
			/* room on the left for the kind's swatch and the direction's glyph */
			pad = i == 1 ? 19 : i == 5 && c->direction != DIR_NONE ? 28 : 4;
			text_at(d, "td", cols[i].right ? x + cols[i].w - 8 : x + pad, y + 13);
			if (cols[i].right)
				svgw__attr(d->w, "text-anchor", "end");
			svgw__text_trunc(d->w, vals[i] ? vals[i] : "-", (size_t)((cols[i].w - pad - 4) / CHAR_W));
			svgw__close(d->w);
			x += cols[i].w;
		}
		svgw__close(d->w);
	}
	if (d->table_more) {
		char n[32];

		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", "`ipctrace report` lists every channel");
		text_at(d, "note", MARGIN + 4, y + 13);
		svgw__textf(d->w, "\xe2\x80\xa6 and %s quieter channels not listed here (ipctrace report lists them all)",
			    fmt_count(n, sizeof(n), d->table_more));
		svgw__close(d->w);
		svgw__close(d->w);
	}
}

static const char *const mode_title[MODE_COUNT] = {
	"Sync-Blocking", "Sync-Nonblocking", "Async-Blocking", "Async-Nonblocking",
};

static const char *const mode_desc[MODE_COUNT] = {
	"sleeps in the call until the peer acts",
	"retries calls that return EAGAIN: busy-wait",
	"sleeps in poll/select/epoll, then does the I/O",
	"notified later, never waits (io_uring, AIO, SIGIO)",
};

static double fig_cell_h(const struct draw *d)
{
	return 40 + FIG_LINE_H * d->fig_lines;
}

/* Endpoints that moved data and never waited: the seed's 2.2 "no waiting". */
static void draw_no_wait(struct draw *d, double x, double y, double w)
{
	static const char head[] = "Never waited (seed \xc2\xa7" "2.2, e.g. a shared file): ";
	char line[1024], more[64];
	/* room after the heading and for a " + N more" */
	size_t o = 0, n = 0, shown = 0, maxc = (size_t)(w / CHAR_W) - utf8_chars(head) - 12;

	line[0] = '\0';
	for (size_t i = 0; i < d->ntable; i++) {
		const struct model_channel *c = &d->m->channels[d->table_chans[i]];

		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];
			bool waited = false;
			int k;

			for (int mo = 0; mo < MODE_COUNT; mo++)
				waited |= e->mode_calls[mo] || e->mode_ns[mo];
			if (waited || !(e->sends + e->recvs) || !pid_listed(d, e->pid))
				continue;
			n++;
			k = snprintf(line + o, sizeof(line) - o, "%s%.16s %u on #%d %s", shown ? ", " : "",
				     e->comm, e->pid, c->id, kind_name(c->kind));
			if (k > 0 && o + (size_t)k < maxc && o + (size_t)k < sizeof(line)) {
				o += (size_t)k;
				shown++;
			} else {
				line[o] = '\0';
			}
		}
	}
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "endpoints that moved data without ever waiting for it (the seed's 2.2: communication without waiting, e.g. a shared file)");
	text_at(d, "fe", x, y);
	svgw__text(d->w, head);
	if (!n)
		svgw__text(d->w, "nobody");
	svgw__text_trunc(d->w, line, maxc);
	if (n > shown) {
		snprintf(more, sizeof(more), " + %zu more", n - shown);
		svgw__text(d->w, more);
	}
	svgw__close(d->w);
	svgw__close(d->w);
}

static void draw_figure(struct draw *d)
{
	double x0 = MARGIN, y0 = d->y_fig, ch = fig_cell_h(d);
	const char *colh[2] = { "Synchronous", "Asynchronous" };
	const char *cols[2] = { "the caller waits for the result", "the result comes later" };
	const char *rowh[2] = { "Blocking", "Non-blocking" };
	const char *rows[2] = { "gives up the CPU", "keeps the CPU" };

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "the seed's section 3: each process on each channel, placed by how it waited");
	text_at(d, "h2", x0, y0 + 14);
	svgw__text(d->w, "How each process waits: sync/async \xc3\x97 blocking/non-blocking");
	svgw__close(d->w);
	for (int c = 0; c < 2; c++) {
		double cx = x0 + FIG_HDR_W + c * d->cell_w + d->cell_w / 2;

		text_at(d, "fh", cx, y0 + 40);
		svgw__attr(d->w, "text-anchor", "middle");
		svgw__text(d->w, colh[c]);
		svgw__close(d->w);
		text_at(d, "fs", cx, y0 + 53);
		svgw__attr(d->w, "text-anchor", "middle");
		svgw__text(d->w, cols[c]);
		svgw__close(d->w);
	}
	for (int r = 0; r < 2; r++) {
		double cy = y0 + 60 + r * ch + ch / 2;

		text_at(d, "fh", x0, cy - 2);
		svgw__text(d->w, rowh[r]);
		svgw__close(d->w);
		text_at(d, "fs", x0, cy + 11);
		svgw__text(d->w, rows[r]);
		svgw__close(d->w);
	}
	svgw__close(d->w);

	for (int r = 0; r < 2; r++) {
		for (int c = 0; c < 2; c++) {
			int mo = c == 0 ? (r == 0 ? MODE_SYNC_BLOCKING : MODE_SYNC_NONBLOCKING)
					: (r == 0 ? MODE_ASYNC_BLOCKING : MODE_ASYNC_NONBLOCKING);
			double x = x0 + FIG_HDR_W + c * d->cell_w, y = y0 + 60 + r * ch;
			size_t shown = 0, total = 0, k;
			char cls[8], calls[32], dur[32], line[160];

			for (k = 0; k < d->nfig; k++)
				total += d->fig[k].mode == mo;
			svgw__open(d->w, "g");
			svgw__open(d->w, "title");
			svgw__textf(d->w, "%s (%s): %s", mode_title[mo], mode_name(mo), mode_desc[mo]);
			svgw__close(d->w);
			/* quadrants somebody is in stand out */
			rect(d, total ? "cellon" : "cell", x + 2, y + 2, d->cell_w - 4, ch - 4);
			svgw__close(d->w);
			text_at(d, "ch", x + 10, y + 18);
			svgw__text(d->w, mode_title[mo]);
			svgw__close(d->w);
			text_at(d, "cd", x + 10, y + 31);
			svgw__text(d->w, mode_desc[mo]);
			svgw__close(d->w);
			svgw__close(d->w);
			for (k = 0; k < d->nfig; k++) {
				const struct fig_entry *f = &d->fig[k];
				double ly = y + 46 + shown * FIG_LINE_H;

				if (f->mode != mo)
					continue;
				if (shown + 1 == d->fig_lines && total > d->fig_lines) {
					text_at(d, "fe", x + 10, ly);
					svgw__textf(d->w, "+ %zu more", total - shown);
					svgw__open(d->w, "title");
					svgw__textf(d->w, "%zu more process-channel pairs in this quadrant (see ipctrace report)",
						    total - shown);
					svgw__close(d->w);
					svgw__close(d->w);
					break;
				}
				svgw__open(d->w, "g");
				svgw__open(d->w, "title");
				svgw__textf(d->w, "%s %u on channel #%d %s %s: %s calls, %s waiting in this mode%s",
					    f->comm, f->pid, f->chan->id, kind_name(f->chan->kind), f->chan->name,
					    fmt_count(calls, sizeof(calls), f->calls), fmt_dur(dur, sizeof(dur), f->ns),
					    f->dominant ? " (its dominant mode)" : "");
				svgw__close(d->w);
				snprintf(cls, sizeof(cls), "k%d", kind_family(f->chan->kind));
				svgw__open(d->w, "circle");
				svgw__attr(d->w, "class", "%s", cls);
				svgw__attr_num(d->w, "cx", x + 14);
				svgw__attr_num(d->w, "cy", ly - 4);
				svgw__attr(d->w, "r", "4");
				svgw__close(d->w);
				text_at(d, f->dominant ? "feb" : "fe", x + 23, ly);
				snprintf(line, sizeof(line), "%.16s %u \xc2\xb7 #%d %s%s \xc2\xb7 %s call%s%s%s",
					 f->comm, f->pid, f->chan->id, kind_name(f->chan->kind),
					 listening_suffix(f->chan), calls,
					 f->calls == 1 ? "" : "s", f->ns ? ", " : "", f->ns ? dur : "");
				svgw__text_trunc(d->w, line, (size_t)((d->cell_w - 32) / (CHAR_W + 0.5)));
				svgw__close(d->w);
				svgw__close(d->w);
				shown++;
			}
			if (total == 0) {
				text_at(d, "fn", x + 10, y + 46);
				svgw__text(d->w, "nobody");
				svgw__element_text(d->w, "title", "no process waited this way on the channels shown");
				svgw__close(d->w);
			}
		}
	}
	draw_no_wait(d, x0, y0 + 60 + 2 * ch + 14, FIG_HDR_W + 2 * d->cell_w);
}

static void legend_item(struct draw *d, double x, double y, const char *what, const char *label)
{
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", label);
	if (strcmp(what, "transfer") == 0 || strcmp(what, "wake") == 0) {
		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "%s", what[0] == 't' ? "t1" : "w1");
		svgw__attr(d->w, "d", "M%.1f %.1fh24", x, y - 4);
		svgw__close(d->w);
	} else if (strcmp(what, "lost") == 0) {
		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "lost");
		svgw__attr(d->w, "d", "M%.1f %.1fl-5 -8h10z", x + 12, y);
		svgw__close(d->w);
	} else if (strcmp(what, "merged") == 0) {
		static const char *const m[] = { "k1", "b", "k1", "r", "b" };
		static const int h[] = { 12, 6, 9, 3, 12 };

		for (int i = 0; i < 5; i++) {
			rect(d, m[i], x + i * 5, y - h[i], 4, h[i]);
			svgw__close(d->w);
		}
	} else {
		double h = strcmp(what, "b") == 0 || strcmp(what, "r") == 0 ? SWATCH_H - UNDER_H : SWATCH_H;

		if (strcmp(what, "bn") == 0) {
			rect(d, "k0", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
			h = SWATCH_H - UNDER_H;
		}

		if (h < SWATCH_H) {
			rect(d, "k1", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
		}
		if (strcmp(what, "p") == 0) {
			rect(d, "u", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
			h = SWATCH_H * 0.5;
		}
		rect(d, what, x, y - SWATCH_H, 26, h);
		svgw__close(d->w);
	}
	text_at(d, "lg", x + 34, y - 1);
	svgw__text(d->w, label);
	svgw__close(d->w);
	svgw__close(d->w);
}

static size_t legend_lines(const struct draw *d)
{
	size_t n = 10 + 4;

	for (int f = 1; f < FAM_COUNT; f++)
		n += d->fam_used[f];
	return n;
}

static void draw_legend(struct draw *d)
{
	const struct timeline_stats *st = &d->tl->stats;
	double x = MARGIN + FIG_HDR_W + 2 * d->cell_w + 40, y = d->y_legend;
	char a[32], b[32], c[32], e[32], f2[32];
	uint64_t tarrows = 0, warrows = 0;

	for (size_t i = 0; i < d->tl->narrows; i++) {
		tarrows += d->tl->arrows[i].type == TL_TRANSFER;
		warrows += d->tl->arrows[i].type == TL_WAKE;
	}
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "what every colour and mark means");
	text_at(d, "h2", x, y + 14);
	svgw__text(d->w, "Legend");
	svgw__close(d->w);
	svgw__close(d->w);
	y += 36;
	legend_item(d, x, y, "u", "running in user space (the thread's life)");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "k0", fam_label[FAM_NONE]);
	y += LEGEND_LINE_H;
	for (int f = 1; f < FAM_COUNT; f++) {
		char cls[8];

		if (!d->fam_used[f])
			continue;
		snprintf(cls, sizeof(cls), "k%d", f);
		legend_item(d, x, y, cls, fam_label[f]);
		y += LEGEND_LINE_H;
	}
	legend_item(d, x, y, "b", "blocked: waiting in a call for a peer (channel colour below)");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "bn", "asleep otherwise: nanosleep, wait, page fault");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "r", "runnable: woken, waiting for a CPU");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "p", "polling (band on top): busy-wait, EAGAIN / zero-timeout calls");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "merged", "spans under a pixel, merged: dominant state, height = busy share");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "transfer", "transfer: data from the sending to the receiving call (#channel, its colour)");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "wake", "wakeup: waker \xe2\x86\x92 wakee at the wake time (#channel on futex, sem)");
	y += LEGEND_LINE_H;
	legend_item(d, x, y, "lost", "events lost by the kernel, where they were lost");
	y += LEGEND_LINE_H + 6;

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", "what was drawn, merged and left out: nothing is dropped silently");
	text_at(d, "note", x, y);
	svgw__textf(d->w, "spans: %s drawn, %s narrower than a pixel merged into %s marks",
		    fmt_count(a, sizeof(a), st->spans_drawn), fmt_count(b, sizeof(b), st->spans_merged),
		    fmt_count(c, sizeof(c), d->merged_marks));
	svgw__close(d->w);
	y += 14;
	text_at(d, "note", x, y);
	svgw__textf(d->w, "transfers: %s as %s arrow%s; %s not in view (hidden threads or times), %s within one thread",
		    fmt_count(a, sizeof(a), st->transfers),
		    fmt_count(b, sizeof(b), tarrows), tarrows == 1 ? "" : "s", fmt_count(c, sizeof(c), st->transfers_hidden),
		    fmt_count(e, sizeof(e), st->transfers_self));
	svgw__close(d->w);
	y += 14;
	text_at(d, "note", x, y);
	svgw__textf(d->w, "wakeups: %s as %s arrow%s; %s from interrupts, %s not in view (untraced or hidden), %s of itself",
		    fmt_count(a, sizeof(a), st->wakes), fmt_count(f2, sizeof(f2), warrows), warrows == 1 ? "" : "s",
		    fmt_count(b, sizeof(b), st->wakes_irq),
		    fmt_count(c, sizeof(c), st->wakes_hidden), fmt_count(e, sizeof(e), st->wakes_self));
	svgw__close(d->w);
	y += 14;
	text_at(d, d->m->lost_events ? "warn" : "note", x, y);
	svgw__textf(d->w, "lost: %s events in %s record%s",
		    fmt_count(a, sizeof(a), d->m->lost_events), fmt_count(f2, sizeof(f2), st->lost_records),
		    st->lost_records == 1 ? "" : "s");
	svgw__close(d->w);
	svgw__close(d->w);
}
/* Diagonal stripes of one colour on white: the blocked and asleep fills. */
static void hatch_pattern(struct draw *d, const char *id, const char *color)
{
	svgw__open(d->w, "pattern");
	svgw__attr(d->w, "id", "%s", id);
	svgw__attr(d->w, "width", "5");
	svgw__attr(d->w, "height", "5");
	svgw__attr(d->w, "patternUnits", "userSpaceOnUse");
	svgw__attr(d->w, "patternTransform", "rotate(45)");
	rect(d, NULL, 0, 0, 5, 5);
	svgw__attr(d->w, "fill", "#FFFFFF");
	svgw__close(d->w);
	rect(d, NULL, 0, 0, 2, 5);
	svgw__attr(d->w, "fill", "%s", color);
	svgw__close(d->w);
	svgw__close(d->w);
}


static void write_defs(struct draw *d)
{
	char css[4096];
	size_t o = 0;

	o += snprintf(css + o, sizeof(css) - o,
		"text{font-family:sans-serif;fill:#222}"
		".h1{font-size:18px;font-weight:bold}.h2{font-size:14px;font-weight:bold}"
		".sub{font-size:12px;fill:#555}.warn{font-size:12px;font-weight:bold;fill:#C00000}"
		".lbl{font-size:%.0fpx;fill:#333}.plbl{font-size:%.0fpx;font-weight:bold}"
		".tick{font-size:%.0fpx;fill:#555}"
		".al{font-size:%.0fpx;fill:#333;paint-order:stroke;stroke:#FFFFFF;stroke-width:%.1fpx;stroke-linejoin:round}"
		".td,.lg{font-size:11px}.thd{font-size:11px;font-weight:bold}.note{font-size:10px;fill:#555}"
		".fh{font-size:12px;font-weight:bold}.fs{font-size:10px;fill:#666}"
		".ch{font-size:12px;font-weight:bold}.cd{font-size:10px;fill:#666;font-style:italic}"
		".fe{font-size:11px}.feb{font-size:11px;font-weight:bold}.fn{font-size:11px;fill:#999}"
		".band0{fill:#F6F6F6}.band1{fill:#FFFFFF}.th{fill:#E4E4E4}.tr0{fill:#FFFFFF}.tr1{fill:#F4F4F4}"
		".cell{fill:#F7F7F7;stroke:#C8C8C8}.cellon{fill:#EAF3FB;stroke:#0072B2;stroke-width:1.5}"
		".axis{stroke:#444;fill:none}.grid{stroke:#E2E2E2;fill:none}.lost{fill:#D00000}"
		".u{fill:#D9D9D9}.b{fill:url(#hatch)}.bn{fill:url(#hatchlight)}.r{fill:#F0E442}.p{fill:url(#zigzag)}"
		".dir{fill:none;stroke:#222;stroke-width:1.4;stroke-linecap:round;stroke-linejoin:round}",
		fmin(11 * d->fs, 14), fmin(12 * d->fs, 16), fmin(10 * d->fs, 13), 9 * d->afs, 2.5 * d->afs);
	for (int f = 0; f < FAM_COUNT; f++)
		o += snprintf(css + o, sizeof(css) - o,
			      ".k%d{fill:%s}.t%d{fill:none;stroke:%s;stroke-width:%.1f;marker-end:url(#ta%d)}"
			      ".w%d{fill:none;stroke:%s;stroke-width:%.1f;stroke-dasharray:%.0f %.0f;marker-end:url(#wa%d)}",
			      f, fam_color[f], f, fam_arrow_color[f], 1.3 * d->afs, f, f, fam_arrow_color[f],
			      d->afs, 3 * d->afs, 2 * d->afs, f);
	svgw__open(d->w, "style");
	svgw__raw(d->w, css);
	svgw__close(d->w);

	svgw__open(d->w, "defs");
	/* names of any length stay in the label column */
	svgw__open(d->w, "clipPath");
	svgw__attr(d->w, "id", "labels");
	rect(d, NULL, 0, 0, d->x0 - 6, d->page_h);
	svgw__close(d->w);
	svgw__close(d->w);
	hatch_pattern(d, "hatch", "#3A3A3A");
	hatch_pattern(d, "hatchlight", "#B4B4B4");
	svgw__open(d->w, "pattern");
	svgw__attr(d->w, "id", "zigzag");
	svgw__attr(d->w, "width", "6");
	svgw__attr(d->w, "height", "6");
	svgw__attr(d->w, "patternUnits", "userSpaceOnUse");
	rect(d, NULL, 0, 0, 6, 6);
	svgw__attr(d->w, "fill", "#F6D2BD");
	svgw__close(d->w);
	svgw__open(d->w, "path");
	svgw__attr(d->w, "d", "M0 5L1.5 1L3 5L4.5 1L6 5");
	svgw__attr(d->w, "fill", "none");
	svgw__attr(d->w, "stroke", "#D55E00");
	svgw__attr(d->w, "stroke-width", "1.4");
	svgw__close(d->w);
	svgw__close(d->w);
	for (int f = 0; f < FAM_COUNT; f++) {
		for (int t = 0; t < 2; t++) {
			svgw__open(d->w, "marker");
			svgw__attr(d->w, "id", "%s%d", t ? "wa" : "ta", f);
			svgw__attr(d->w, "viewBox", "0 0 10 10");
			svgw__attr(d->w, "refX", "9");
			svgw__attr(d->w, "refY", "5");
			svgw__attr(d->w, "markerWidth", "%.1f", 7 * d->afs);
			svgw__attr(d->w, "markerHeight", "%.1f", 7 * d->afs);
			svgw__attr(d->w, "markerUnits", "userSpaceOnUse");
			svgw__attr(d->w, "orient", "auto");
			svgw__open(d->w, "path");
			if (t) {
				svgw__attr(d->w, "d", "M1 1L9 5L1 9");
				svgw__attr(d->w, "fill", "none");
				svgw__attr(d->w, "stroke", "%s", fam_arrow_color[f]);
				svgw__attr(d->w, "stroke-width", "1.6");
			} else {
				svgw__attr(d->w, "d", "M0 0L10 5L0 10z");
				svgw__attr(d->w, "fill", "%s", fam_arrow_color[f]);
			}
			svgw__close(d->w);
			svgw__close(d->w);
		}
	}
	svgw__close(d->w);
}

/* Lane and bar heights by the number of lanes, the first that fits. */
static const struct {
	size_t lanes;
	double lane_h, bar_h, fs;
} lane_sizes[] = {
	{ 2, 96, 44, 1.6 }, { 4, 78, 38, 1.5 }, { 8, 52, 30, 1.25 }, { 16, 30, 22, 1 },
};

static int layout(struct draw *d)
{
	const struct timeline *tl = d->tl;
	const struct model *m = d->m;
	double y, fig_h, legend_h;

	d->lane_h = LANE_H;
	d->bar_h = LANE_H - 8;
	d->fs = 1;
	/* a few lanes: tall, with room between bars for the arrows, readable on a slide */
	for (size_t i = 0; i < sizeof(lane_sizes) / sizeof(lane_sizes[0]); i++)
		if (tl->nlanes <= lane_sizes[i].lanes) {
			d->lane_h = lane_sizes[i].lane_h;
			d->bar_h = lane_sizes[i].bar_h;
			d->fs = lane_sizes[i].fs;
			break;
		}
	/* a crowd of thick arrows would hide the lanes */
	d->afs = tl->narrows <= ARROWS_BIG_MAX ? d->fs : 1;
	d->mark_group = (uint32_t)((tl->nlanes * (uint64_t)tl->opts.width + MARK_BUDGET - 1) / MARK_BUDGET);
	if (d->mark_group < 1)
		d->mark_group = 1;
	d->tw = tl->opts.width;
	d->x0 = MARGIN + LABEL_W;
	d->page_w = d->x0 + d->tw + MARGIN;
	if (d->page_w < MIN_PAGE_W)
		d->page_w = MIN_PAGE_W;
	d->cell_w = (d->page_w - 2 * MARGIN - FIG_HDR_W - 40 - LEGEND_W) / 2;
	if (d->cell_w < FIG_CELL_W)
		d->cell_w = FIG_CELL_W;
	if (d->cell_w > 400)
		d->cell_w = 400;
	d->ts_unit = m->end_ts - m->start_ts < 1000000 ? 1000
		   : m->end_ts - m->start_ts < 100000000000ull ? 1000000 : 1000000000;
	for (size_t i = 0; i < m->nchannels; i++)
		if (chan_listed(d, &m->channels[i]))
			d->fam_used[kind_family(m->channels[i].kind)] = true;

	d->title_split = title_split(d);
	y = MARGIN + 18 + 20 + (d->title_split ? 22 : 0) + ((m->lost_events || d->note) ? 18 : 0);
	d->y_axis = y + AXIS_H;
	d->y_lanes = d->y_axis + 10;
	d->lane_y = calloc(tl->nlanes ? tl->nlanes : 1, sizeof(double));
	if (!d->lane_y)
		return -ENOMEM;
	y = d->y_lanes;
	for (size_t i = 0; i < tl->nlanes; i++) {
		if (tl->lanes[i].first_of_process && i)
			y += PROC_GAP;
		d->lane_y[i] = y;
		y += d->lane_h;
	}
	if (tl->nlanes == 0)
		y += d->lane_h;
	d->y_lanes_end = y;
	y += tl->nlanes > 16 ? 36 : 16;
	d->y_table = y;
	y += 24 + ROW_H * (1 + (d->ntable ? d->ntable : 1)) + (d->table_more ? ROW_H : 0) + 24;
	d->y_fig = y;
	d->y_legend = y;
	fig_h = 60 + 2 * fig_cell_h(d) + 22;
	legend_h = 36 + LEGEND_LINE_H * (legend_lines(d) - 4) + 6 + 14 * 4;
	y += (fig_h > legend_h ? fig_h : legend_h) + MARGIN;
	d->page_h = y;
	return 0;
}

int svg__draw(const struct model *m, const struct trace_meta *meta, const struct timeline *tl,
	      const struct svg_opts *opts, const char *note, FILE *out)
{
	static const struct svg_opts no_opts;
	struct draw d = {
		.m = m, .meta = meta, .tl = tl, .opts = opts ? opts : &no_opts, .note = note,
	};
	int err;

	err = pick_table(&d);
	if (!err)
		err = pick_figure(&d);
	if (!err)
		err = layout(&d);
	if (err)
		goto out;
	d.w = svgw__new(out);
	if (!d.w) {
		err = -ENOMEM;
		goto out;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	svgw__open(d.w, "svg");
	svgw__attr(d.w, "xmlns", "http://www.w3.org/2000/svg");
	svgw__attr_num(d.w, "width", d.page_w);
	svgw__attr_num(d.w, "height", d.page_h);
	svgw__attr(d.w, "viewBox", "0 0 %.0f %.0f", d.page_w, d.page_h);
	svgw__attr(d.w, "font-family", "sans-serif");
	svgw__open(d.w, "title");
	svgw__text(d.w, "ipctrace: ");
	svgw__text_trunc(d.w, d.opts->title ? d.opts->title : meta && meta->cmdline[0] ? meta->cmdline : "trace", 200);
	svgw__close(d.w);
	/* for screen readers: what the picture shows, in one sentence */
	svgw__open(d.w, "desc");
	svgw__textf(d.w, "A timeline of %zu threads: when each ran in user space, was in a syscall, blocked, "
		    "runnable or polling; arrows for %" PRIu64 " transfers and %" PRIu64 " wakeups between them; "
		    "a table of %zu channels; how each process waited; %" PRIu64 " events lost.",
		    tl->nlanes, tl->stats.transfers, tl->stats.wakes, d.ntable, m->lost_events);
	svgw__close(d.w);
	write_defs(&d);
	rect(&d, NULL, 0, 0, d.page_w, d.page_h);
	svgw__attr(d.w, "fill", "#FFFFFF");
	svgw__close(d.w);
	draw_title(&d);
	draw_axis(&d, d.y_axis, false);
	draw_lanes(&d);
	if (tl->nlanes > 16)
		draw_axis(&d, d.y_lanes_end + 8, true);
	draw_lost(&d);
	draw_table(&d);
	draw_figure(&d);
	draw_legend(&d);
	svgw__close(d.w);
	err = svgw__free(d.w);
	if (!err && fflush(out))
		err = -errno;
out:
	free(d.lane_y);
	free(d.table_chans);
	free(d.fig);
	return err;
}

int svg__render(struct trace_reader *r, const struct svg_opts *opts, FILE *out)
{
	static const struct svg_opts no_opts;
	struct model_opts mo = { 0 };
	struct timeline_opts to = { 0 };
	struct timeline *tl = NULL;
	struct model *names, *pass2 = NULL;
	const char *note = NULL;
	int err;

	if (!opts)
		opts = &no_opts;
	names = model__from_reader(r, NULL);
	if (!names)
		return errno ? -errno : -ENOMEM;
	err = trace_reader__rewind(r);
	if (err)
		goto out;
	to.width = opts->width ? opts->width : DEFAULT_WIDTH;
	to.from = names->start_ts + opts->from_ns;
	to.to = opts->to_ns ? names->start_ts + opts->to_ns : names->end_ts;
	if (to.to > names->end_ts)
		to.to = names->end_ts;
	if (to.from > to.to)
		to.from = to.to;
	to.pids = opts->pids;
	to.npids = opts->npids;
	to.chans = opts->chans;
	to.nchans = opts->nchans;
	tl = timeline__new(names, &to);
	if (!tl) {
		err = -ENOMEM;
		goto out;
	}
	timeline__sinks(tl, &mo);
	pass2 = model__from_reader(r, &mo);
	if (!pass2) {
		err = errno ? -errno : -ENOMEM;
		goto out;
	}
	err = timeline__finish(tl);
	if (err)
		goto out;
	if (trace_reader__status(r) != TRACE_OK)
		note = trace_reader__status_msg(r);
	err = svg__draw(names, trace_reader__meta(r), tl, opts, note, out);
out:
	model__free(pass2);
	model__free(names);
	timeline__free(tl);
	return err;
}
