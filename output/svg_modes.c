// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the seed's section 3 figure, each process on each channel placed by how it waited.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

struct fig_entry {
	int mode;
	uint32_t pid;
	const char *comm;
	const struct model_channel *chan;
	uint64_t calls, ns;
	bool dominant;
};

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

int svg_pick_figure(struct draw *d)
{
	const struct model *m = d->m;
	size_t n = 0, cap = 16, per[MODE_COUNT] = { 0 };

	d->fig = malloc(cap * sizeof(*d->fig));
	if (!d->fig)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!svg_chan_listed(d, c))
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];

			if (!svg_pid_listed(d, e->pid))
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

static const enum text_id mode_title[MODE_COUNT] = {
	T_MODE_TITLE_SYNC_BLOCKING, T_MODE_TITLE_SYNC_NONBLOCKING, T_MODE_TITLE_ASYNC_BLOCKING,
	T_MODE_TITLE_ASYNC_NONBLOCKING,
};

static const enum text_id mode_desc[MODE_COUNT] = {
	T_MODE_DESC_SYNC_BLOCKING, T_MODE_DESC_SYNC_NONBLOCKING, T_MODE_DESC_ASYNC_BLOCKING,
	T_MODE_DESC_ASYNC_NONBLOCKING,
};

double svg_fig_cell_h(const struct draw *d)
{
	return 40 + FIG_LINE_H * d->fig_lines;
}

/* Endpoints that moved data and never waited: the seed's 2.2 "no waiting". */
static void draw_no_wait(struct draw *d, double x, double y, double w)
{
	const char *head = tr(d->lang, T_NEVER_WAITED_HEAD);
	char line[1024], more[64];
	/* room after the heading and for a " + N more" */
	size_t o = 0, n = 0, shown = 0, maxc = (size_t)(w / CHAR_W) - escape__xml_width(head) - 12;

	line[0] = '\0';
	for (size_t i = 0; i < d->ntable; i++) {
		const struct model_channel *c = &d->m->channels[d->table_chans[i]];

		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];
			char who[IPCT_COMM_LEN + 64];
			bool waited = false;
			uint32_t pid;
			int k;

			for (int mo = 0; mo < MODE_COUNT; mo++)
				waited |= e->mode_calls[mo] || e->mode_ns[mo];
			if (waited || !(e->sends + e->recvs) || !svg_pid_listed(d, e->pid))
				continue;
			n++;
			svg_who(d, who, sizeof(who), e->comm, e->pid, &pid);
			k = snprintf(line + o, sizeof(line) - o, tr(d->lang, T_NEVER_WAITED_ITEM), shown ? ", " : "",
				     who, pid, c->id, kind_name(c->kind));
			if (k > 0 && o + (size_t)k < maxc && o + (size_t)k < sizeof(line)) {
				o += (size_t)k;
				shown++;
			} else {
				line[o] = '\0';
			}
		}
	}
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_NEVER_WAITED_TIP));
	svg_text_at(d, "fe", x, y);
	svgw__text(d->w, head);
	if (!n)
		svgw__text(d->w, tr(d->lang, T_NOBODY));
	svgw__text_trunc(d->w, line, maxc);
	if (n > shown) {
		snprintf(more, sizeof(more), tr(d->lang, T_N_MORE), n - shown);
		svgw__text(d->w, more);
	}
	svgw__close(d->w);
	svgw__close(d->w);
}

