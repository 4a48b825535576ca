// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The critical path over the timeline (render --critical-path): a band along
 * each step on the lane of the thread it charges (dashed where the walk ends),
 * the hand-over arrows (waker to woken) emphasised, and its summary listed
 * under the lanes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"
#include "critical_path_report.h"
#include "fmt.h"
#include "lang.h"
#include "svg.h"
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"

#define CP_PAD 3.0           /* the band stands this far out of the lane's bar */
#define CP_LINE_H 18.0
#define CP_TOP_N 4           /* threads and channels listed in the summary */
/* Connectors of one kind between the same two lanes stand at least this far apart:
 * a ping-pong hands over thousands of times, and an arrow per pixel column painted
 * the space between its lanes solid red. A drawn arrow's tooltip counts the rest. */
#define CP_CONNECTOR_GAP_PX 8.0


size_t svg_cp_summary_lines(const struct draw *d)
{
	return d->opts->critical_path ? 4 : 0;
}

const char *svg_cp_css(void)
{
	return ".cpb{fill:#C00000;fill-opacity:0.16;stroke:#C00000;stroke-width:1.6}"
	       ".cpe{fill:#C00000;fill-opacity:0.08;stroke:#C00000;stroke-width:1.6;stroke-dasharray:4 3}"
	       ".cph{fill:none;stroke:#C00000;stroke-width:3;marker-end:url(#cpa)}"
	       ".cpj{fill:none;stroke:#C00000;stroke-width:1;stroke-dasharray:2 2}"
	       ".cps{font-size:12px;fill:#C00000;font-weight:bold}.cpt{font-size:11px;fill:#333}";
}

static double xat(const struct draw *f, uint64_t ts)
{
	return svg_xpos(f, ts);
}

static double mid(const struct draw *f, int lane)
{
	return svg_lane_mid(f, (size_t)lane);
}

static const char *comm_of(const struct model *m, uint32_t tid)
{
	const struct model_thread *t = model__thread(m, tid);

	return t && t->comm[0] ? t->comm : "?";
}

/* A step as its tooltip says it: "cp-relay 42: timer in nanosleep, 20.05 ms". */
static void step_text(const struct draw *f, const struct cp_step *s, char *b, size_t n)
{
	const struct model_channel *c = s->chan ? model__channel(f->m, s->chan) : NULL;
	const char *mode = mode_name(s->mode);
	char len[32];
	size_t o;

	fmt_dur(len, sizeof(len), s->end - s->start);
	o = (size_t)snprintf(b, n, "critical path: %s %u: %s", comm_of(f->m, s->tid), s->tid,
			     cp_state_name(s->state));
	if (s->op && s->op < IPCT_OP_MAX && o < n)
		o += (size_t)snprintf(b + o, n - o, " in %s", op_name(s->op));
	if (c && o < n)
		o += (size_t)snprintf(b + o, n - o, " on #%d %s", c->id, kind_name(c->kind));
	if (mode && o < n)
		o += (size_t)snprintf(b + o, n - o, " (%s)", mode);
	if (s->via && o < n)
		o += (size_t)snprintf(b + o, n - o, tr(f->lang, T_CP_SVG_VIA), s->via);
	if (o < n)
		snprintf(b + o, n - o, ", %s", len);
}

static bool ends_walk(const struct cp_step *s)
{
	return s->state != CP_RUNNING && s->state != CP_RUNNABLE;
}

struct band {
	int lane;
	double xa, xb;
	bool end;
	size_t first, n;
};

static void band_flush(const struct draw *f, const struct critical_path *cp, struct band *b)
{
	char t[512], more[64];
	double top;

	if (b->lane < 0 || !b->n)
		return;
	top = mid(f, b->lane) - f->bar_h / 2 - CP_PAD;
	svgw__open(f->w, "rect");
	svgw__attr(f->w, "class", "%s", b->end ? "cpe" : "cpb");
	svgw__attr_num(f->w, "x", b->xa);
	svgw__attr_num(f->w, "y", top);
	svgw__attr_num(f->w, "width", b->xb - b->xa < 1 ? 1 : b->xb - b->xa);
	svgw__attr_num(f->w, "height", f->bar_h + 2 * CP_PAD);
	step_text(f, &cp->steps[b->first], t, sizeof(t));
	if (b->n > 1) {
		snprintf(more, sizeof(more), tr(f->lang, T_CP_SVG_MORE), b->n - 1);
		strncat(t, more, sizeof(t) - strlen(t) - 1);
	}
	svgw__element_text(f->w, "title", t);
	svgw__close(f->w);
	b->n = 0;
}

