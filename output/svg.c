// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The timeline SVG: layout and the drawing order. Layout, top to bottom: title,
 * time axis and one lane per thread grouped by process, the channel table (the
 * seed's IPC table), the sync/async x blocking/non-blocking figure beside the
 * legend. Each part is drawn by its own file (svg_draw.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"
#include "filter.h"
#include "graph_panel.h"
#include "group.h"
#include "svg.h"
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

/* A time since the trace start, in one unit for the whole picture. */
const char *svg_fmt_ts(const struct draw *d, char *b, size_t n, uint64_t ts)
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

double svg_lane_mid(const struct draw *d, size_t lane)
{
	return d->lane_y[lane] + d->lane_h / 2;
}

double svg_xpos(const struct draw *d, uint64_t ts)
{
	double x = timeline__x(d->tl, ts);

	if (x < 0)
		x = 0;
	if (x > d->tw)
		x = d->tw;
	return d->x0 + x;
}

void svg_rect(struct draw *d, const char *cls, double x, double y, double w, double h)
{
	svgw__open(d->w, "rect");
	if (cls)
		svgw__attr(d->w, "class", "%s", cls);
	svgw__attr_num(d->w, "x", x);
	svgw__attr_num(d->w, "y", y);
	svgw__attr_num(d->w, "width", w);
	svgw__attr_num(d->w, "height", h);
}

void svg_text_at(struct draw *d, const char *cls, double x, double y)
{
	svgw__open(d->w, "text");
	if (cls)
		svgw__attr(d->w, "class", "%s", cls);
	svgw__attr_num(d->w, "x", x);
	svgw__attr_num(d->w, "y", y);
}

/* A server's listening socket says so, as in the text report. */
const char *svg_listening_suffix(const struct draw *d, const struct model_channel *c)
{
	return c->listening ? tr(d->lang, T_LISTENING) : "";
}

void svg_chan_desc(const struct draw *d, char *b, size_t n, int id)
{
	const struct model_channel *c = id > 0 ? model__channel(d->m, id) : NULL;

	if (!c) {
		snprintf(b, n, "%s", tr(d->lang, id > 0 ? T_UNNAMED_CHANNEL : T_NO_CHANNEL));
		return;
	}
	snprintf(b, n, "#%d %s %s%s", c->id, kind_name(c->kind), c->name, svg_listening_suffix(d, c));
}

bool svg_host_starts(const struct draw *d, size_t i)
{
	const struct tl_lane *l = &d->tl->lanes[i];

	if (!d->meta || !d->meta->nhosts || !l->first_of_process)
		return false;
	return i == 0 || model_host_of(d->tl->lanes[i - 1].pid) != model_host_of(l->pid);
}

const struct trace_host *svg_host(const struct draw *d, uint32_t pid)
{
	uint32_t h = model_host_of(pid);

	return d->meta && h < d->meta->nhosts ? &d->meta->hosts[h] : NULL;
}

const char *svg_who(const struct draw *d, char *b, size_t n, const char *comm, uint32_t pid,
		    uint32_t *own)
{
	const struct trace_host *h = svg_host(d, pid);

	*own = model_host_pid(pid);
	if (h)
		snprintf(b, n, "%s@%s", comm, h->name);
	else
		snprintf(b, n, "%s", comm);
	return b;
}

bool svg_pid_listed(const struct draw *d, uint32_t pid)
{
	if (d->opts->slide && !svg_slide_pid_shown(d, pid))
		return false;
	if (!d->opts->pids)
		return true;
	for (size_t i = 0; i < d->opts->npids; i++)
		if (d->opts->pids[i] == pid)
			return true;
	return false;
}

bool svg_chan_listed(const struct draw *d, const struct model_channel *c)
{
	if (!timeline__chan_shown(d->tl, c->id))
		return false;
	if (d->opts->slide && !svg_slide_chan_takes_part(c))
		return false;
	if (!d->opts->pids && !d->opts->slide)
		return true;
	for (size_t j = 0; j < c->nendpoints; j++)
		if (svg_pid_listed(d, c->endpoints[j].pid))
			return true;
	return false;
}

/* Lane and bar heights by the number of lanes, the first that fits. */
static const struct {
	size_t lanes;
	double lane_h, bar_h, fs;
} lane_sizes[] = {
	{ 2, 96, 44, 1.6 }, { 4, 78, 38, 1.5 }, { 8, 52, 30, 1.25 }, { 16, 30, 22, 1 },
};

/* Room for each process's label: its role ("postgres: checkpointer") and pid, in its font. */
static double label_width(const struct draw *d, const struct timeline *tl)
{
	double cw = fmin(12 * d->fs, 16) * 0.62, w = LABEL_W;

	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];
		char ids[48];
		double need;

		if (!l->first_of_process)
			continue;
		if (l->tid != l->pid)
			snprintf(ids, sizeof(ids), " %u \xc2\xb7 tid %u", l->pid, l->tid);
		else
			snprintf(ids, sizeof(ids), " %u", l->pid);
		need = (utf8_chars(model__process_role(l->process)) + utf8_chars(ids) + 1) * cw + 6;
		if (need > w)
			w = need;
	}
	return w < LABEL_W_MAX ? w : LABEL_W_MAX;
}

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
	/* whole cells: the timeline keeps cell_cols columns together past its budget */
	d->mark_group = (d->mark_group + tl->cell_cols - 1) / tl->cell_cols * tl->cell_cols;
	if (d->mark_group < 1)
		d->mark_group = 1;
	d->tw = tl->opts.width;
	d->x0 = MARGIN + label_width(d, tl);
	d->page_w = d->x0 + d->tw + MARGIN;
	/* a slide is only as wide as the figure and legend need: the 16:9 frame then enlarges more */
	if (d->page_w < (d->opts->slide ? SLIDE_MIN_PAGE_W : MIN_PAGE_W))
		d->page_w = d->opts->slide ? SLIDE_MIN_PAGE_W : MIN_PAGE_W;
	d->cell_w = (d->page_w - 2 * MARGIN - FIG_HDR_W - 40 - LEGEND_W) / 2;
	if (d->cell_w < FIG_CELL_W)
		d->cell_w = FIG_CELL_W;
	if (d->cell_w > 400)
		d->cell_w = 400;
	d->ts_unit = m->end_ts - m->start_ts < 1000000 ? 1000
		   : m->end_ts - m->start_ts < 100000000000ull ? 1000000 : 1000000000;
	for (size_t i = 0; i < m->nchannels; i++)
		if (svg_chan_listed(d, &m->channels[i]))
			d->fam_used[kind_family(m->channels[i].kind)] = true;

	d->title_split = svg_title_split(d);
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
		if (svg_host_starts(d, i))
			y += HOST_HDR_H;
		d->lane_y[i] = y;
		y += d->lane_h;
	}
	if (tl->nlanes == 0)
		y += d->lane_h;
	d->y_lanes_end = y;
	y += tl->nlanes > 16 ? 36 : 16;
	d->y_cp = y;
	y += svg_cp_summary_lines(d) * 18.0 + (d->opts->critical_path ? 8 : 0);
	if (d->graph) {
		d->y_graph = y;
		y += graph_panel__height(d->graph, d->page_w - 2 * MARGIN) + 20;
	}
	d->y_table = y;
	y += 24 + ROW_H * (1 + (d->ntable ? d->ntable : 1)) + (d->table_more ? ROW_H : 0) + 24;
	d->y_fig = y;
	d->y_legend = y;
	fig_h = 60 + 2 * svg_fig_cell_h(d) + 22;
	legend_h = 36 + LEGEND_LINE_H * svg_legend_lines(d) +
		   (d->opts->slide ? 0 : 6 + LEGEND_NOTE_H * LEGEND_NOTE_LINES);
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
		.lang = opts ? opts->lang : NULL,
	};
	double vx = 0, vy = 0, vw, vh;
	int err;

	/* the table groups siblings as the timeline's lanes do */
	if (!d.opts->no_group && m->nprocesses) {
		d.proc_rep = calloc(m->nprocesses, sizeof(*d.proc_rep));
		d.proc_count = calloc(m->nprocesses, sizeof(*d.proc_count));
		err = !d.proc_rep || !d.proc_count ? -ENOMEM
		      : group__siblings(m, NULL, d.proc_rep, d.proc_count);
		if (err)
			goto out;
	}
	err = svg_pick_table(&d);
	if (!err)
		err = svg_pick_figure(&d);
	/* the panel is a help, not the timeline: without it (or Graphviz) the page still draws */
	if (!err && !d.opts->no_graph)
		d.graph = graph_panel__new(m, d.opts->filter, meta ? meta->host : NULL, d.lang,
					   d.opts->no_group);
	if (!err)
		err = layout(&d);
	if (err)
		goto out;
	d.w = svgw__new(out);
	if (!d.w) {
		err = -ENOMEM;
		goto out;
	}
	vw = d.page_w;
	vh = d.page_h;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	svgw__open(d.w, "svg");
	svgw__attr(d.w, "xmlns", "http://www.w3.org/2000/svg");
	if (d.opts->slide) {
		svg_slide_frame(&d, &vx, &vy, &vw, &vh);
		svgw__attr_num(d.w, "width", SLIDE_PX_W);
		svgw__attr_num(d.w, "height", SLIDE_PX_H);
	} else {
		svgw__attr_num(d.w, "width", vw);
		svgw__attr_num(d.w, "height", vh);
	}
	svgw__attr(d.w, "viewBox", "%.0f %.0f %.0f %.0f", vx, vy, vw, vh);
	svgw__attr(d.w, "font-family", "%s", tr_font(d.lang));
	svgw__open(d.w, "title");
	svgw__text(d.w, "ipctrace: ");
	svgw__text_trunc(d.w, d.opts->title ? d.opts->title : meta && meta->cmdline[0] ? meta->cmdline : "trace", 200);
	svgw__close(d.w);
	/* for screen readers: what the picture shows, in one sentence */
	svgw__open(d.w, "desc");
	svgw__textf(d.w, tr(d.lang, T_SVG_DOC_DESC), tl->nlanes, tl->stats.transfers, tl->stats.wakes, d.ntable, m->lost_events);
	svgw__close(d.w);
	svg_write_defs(&d);
	svg_rect(&d, NULL, vx, vy, vw, vh);
	svgw__attr(d.w, "fill", "#FFFFFF");
	svgw__close(d.w);
	svg_draw_title(&d);
	svg_draw_axis(&d, d.y_axis, false);
	svg_draw_lanes(&d);
	svg_draw_critical_path(&d);
	svg_draw_stuck(&d);
	if (tl->nlanes > 16)
		svg_draw_axis(&d, d.y_lanes_end + 8, true);
	svg_draw_lost(&d);
	if (d.graph)
		graph_panel__draw(d.w, d.graph, MARGIN, d.y_graph, d.page_w - 2 * MARGIN);
	svg_draw_table(&d);
	svg_draw_figure(&d);
	svg_draw_legend(&d);
	svgw__close(d.w);
	err = svgw__free(d.w);
	if (!err && fflush(out))
		err = -errno;
