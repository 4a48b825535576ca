// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: transfer and wakeup arrows between lanes, and their channel labels.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

static void arrow_title(struct draw *d, const struct tl_arrow *a)
{
	const struct tl_lane *s = &d->tl->lanes[a->src], *t = &d->tl->lanes[a->dst];
	char ch[IPCT_NAME_LEN * 2 + 64], t0[48], t1[48], cnt[32], by[32], l0[32], l1[32];
	char sw[IPCT_COMM_LEN + 64], tw[IPCT_COMM_LEN + 64];
	uint32_t stid, ttid;

	svg_who(d, sw, sizeof(sw), s->thread->comm, s->tid, &stid);
	svg_who(d, tw, sizeof(tw), t->thread->comm, t->tid, &ttid);

	svg_chan_desc(d, ch, sizeof(ch), a->chan);
	svg_fmt_ts(d, t0, sizeof(t0), a->src_ts);
	svgw__open(d->w, "title");
	if (a->type == TL_TRANSFER) {
		svg_fmt_ts(d, t1, sizeof(t1), a->dst_ts);
		if (a->count == 1)
			svgw__textf(d->w, tr(d->lang, T_TRANSFER_TIP),
				    ch, sw, stid, tw, ttid,
				    fmt_bytes(by, sizeof(by), a->bytes), t0, t1);
		else
			svgw__textf(d->w, tr(d->lang, T_TRANSFERS_MERGED_TIP),
				    fmt_count(cnt, sizeof(cnt), a->count), d->tl->arrow_cols, sw, stid,
				    tw, ttid, ch, a->mixed ? tr(d->lang, T_AND_OTHER_CHANNELS) : "",
				    fmt_bytes(by, sizeof(by), a->bytes), t0,
				    svg_fmt_ts(d, t1, sizeof(t1), a->last_ts),
				    fmt_dur(l0, sizeof(l0), a->min_lat), fmt_dur(l1, sizeof(l1), a->max_lat));
	} else {
		if (a->count == 1)
			svgw__textf(d->w, tr(d->lang, T_WAKEUP_TIP),
				    sw, stid, tw, ttid, t0, ch);
		else
			svgw__textf(d->w, tr(d->lang, T_WAKEUPS_MERGED_TIP),
				    fmt_count(cnt, sizeof(cnt), a->count), d->tl->arrow_cols, sw, stid,
				    tw, ttid, ch, a->mixed ? tr(d->lang, T_AND_OTHER_CHANNELS) : "",
				    t0, svg_fmt_ts(d, t1, sizeof(t1), a->last_ts));
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
	*x1 = svg_xpos(d, a->src_ts);
	*x2 = svg_xpos(d, a->dst_ts);
	*y1 = svg_lane_mid(d, a->src);
	*y2 = svg_lane_mid(d, a->dst);
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
		const struct model_channel *c = a->chan > 0 ? model__channel(d->m, a->chan) : NULL;
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
		svg_text_at(d, "al", lx, ly);
		svgw__text(d->w, txt);
		svgw__open(d->w, "title");
		svgw__textf(d->w, tr(d->lang, T_CHANNEL_LABEL_TIP), c->id, kind_name(c->kind), c->name);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}

void svg_draw_arrows(struct draw *d)
{
	const struct timeline *tl = d->tl;

	svgw__open(d->w, "g");
	for (size_t i = 0; i < tl->narrows; i++) {
		const struct tl_arrow *a = &tl->arrows[i];
		const struct model_channel *c = a->chan > 0 ? model__channel(d->m, a->chan) : NULL;
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
		svg_anim_appear(d, x1);
		svgw__close(d->w);
	}
	draw_arrow_labels(d);
	svg_anim_cursor(d);
	svgw__close(d->w);
}
