// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the channel table, the seed's IPC table (section 4) as observed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"
#include "lang.h"

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

int svg_pick_table(struct draw *d)
{
	const struct model *m = d->m;
	size_t n = 0;

	d->table_chans = calloc(m->nchannels ? m->nchannels : 1, sizeof(size_t));
	if (!d->table_chans)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++)
		if (svg_chan_listed(d, &m->channels[i]))
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
	svgw__textf(d->w, tr(d->lang, T_CHANNEL_TIP),
		    c->id, kind_name(c->kind), c->name, svg_listening_suffix(d, c),
		    tr_direction(d->lang, c), tr_scope(d->lang, channel_scope(c)),
		    fmt_bytes(by, sizeof(by), channel_bytes(c)), c->messages,
		    svg_fmt_ts(d, t0, sizeof(t0), c->first_ts), svg_fmt_ts(d, t1, sizeof(t1), c->last_ts));
	for (size_t j = 0; j < c->nendpoints; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		char sb[32], rb[32], bn[32];

		svgw__textf(d->w, tr(d->lang, T_ENDPOINT_TIP),
			    e->comm, e->pid, e->sends, fmt_bytes(sb, sizeof(sb), e->bytes_sent),
			    e->recvs, fmt_bytes(rb, sizeof(rb), e->bytes_received), e->blocked,
			    fmt_dur(bn, sizeof(bn), e->blocked_ns), e->eagain,
			    e->mode == MODE_NONE ? tr(d->lang, T_MODE_NEVER_WAITED) : tr_mode(d->lang, e->mode));
	}
	svgw__close(d->w);
}

static const enum text_id dir_help[] = {
	[DIR_NONE] = T_DIR_HELP_NONE,
	[DIR_SIMPLEX] = T_DIR_HELP_SIMPLEX,
	[DIR_HALF_DUPLEX] = T_DIR_HELP_HALF_DUPLEX,
	[DIR_FULL_DUPLEX] = T_DIR_HELP_FULL_DUPLEX,
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
	svgw__element_text(d->w, "title", tr(d->lang, dir_help[dir]));
	svgw__close(d->w);
}

/* An invisible box over the direction cell of a memory channel, to say why it is unseen. */
static void memory_dir_title(struct draw *d, double x, double y)
{
	svg_rect(d, NULL, x, y, 112, ROW_H);
	svgw__attr(d->w, "fill", "none");
	svgw__attr(d->w, "pointer-events", "all");
	svgw__element_text(d->w, "title", tr(d->lang, T_MEMORY_DIR_TIP));
	svgw__close(d->w);
}

/* The glyphs explained, beside the table's heading. */
static void dir_key(struct draw *d, double x, double y)
{
	static const struct {
		enum model_direction dir;
		enum text_id word;
	} k[] = {
		{ DIR_SIMPLEX, T_DIRKEY_SIMPLEX }, { DIR_HALF_DUPLEX, T_DIRKEY_HALF_DUPLEX },
		{ DIR_FULL_DUPLEX, T_DIRKEY_FULL_DUPLEX },
	};

	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_DIRKEY_TIP));
	svg_text_at(d, "lg", x, y + 4);
	svgw__text(d->w, tr(d->lang, T_DIRKEY_HEAD));
	svgw__close(d->w);
	x += 128;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		dir_glyph(d, k[i].dir, x, y);
		svg_text_at(d, "lg", x + 24, y + 4);
		svgw__text(d->w, tr(d->lang, k[i].word));
		svgw__close(d->w);
		x += 24 + CHAR_W * escape__xml_width(tr(d->lang, k[i].word)) + 18;
	}
	svgw__close(d->w);
}

struct column {
	enum text_id head;
	double w;
	bool right;
};

