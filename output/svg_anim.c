// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG, --animate: the messages play in time order. SMIL only, no
 * scripts: each arrow is hidden from the start and shown when a cursor
 * sweeping the time axis reaches it. Viewers without SMIL (rsvg-convert,
 * print) ignore both steps and show every arrow, as without --animate.
 */
#include "svg_draw.h"
#include "svg_writer.h"

/* Seconds the sweep takes: long enough to follow a few messages, short for many. */
static double play_seconds(const struct draw *d)
{
	double s = 4 + 0.25 * (double)d->tl->narrows;

	return s < ANIM_MIN_S ? ANIM_MIN_S : s > ANIM_MAX_S ? ANIM_MAX_S : s;
}

/* When the cursor passes x. */
static double begin_at(const struct draw *d, double x)
{
	return (x - d->x0) / (d->tw > 0 ? d->tw : 1) * play_seconds(d);
}

void svg_anim_appear(struct draw *d, double x)
{
	if (!d->opts->animate)
		return;
	svgw__open(d->w, "set");
	svgw__attr(d->w, "attributeName", "opacity");
	svgw__attr(d->w, "to", "0");
	svgw__attr(d->w, "begin", "0s");
	svgw__close(d->w);
	svgw__open(d->w, "set");
	svgw__attr(d->w, "attributeName", "opacity");
	svgw__attr(d->w, "to", "1");
	svgw__attr(d->w, "begin", "%.2fs", begin_at(d, x));
	svgw__close(d->w);
}

void svg_anim_cursor(struct draw *d)
{
	/* nothing to play */
	if (!d->opts->animate || !d->tl->narrows)
		return;
	svgw__open(d->w, "path");
	svgw__attr(d->w, "fill", "none");
	svgw__attr(d->w, "stroke", "#C00000");
	svgw__attr(d->w, "stroke-width", "1.5");
	svgw__attr(d->w, "d", "M%.1f %.1fV%.1f", d->x0, d->y_lanes - 4, d->y_lanes_end);
	svgw__element_text(d->w, "title", tr(d->lang, T_ANIM_CURSOR_TIP));
	svgw__open(d->w, "animateTransform");
	svgw__attr(d->w, "attributeName", "transform");
	svgw__attr(d->w, "type", "translate");
	svgw__attr(d->w, "from", "0 0");
	svgw__attr(d->w, "to", "%.1f 0", d->tw);
	svgw__attr(d->w, "dur", "%.2fs", play_seconds(d));
	svgw__attr(d->w, "fill", "freeze");
	svgw__close(d->w);
	svgw__close(d->w);
}