static void marker(const struct draw *f)
{
	svgw__open(f->w, "defs");
	svgw__open(f->w, "marker");
	svgw__attr(f->w, "id", "cpa");
	svgw__attr(f->w, "viewBox", "0 0 10 10");
	svgw__attr(f->w, "refX", "9");
	svgw__attr(f->w, "refY", "5");
	svgw__attr(f->w, "markerWidth", "9");
	svgw__attr(f->w, "markerHeight", "9");
	svgw__attr(f->w, "markerUnits", "userSpaceOnUse");
	svgw__attr(f->w, "orient", "auto");
	svgw__open(f->w, "path");
	svgw__attr(f->w, "d", "M0 0L10 5L0 10z");
	svgw__attr(f->w, "fill", "#C00000");
	svgw__close(f->w);
	svgw__close(f->w);
	svgw__close(f->w);
}

/* Where the path moves from one lane to another: a hand-over arrow, or a dashed jump;
 * more: the hand-overs between the same two lanes this arrow stands for. */
static void connector(const struct draw *f, const struct cp_step *a, int la, const struct cp_step *b,
		      int lb, size_t more)
{
	double x = xat(f, b->start), y1 = mid(f, la), y2 = mid(f, lb);
	double gap = f->bar_h / 2 + CP_PAD;
	char t[256], m[96];

	svgw__open(f->w, "path");
	svgw__attr(f->w, "class", "%s", a->handover ? "cph" : "cpj");
	/* from the edge of one band to the edge of the other */
	svgw__attr(f->w, "d", "M%.1f %.1fL%.1f %.1f", x, y1 + (y2 > y1 ? gap : -gap), x,
		   y2 + (y2 > y1 ? -gap : gap));
	if (a->handover) {
		snprintf(t, sizeof(t), tr(f->lang, T_CP_SVG_HANDOVER), comm_of(f->m, a->tid), a->tid, comm_of(f->m, b->tid),
			 b->tid);
		if (more) {
			snprintf(m, sizeof(m), tr(f->lang, T_CP_SVG_MORE_HANDOVERS), more);
			strncat(t, m, sizeof(t) - strlen(t) - 1);
		}
		svgw__element_text(f->w, "title", t);
	}
	svgw__close(f->w);
}

/*
 * A connector not yet drawn: the first of a run between two lanes, with the
 * later ones of its kind closer than CP_CONNECTOR_GAP_PX to it counted in `more`.
 */
struct pending {
	int from, to; /* lanes; from < 0: none */
	double x;
	size_t step;  /* the step the path moves to; it moves from the one before */
	size_t more;
};

static void pending_flush(const struct draw *f, const struct critical_path *cp, struct pending *p)
{
	if (p->from < 0)
		return;
	connector(f, &cp->steps[p->step - 1], p->from, &cp->steps[p->step], p->to, p->more);
	p->from = -1;
}

static void draw_path(const struct draw *f, const struct critical_path *cp)
{
	/* the band open on each lane, of each look (running, waiting): a path that goes back
	 * and forth between lanes within a pixel makes one band on each, not one per step */
	struct band *open = calloc(f->tl->nlanes * 2 + 1, sizeof(*open));
	char t[512];
	int prev_lane = -1;
	/* the connector pending for each pair of lanes and kind (its slot: a hash of them) */
	struct pending pend[128];

	if (!cp || !open) {
		free(open);
		return;
	}
	for (size_t i = 0; i < sizeof(pend) / sizeof(pend[0]); i++)
		pend[i].from = -1;
	svgw__open(f->w, "g");
	svgw__attr(f->w, "id", "critical-path");
	svgw__element_text(f->w, "title", cp_report__summary(f->m, cp, f->lang, t, sizeof(t)));
	marker(f);
	for (size_t i = 0; i < cp->nsteps; i++) {
		const struct cp_step *s = &cp->steps[i];
		int lane = timeline__lane(f->tl, s->tid);
		struct band *b;
		double xa, xb;

		if (lane < 0 || (size_t)lane >= f->tl->nlanes || s->end < f->tl->opts.from ||
		    s->start > f->tl->opts.to) {
			prev_lane = -1;
			continue;
		}
		xa = xat(f, s->start);
		xb = xat(f, s->end);
		/* steps closer than a pixel on one lane, of one look, make one band */
		b = &open[(size_t)lane * 2 + ends_walk(s)];
		if (b->n && xa - b->xb < 1) {
			if (xb > b->xb)
				b->xb = xb;
			b->n++;
		} else {
			band_flush(f, cp, b);
			*b = (struct band){ .lane = lane, .xa = xa, .xb = xb, .end = ends_walk(s),
					    .first = i, .n = 1 };
		}
		/* a connector per CP_CONNECTOR_GAP_PX, pair of lanes and kind, standing for the
		 * ones it hides (a ping-pong's path at 1e7 events would draw a million) */
		if (prev_lane >= 0 && prev_lane != lane) {
			bool over = cp->steps[i - 1].handover;
			struct pending *p = &pend[(((size_t)prev_lane * 31 + (size_t)lane) * 2 + over) %
						  (sizeof(pend) / sizeof(pend[0]))];

			if (p->from == prev_lane && p->to == lane &&
			    cp->steps[p->step - 1].handover == over && xa - p->x < CP_CONNECTOR_GAP_PX) {
				p->more++;
			} else {
				pending_flush(f, cp, p);
				*p = (struct pending){ .from = prev_lane, .to = lane, .x = xa, .step = i };
			}
		}
		prev_lane = lane;
	}
	for (size_t i = 0; i < f->tl->nlanes * 2; i++)
		band_flush(f, cp, &open[i]);
	for (size_t i = 0; i < sizeof(pend) / sizeof(pend[0]); i++)
		pending_flush(f, cp, &pend[i]);
	free(open);
	svgw__close(f->w);
}

