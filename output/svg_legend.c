// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the legend and the counts of what was drawn, merged and left out.
 */
#include <inttypes.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

static const enum text_id fam_label[FAM_COUNT] = {
	T_FAM_NONE, T_FAM_PIPE, T_FAM_MSG, T_FAM_SHM, T_FAM_SOCK, T_FAM_FILE, T_FAM_SIGNAL,
};

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
			svg_rect(d, m[i], x + i * 5, y - h[i], 4, h[i]);
			svgw__close(d->w);
		}
	} else {
		double h = strcmp(what, "b") == 0 || strcmp(what, "r") == 0 ? SWATCH_H - UNDER_H : SWATCH_H;

		if (strcmp(what, "bn") == 0) {
			svg_rect(d, "k0", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
			h = SWATCH_H - UNDER_H;
		}

		if (h < SWATCH_H) {
			svg_rect(d, "k1", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
		}
		if (strcmp(what, "p") == 0) {
			svg_rect(d, "u", x, y - SWATCH_H, 26, SWATCH_H);
			svgw__close(d->w);
			h = SWATCH_H * 0.5;
		}
		svg_rect(d, what, x, y - SWATCH_H, 26, h);
		svgw__close(d->w);
	}
	svg_text_at(d, "lg", x + 34, y - 1);
	svgw__text(d->w, label);
	svgw__close(d->w);
	svgw__close(d->w);
}

/* The legend's items after the channel families, in order. */
static const struct {
	const char *what;
	enum text_id label;
} states[] = {
	{ "b", T_LG_BLOCKED }, { "bn", T_LG_ASLEEP }, { "r", T_LG_RUNNABLE }, { "p", T_LG_POLLING },
	{ "merged", T_LG_MERGED }, { "transfer", T_LG_TRANSFER }, { "wake", T_LG_WAKE },
	{ "lost", T_LG_LOST },
};

/* A count note on two lines, split after its "; ": six-digit counts run off the page on one. */
static double legend_note(struct draw *d, const char *cls, double x, double y, const char *text)
{
	const char *cut = strstr(text, "; ");

	svg_text_at(d, cls, x, y);
	if (cut) {
		char first[512];

		snprintf(first, sizeof(first), "%.*s", (int)(cut - text) + 1, text);
		svgw__text(d->w, first);
		svgw__close(d->w);
		y += LEGEND_NOTE_H;
		svg_text_at(d, cls, x + LEGEND_NOTE_INDENT, y);
		text = cut + 2;
	}
	svgw__text(d->w, text);
	svgw__close(d->w);
	return y + LEGEND_NOTE_H;
}

size_t svg_legend_lines(const struct draw *d)
{
	size_t n = 1 + svg_legend_item_drawn(d, "k0");

	for (int f = 1; f < FAM_COUNT; f++)
		n += d->fam_used[f];
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		n += svg_legend_item_drawn(d, states[i].what);
	return n;
}

void svg_draw_legend(struct draw *d)
{
	const struct timeline_stats *st = &d->tl->stats;
	double x = MARGIN + FIG_HDR_W + 2 * d->cell_w + 40, y = d->y_legend;
	char a[32], b[32], c[32], e[32], f2[32], n[64], line[512];
	uint64_t tarrows = 0, warrows = 0;

	for (size_t i = 0; i < d->tl->narrows; i++) {
		tarrows += d->tl->arrows[i].type == TL_TRANSFER;
		warrows += d->tl->arrows[i].type == TL_WAKE;
	}
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_LEGEND_TIP));
	svg_text_at(d, "h2", x, y + 14);
	svgw__text(d->w, tr(d->lang, T_LEGEND_HEAD));
	svgw__close(d->w);
	svgw__close(d->w);
	y += 36;
	legend_item(d, x, y, "u", tr(d->lang, T_LG_USER));
	y += LEGEND_LINE_H;
	if (svg_legend_item_drawn(d, "k0")) {
		legend_item(d, x, y, "k0", tr(d->lang, fam_label[FAM_NONE]));
		y += LEGEND_LINE_H;
	}
	for (int f = 1; f < FAM_COUNT; f++) {
		char cls[8];

		if (!d->fam_used[f])
			continue;
		snprintf(cls, sizeof(cls), "k%d", f);
		legend_item(d, x, y, cls, tr(d->lang, fam_label[f]));
		y += LEGEND_LINE_H;
	}
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (!svg_legend_item_drawn(d, states[i].what))
			continue;
		legend_item(d, x, y, states[i].what, tr(d->lang, states[i].label));
		y += LEGEND_LINE_H;
	}
	/* a slide shows the marks, not the bookkeeping */
	if (d->opts->slide)
		return;
	y += 6;

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_COUNTS_TIP));
	snprintf(line, sizeof(line), tr(d->lang, T_COUNTS_SPANS),
		 fmt_count(a, sizeof(a), st->spans_drawn), fmt_count(b, sizeof(b), st->spans_merged),
		 fmt_count(c, sizeof(c), d->merged_marks));
	y = legend_note(d, "note", x, y, line);
	snprintf(n, sizeof(n), trn(d->lang, T_N_ARROWS_1, tarrows), fmt_count(b, sizeof(b), tarrows));
	snprintf(line, sizeof(line), tr(d->lang, T_COUNTS_TRANSFERS), fmt_count(a, sizeof(a), st->transfers), n,
		 fmt_count(c, sizeof(c), st->transfers_hidden), fmt_count(e, sizeof(e), st->transfers_self));
	y = legend_note(d, "note", x, y, line);
	snprintf(n, sizeof(n), trn(d->lang, T_N_ARROWS_1, warrows), fmt_count(f2, sizeof(f2), warrows));
	snprintf(line, sizeof(line), tr(d->lang, T_COUNTS_WAKEUPS), fmt_count(a, sizeof(a), st->wakes), n,
		 fmt_count(b, sizeof(b), st->wakes_irq),
		 fmt_count(c, sizeof(c), st->wakes_hidden), fmt_count(e, sizeof(e), st->wakes_self));
	y = legend_note(d, "note", x, y, line);
	snprintf(n, sizeof(n), trn(d->lang, T_N_RECORDS_1, st->lost_records),
		 fmt_count(f2, sizeof(f2), st->lost_records));
	snprintf(line, sizeof(line), tr(d->lang, T_COUNTS_LOST), fmt_count(a, sizeof(a), d->m->lost_events), n);
	legend_note(d, d->m->lost_events ? "warn" : "note", x, y, line);
	svgw__close(d->w);
}
