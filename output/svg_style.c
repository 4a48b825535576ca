// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the palette of channel kinds, the CSS, hatch patterns and arrowheads.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

/* Diagonal stripes of one colour on white: the blocked and asleep fills. */
static void hatch_pattern(struct draw *d, const char *id, const char *color)
{
	svgw__open(d->w, "pattern");
	svgw__attr(d->w, "id", "%s", id);
	svgw__attr(d->w, "width", "5");
	svgw__attr(d->w, "height", "5");
	svgw__attr(d->w, "patternUnits", "userSpaceOnUse");
	svgw__attr(d->w, "patternTransform", "rotate(45)");
	svg_rect(d, NULL, 0, 0, 5, 5);
	svgw__attr(d->w, "fill", "#FFFFFF");
	svgw__close(d->w);
	svg_rect(d, NULL, 0, 0, 2, 5);
	svgw__attr(d->w, "fill", "%s", color);
	svgw__close(d->w);
	svgw__close(d->w);
}

void svg_write_defs(struct draw *d)
{
	char css[8192];
	size_t o = 0;

	o += snprintf(css + o, sizeof(css) - o,
		"text{font-family:%s;fill:#222}"
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
		tr_font(d->lang), fmin(11 * d->fs, 14), fmin(12 * d->fs, 16), fmin(10 * d->fs, 13), 9 * d->afs, 2.5 * d->afs);
	if (d->meta && d->meta->nhosts)
		o += snprintf(css + o, sizeof(css) - o,
			      ".hostrule{fill:#555}.hostlbl{font-size:12px;font-weight:bold;fill:#333}");
	for (int f = 0; f < FAM_COUNT; f++)
		o += snprintf(css + o, sizeof(css) - o,
			      ".k%d{fill:%s}.t%d{fill:none;stroke:%s;stroke-width:%.1f;marker-end:url(#ta%d)}"
			      ".w%d{fill:none;stroke:%s;stroke-width:%.1f;stroke-dasharray:%.0f %.0f;marker-end:url(#wa%d)}",
			      f, fam_color[f], f, fam_arrow_color[f], 1.3 * d->afs, f, f, fam_arrow_color[f],
			      d->afs, 3 * d->afs, 2 * d->afs, f);
	if (d->opts->critical_path)
		o += snprintf(css + o, sizeof(css) - o, "%s", svg_cp_css());
	svgw__open(d->w, "style");
	svgw__raw(d->w, css);
	svgw__close(d->w);

	svgw__open(d->w, "defs");
	/* names of any length stay in the label column */
	svgw__open(d->w, "clipPath");
	svgw__attr(d->w, "id", "labels");
	svg_rect(d, NULL, 0, 0, d->x0 - 6, d->page_h);
	svgw__close(d->w);
	svgw__close(d->w);
	hatch_pattern(d, "hatch", "#3A3A3A");
	hatch_pattern(d, "hatchlight", "#B4B4B4");
	svgw__open(d->w, "pattern");
	svgw__attr(d->w, "id", "zigzag");
	svgw__attr(d->w, "width", "6");
	svgw__attr(d->w, "height", "6");
	svgw__attr(d->w, "patternUnits", "userSpaceOnUse");
	svg_rect(d, NULL, 0, 0, 6, 6);
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