out:
	free(d.lane_y);
	free(d.table_chans);
	free(d.row_chans);
	free(d.row_bytes);
	free(d.row_msgs);
	free(d.proc_rep);
	free(d.proc_count);
	free(d.fig);
	graph_panel__free(d.graph);
	return err;
}

struct svg_render {
	const struct model *names;
	struct svg_opts opts;        /* the caller's, with the channels --kind and --min-bytes chose */
	int *chosen;
	struct timeline *tl;
	uint64_t ahead_first, ahead_last;  /* the trace's span the timeline was made ahead for */
};

/* The timeline's options: the trace spans [start, end], the window is opts' part of it. */
static struct timeline_opts timeline_opts_of(const struct svg_opts *opts, uint64_t start, uint64_t end)
{
	struct timeline_opts to = { 0 };

	to.width = opts->width ? opts->width : opts->slide ? SLIDE_WIDTH : DEFAULT_WIDTH;
	to.from = start + opts->from_ns;
	to.to = opts->to_ns ? start + opts->to_ns : end;
	if (to.to > end)
		to.to = end;
	if (to.from > to.to)
		to.from = to.to;
	to.pids = opts->pids;
	to.npids = opts->npids;
	to.chans = opts->chans;
	to.nchans = opts->nchans;
	to.group = !opts->no_group;
	return to;
}