void svg_draw_figure(struct draw *d)
{
	double x0 = MARGIN, y0 = d->y_fig, ch = svg_fig_cell_h(d);
	const char *colh[2] = { tr(d->lang, T_FIG_COL_SYNC), tr(d->lang, T_FIG_COL_ASYNC) };
	const char *cols[2] = { tr(d->lang, T_FIG_COL_SYNC_SUB), tr(d->lang, T_FIG_COL_ASYNC_SUB) };
	const char *rowh[2] = { tr(d->lang, T_FIG_ROW_BLOCKING), tr(d->lang, T_FIG_ROW_NONBLOCKING) };
	const char *rows[2] = { tr(d->lang, T_FIG_ROW_BLOCKING_SUB), tr(d->lang, T_FIG_ROW_NONBLOCKING_SUB) };

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_FIG_TIP));
	svg_text_at(d, "h2", x0, y0 + 14);
	svgw__text(d->w, tr(d->lang, T_FIG_HEAD));
	svgw__close(d->w);
	/* the waits of a process's threads add up: more than the trace's length is no error */
	svg_text_at(d, "fs", x0 + FIG_HDR_W + 2 * d->cell_w, y0 + 14);
	svgw__attr(d->w, "text-anchor", "end");
	svgw__text(d->w, tr(d->lang, T_FIG_SUMS));
	svgw__close(d->w);
	for (int c = 0; c < 2; c++) {
		double cx = x0 + FIG_HDR_W + c * d->cell_w + d->cell_w / 2;

		svg_text_at(d, "fh", cx, y0 + 40);
		svgw__attr(d->w, "text-anchor", "middle");
		svgw__text(d->w, colh[c]);
		svgw__close(d->w);
		svg_text_at(d, "fs", cx, y0 + 53);
		svgw__attr(d->w, "text-anchor", "middle");
		svgw__text(d->w, cols[c]);
		svgw__close(d->w);
	}
	for (int r = 0; r < 2; r++) {
		double cy = y0 + 60 + r * ch + ch / 2;

		svg_text_at(d, "fh", x0, cy - 2);
		svgw__text(d->w, rowh[r]);
		svgw__close(d->w);
		svg_text_at(d, "fs", x0, cy + 11);
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
			char cls[8], calls[32], ncalls[64], dur[32], line[256];

			for (k = 0; k < d->nfig; k++)
				total += d->fig[k].mode == mo;
			svgw__open(d->w, "g");
			svgw__open(d->w, "title");
			svgw__textf(d->w, "%s (%s): %s", tr(d->lang, mode_title[mo]), mode_name(mo), tr(d->lang, mode_desc[mo]));
			svgw__close(d->w);
			/* quadrants somebody is in stand out */
			svg_rect(d, total ? "cellon" : "cell", x + 2, y + 2, d->cell_w - 4, ch - 4);
			svgw__close(d->w);
			svg_text_at(d, "ch", x + 10, y + 18);
			svgw__text(d->w, tr(d->lang, mode_title[mo]));
			svgw__close(d->w);
			svg_text_at(d, "cd", x + 10, y + 31);
			svgw__text(d->w, tr(d->lang, mode_desc[mo]));
			svgw__close(d->w);
			svgw__close(d->w);
			for (k = 0; k < d->nfig; k++) {
				const struct fig_entry *f = &d->fig[k];
				double ly = y + 46 + shown * FIG_LINE_H;
				char who[IPCT_COMM_LEN + 64];
				uint32_t pid;

				if (f->mode != mo)
					continue;
				if (shown + 1 == d->fig_lines && total > d->fig_lines) {
					svg_text_at(d, "fe", x + 10, ly);
					svgw__textf(d->w, tr(d->lang, T_PLUS_N_MORE), total - shown);
					svgw__open(d->w, "title");
					svgw__textf(d->w, tr(d->lang, T_FIG_MORE_TIP), total - shown);
					svgw__close(d->w);
					svgw__close(d->w);
					break;
				}
				svg_who(d, who, sizeof(who), f->comm, f->pid, &pid);
				svgw__open(d->w, "g");
				svgw__open(d->w, "title");
				svgw__textf(d->w, tr(d->lang, T_FIG_ENTRY_TIP),
					    who, pid, f->chan->id, kind_name(f->chan->kind), f->chan->name,
					    fmt_count(calls, sizeof(calls), f->calls), fmt_dur(dur, sizeof(dur), f->ns),
					    f->dominant ? tr(d->lang, T_FIG_DOMINANT) : "");
				svgw__close(d->w);
				snprintf(cls, sizeof(cls), "k%d", kind_family(f->chan->kind));
				svgw__open(d->w, "circle");
				svgw__attr(d->w, "class", "%s", cls);
				svgw__attr_num(d->w, "cx", x + 14);
				svgw__attr_num(d->w, "cy", ly - 4);
				svgw__attr(d->w, "r", "4");
				svgw__close(d->w);
				svg_text_at(d, f->dominant ? "feb" : "fe", x + 23, ly);
				snprintf(ncalls, sizeof(ncalls), trn(d->lang, T_N_CALLS_1, f->calls), calls);
				snprintf(line, sizeof(line), tr(d->lang, T_FIG_ENTRY),
					 who, pid, f->chan->id, kind_name(f->chan->kind),
					 svg_listening_suffix(d, f->chan), ncalls,
					 f->ns ? ", " : "", f->ns ? dur : "");
				svgw__text_trunc(d->w, line, (size_t)((d->cell_w - 32) / (CHAR_W + 0.5)));
				svgw__close(d->w);
				svgw__close(d->w);
				shown++;
			}
			if (total == 0) {
				svg_text_at(d, "fn", x + 10, y + 46);
				svgw__text(d->w, tr(d->lang, T_NOBODY));
				svgw__element_text(d->w, "title", tr(d->lang, T_FIG_EMPTY_TIP));
				svgw__close(d->w);
			}
		}
	}
	draw_no_wait(d, x0, y0 + 60 + 2 * ch + 14, FIG_HDR_W + 2 * d->cell_w);
}