static void draw_summary(const struct draw *f, const struct critical_path *cp)
{
	uint64_t win;
	char line[512], part[160];
	double y;

	if (!cp)
		return;
	win = cp->to > cp->from ? cp->to - cp->from : 1;
	y = f->y_cp + 13;
	svgw__open(f->w, "g");
	svgw__element_text(f->w, "title", tr(f->lang, T_CP_SVG_KEY));
	svgw__open(f->w, "text");
	svgw__attr(f->w, "class", "cps");
	svgw__attr_num(f->w, "x", f->x0 - 190);
	svgw__attr_num(f->w, "y", y);
	snprintf(line, sizeof(line), tr(f->lang, T_CP_SVG_TITLE), comm_of(f->m, cp->tid), cp->tid);
	svgw__text(f->w, line);
	svgw__text(f->w, cp_report__summary(f->m, cp, f->lang, line, sizeof(line)));
	svgw__close(f->w);

	y += CP_LINE_H;
	svgw__open(f->w, "text");
	svgw__attr(f->w, "class", "cpt");
	svgw__attr_num(f->w, "x", f->x0 - 190);
	svgw__attr_num(f->w, "y", y);
	svgw__text(f->w, tr(f->lang, T_CP_SVG_THREADS));
	for (size_t i = 0; i < cp->nby_thread && i < CP_TOP_N; i++) {
		snprintf(part, sizeof(part), "%s%s %u %.0f%%", i ? " \xc2\xb7 " : "",
			 comm_of(f->m, cp->by_thread[i].tid), cp->by_thread[i].tid,
			 100.0 * cp->by_thread[i].ns / win);
		svgw__text(f->w, part);
	}
	svgw__close(f->w);

	y += CP_LINE_H;
	svgw__open(f->w, "text");
	svgw__attr(f->w, "class", "cpt");
	svgw__attr_num(f->w, "x", f->x0 - 190);
	svgw__attr_num(f->w, "y", y);
	svgw__text(f->w, tr(f->lang, T_CP_SVG_CHANNELS));
	if (!cp->nby_channel)
		svgw__text(f->w, "-");
	for (size_t i = 0; i < cp->nby_channel && i < CP_TOP_N; i++) {
		const struct model_channel *c = model__channel(f->m, cp->by_channel[i].chan);

		snprintf(part, sizeof(part), "%s#%d %s %.0f%%", i ? " \xc2\xb7 " : "",
			 cp->by_channel[i].chan, c ? kind_name(c->kind) : "?",
			 100.0 * cp->by_channel[i].ns / win);
		svgw__text(f->w, part);
	}
	svgw__close(f->w);

	y += CP_LINE_H;
	svgw__open(f->w, "text");
	svgw__attr(f->w, "class", "note");
	svgw__attr_num(f->w, "x", f->x0 - 190);
	svgw__attr_num(f->w, "y", y);
	svgw__text(f->w, tr(f->lang, T_CP_SVG_KEY));
	svgw__close(f->w);
	svgw__close(f->w);
}

void svg_draw_critical_path(struct draw *d)
{
	if (!d->opts->critical_path)
		return;
	draw_path(d, d->opts->critical_path);
	draw_summary(d, d->opts->critical_path);
}