void svg_draw_table(struct draw *d)
{
	double avail = d->page_w - 2 * MARGIN, x, y = d->y_table;
	struct column cols[] = {
		{ T_COL_ID, 34, false }, { T_COL_KIND, 112, false }, { T_COL_NAME, 0, false },
		{ T_COL_MEDIUM, 112, false }, { T_COL_UNIT, 84, false }, { T_COL_DIRECTION, 112, false },
		{ T_COL_SCOPE, 150, false }, { T_COL_BYTES, 80, true }, { T_COL_MESSAGES, 76, true },
		{ T_COL_ENDPOINTS, 0, false },
	};
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	double fixed = 0;

	for (size_t i = 0; i < ncols; i++)
		fixed += cols[i].w;
	cols[2].w = (avail - fixed) * 0.45;
	cols[9].w = avail - fixed - cols[2].w;

	dir_key(d, MARGIN + 330, y + 10);
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_TABLE_TIP));
	svg_text_at(d, "h2", MARGIN, y + 14);
	svgw__text(d->w, tr(d->lang, T_TABLE_HEAD));
	svgw__close(d->w);
	y += 24;
	svg_rect(d, "th", MARGIN, y, avail, ROW_H);
	svgw__close(d->w);
	x = MARGIN;
	for (size_t i = 0; i < ncols; i++) {
		svg_text_at(d, "thd", cols[i].right ? x + cols[i].w - 8 : x + 4, y + 13);
		if (cols[i].right)
			svgw__attr(d->w, "text-anchor", "end");
		svgw__text(d->w, tr(d->lang, cols[i].head));
		svgw__close(d->w);
		x += cols[i].w;
	}
	svgw__close(d->w);
	y += ROW_H;
	if (d->ntable == 0) {
		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", tr(d->lang, T_NO_CHANNEL_TIP));
		svg_text_at(d, "td", MARGIN + 4, y + 13);
		svgw__text(d->w, tr(d->lang, T_NO_CHANNEL_OBSERVED));
		svgw__close(d->w);
		svgw__close(d->w);
	}
	for (size_t r = 0; r < d->ntable; r++, y += ROW_H) {
		const struct model_channel *c = &d->m->channels[d->table_chans[r]];
		char cells[10][IPCT_NAME_LEN * 2 + 16], ep[512];
		const char *vals[10];

		snprintf(cells[0], sizeof(cells[0]), "%d", c->id);
		fmt_bytes(cells[7], sizeof(cells[7]), channel_bytes(c));
		fmt_count(cells[8], sizeof(cells[8]), c->messages);
		endpoints_text(c, ep, sizeof(ep));
		vals[0] = cells[0];
		vals[1] = kind_name(c->kind);
		snprintf(cells[2], sizeof(cells[2]), "%s%s", c->name[0] ? c->name : "-",
			 svg_listening_suffix(d, c));
		vals[2] = cells[2];
		vals[3] = tr_medium(d->lang, kind_medium(c->kind));
		vals[4] = tr_unit(d->lang, kind_unit(c->kind));
		vals[5] = tr_direction(d->lang, c);
		vals[6] = tr_scope(d->lang, channel_scope(c));
		vals[7] = cells[7];
		vals[8] = cells[8];
		vals[9] = ep;
		svgw__open(d->w, "g");
		chan_title(d, c);
		svg_rect(d, r % 2 ? "tr1" : "tr0", MARGIN, y, avail, ROW_H);
		svgw__close(d->w);
		x = MARGIN;
		for (size_t i = 0; i < ncols; i++) {
			double pad;

			if (i == 1) {
				char cls[8];

				snprintf(cls, sizeof(cls), "k%d", svg_kind_family(c->kind));
				svg_rect(d, cls, x + 4, y + 4, 10, 10);
				svgw__close(d->w);
			}
			if (i == 5)
				dir_glyph(d, c->direction, x + 4, y + 9);
			if (i == 5 && c->direction == DIR_NONE && kind_data_in_memory(c->kind))
				memory_dir_title(d, x, y);
			/* room on the left for the kind's swatch and the direction's glyph */
			pad = i == 1 ? 19 : i == 5 && c->direction != DIR_NONE ? 28 : 4;
			svg_text_at(d, "td", cols[i].right ? x + cols[i].w - 8 : x + pad, y + 13);
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
		svgw__element_text(d->w, "title", tr(d->lang, T_TABLE_MORE_TIP));
		svg_text_at(d, "note", MARGIN + 4, y + 13);
		svgw__textf(d->w, tr(d->lang, T_TABLE_MORE),
			    fmt_count(n, sizeof(n), d->table_more));
		svgw__close(d->w);
		svgw__close(d->w);
	}
}