bool svg_render__rides(const struct svg_opts *opts)
{
	/* a path or channels chosen by what the trace says of them need the model first; a window
	 * (model_load's) gives the sinks ids its own read maps */
	return !opts || !(opts->critical_path_tid || model_filter__chooses_channels(opts->filter) ||
			  model_filter__windowed(opts->filter) || opts->from_ns || opts->to_ns);
}

struct svg_render *svg_render__new_ahead(uint64_t first, uint64_t last, const struct svg_opts *opts)
{
	static const struct svg_opts no_opts;
	struct timeline_opts to;
	struct svg_render *s;

	if (!opts)
		opts = &no_opts;
	if (!svg_render__rides(opts)) {
		errno = EAGAIN;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->opts = *opts;
	s->ahead_first = first;
	s->ahead_last = last;
	to = timeline_opts_of(&s->opts, first, last);
	s->tl = timeline__new_ahead(&to);
	if (!s->tl) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

int svg_render__settle(struct svg_render *s, const struct model *names, uint64_t start)
{
	/* the window guessed ahead is the one the model's pass found, or the columns are not its */
	if (start != s->ahead_first || names->end_ts != s->ahead_last)
		return -EAGAIN;
	s->names = names;
	return timeline__settle(s->tl, names);
}

struct svg_render *svg_render__new(const struct model *names, uint64_t start,
				   const struct svg_opts *opts)
{
	static const struct svg_opts no_opts;
	struct timeline_opts to;
	struct svg_render *s = calloc(1, sizeof(*s));

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->names = names;
	s->opts = opts ? *opts : no_opts;
	opts = &s->opts;
	to = timeline_opts_of(opts, start, names->end_ts);
	if (model_filter__chooses_channels(opts->filter)) {
		/* --kind and --min-bytes choose channels by what the trace says of them */
		s->chosen = calloc(names->nchannels + 1, sizeof(*s->chosen));
		if (!s->chosen)
			goto err;
		to.chans = s->chosen;
		to.nchans = 0;
		for (size_t i = 0; i < names->nchannels; i++)
			if (model_filter__channel(opts->filter, &names->channels[i]))
				s->chosen[to.nchans++] = names->channels[i].id;
		s->opts.chans = s->chosen;
		s->opts.nchans = to.nchans;
	}
	s->tl = timeline__new(names, &to);
	if (!s->tl)
		goto err;
	return s;
err:
	svg_render__free(s);
	errno = ENOMEM;
	return NULL;
}

void svg_render__sinks(struct svg_render *s, struct model_opts *mo)
{
	timeline__sinks(s->tl, mo);
}

void svg_render__window(const struct svg_render *s, uint64_t *from, uint64_t *to)
{
	*from = s->tl->opts.from;
	*to = s->tl->opts.to;
}

int svg_render__draw(struct svg_render *s, const struct trace_meta *meta,
		     const struct critical_path *cp, const char *note, FILE *out)
{
	int err = timeline__finish(s->tl);

	if (!err && s->opts.slide)
		err = svg_slide_participants(s->tl);
	if (err)
		return err;
	s->opts.critical_path = cp;
	return svg__draw(s->names, meta, s->tl, &s->opts, note, out);
}

void svg_render__free(struct svg_render *s)
{
	if (!s)
		return;
	timeline__free(s->tl);
	free(s->chosen);
	free(s);
}
