// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the time axis, its grid, and where the kernel lost events.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

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

/* How many ticks from the first multiple of step at or after from up to to: counted, so that
 * no loop adds a step to a time near the end of uint64_t and wraps. */
static uint64_t ticks(uint64_t from, uint64_t to, uint64_t step, uint64_t *first)
{
	uint64_t f = from / step * step;

	if (f < from) {
		if (UINT64_MAX - f < step)
			return 0;
		f += step;
	}
	*first = f;
	return f > to ? 0 : (to - f) / step + 1;
}

void svg_draw_axis(struct draw *d, double y, bool labels_below)
{
	const struct timeline *tl = d->tl;
	uint64_t from = tl->opts.from - d->m->start_ts, to = tl->opts.to - d->m->start_ts;
	uint64_t step = tick_step(to - from, d->tw), t, first, n = ticks(from, to, step, &first);
	char lbl[48];

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_AXIS_TIP));
	svgw__open(d->w, "path");
	svgw__attr(d->w, "class", "axis");
	svgw__attr(d->w, "d", "M%.1f %.1fH%.1f", d->x0, y, d->x0 + d->tw);
	svgw__close(d->w);
	for (uint64_t i = 0; i < n; i++) {
		double x = svg_xpos(d, d->m->start_ts + (t = first + i * step));

		svgw__open(d->w, "path");
		svgw__attr(d->w, "class", "axis");
		svgw__attr(d->w, "d", "M%.1f %.1fv%d", x, y, labels_below ? 4 : -4);
		svgw__close(d->w);
		fmt_tick(lbl, sizeof(lbl), t, step, to);
		svg_text_at(d, "tick", x, labels_below ? y + 14 : y - 7);
		/* a label at the right end would run off the page */
		svgw__attr(d->w, "text-anchor", x > d->x0 + d->tw - 24 ? "end" : "middle");
		svgw__text(d->w, lbl);
		svgw__close(d->w);
	}
	svgw__close(d->w);
}

void svg_draw_grid(struct draw *d)
{
	const struct timeline *tl = d->tl;
	uint64_t from = tl->opts.from - d->m->start_ts, to = tl->opts.to - d->m->start_ts;
	uint64_t step = tick_step(to - from, d->tw), first, n = ticks(from, to, step, &first);
	size_t cap = 64, len = 0;
	char *path = malloc(cap);

	if (!path)
		return;
	path[0] = '\0';
	for (uint64_t i = 0, t = first; i < n; t = first + ++i * step) {
		char seg[64];
		int n = snprintf(seg, sizeof(seg), "M%.1f %.1fV%.1f", svg_xpos(d, d->m->start_ts + t),
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
		svgw__element_text(d->w, "title", tr(d->lang, T_GRID_TIP));
		svgw__close(d->w);
	}
	free(path);
}

void svg_draw_lost(struct draw *d)
{
	const struct timeline *tl = d->tl;
	char cnt[32], t0[48], t1[48];

	for (size_t i = 0; i < tl->nlost; i++) {
		const struct tl_lost *l = &tl->lost[i];
		double x = svg_xpos(d, l->first_ts), x1 = svg_xpos(d, l->last_ts), y = d->y_axis;

		svgw__open(d->w, "g");
		svgw__attr(d->w, "class", "lost");
		svgw__open(d->w, "title");
		svgw__textf(d->w, tr(d->lang, T_LOST_MARK_TIP),
			    fmt_count(cnt, sizeof(cnt), l->count), l->cpu,
			    svg_fmt_ts(d, t0, sizeof(t0), l->first_ts), svg_fmt_ts(d, t1, sizeof(t1), l->last_ts));
		svgw__close(d->w);
		if (x1 - x < 2)
			x1 = x + 2;
		svg_rect(d, NULL, x, y - 2, x1 - x, 4);
		svgw__close(d->w);
		svg_rect(d, NULL, x, d->y_lanes, x1 - x, d->y_lanes_end - d->y_lanes);
		svgw__attr(d->w, "opacity", "0.25");
		svgw__close(d->w);
		svgw__open(d->w, "path");
		svgw__attr(d->w, "d", "M%.1f %.1fl-5 -8h10z", x, y - 1);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}
