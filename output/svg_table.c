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

static int cmp_row_weight(const void *a, const void *b, void *draw)
{
	const struct draw *d = draw;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int ix = d->m->channels[d->table_chans[x]].id, iy = d->m->channels[d->table_chans[y]].id;

	if (d->row_msgs[x] != d->row_msgs[y])
		return d->row_msgs[x] > d->row_msgs[y] ? -1 : 1;
	if (d->row_bytes[x] != d->row_bytes[y])
		return d->row_bytes[x] > d->row_bytes[y] ? -1 : 1;
	return ix < iy ? -1 : ix > iy;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Keep the rows order[0..n) (the busiest), in their first order (ids ascending). */
static void compact_rows(struct draw *d, size_t *order, size_t n)
{
	qsort(order, n, sizeof(*order), cmp_size);
	for (size_t i = 0; i < n; i++) {
		d->table_chans[i] = d->table_chans[order[i]];
		d->row_chans[i] = d->row_chans[order[i]];
		d->row_bytes[i] = d->row_bytes[order[i]];
		d->row_msgs[i] = d->row_msgs[order[i]];
	}
}

/* "kind|rep:rw,..." of a channel: rows of one signature are one row ("400 channels"). */
static void row_signature(const struct draw *d, const struct model_channel *c, char *b, size_t n)
{
	uint64_t keys[64];
	size_t nk = 0, o;

	for (size_t j = 0; j < c->nendpoints && nk < 64; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		const struct model_process *p = model__process(d->m, e->pid);
		uint32_t rep = p ? d->m->processes[d->proc_rep[p - d->m->processes]].pid : e->pid;
		uint64_t k = (uint64_t)rep << 2 | (e->sends ? 2 : 0) | (e->recvs ? 1 : 0);

		/* insertion sort, dropping repeats: siblings on one channel count once */
		size_t at = nk;

		while (at && keys[at - 1] > k)
			at--;
		if (at && keys[at - 1] == k)
			continue;
		memmove(&keys[at + 1], &keys[at], (nk - at) * sizeof(keys[0]));
		keys[at] = k;
		nk++;
	}
	o = (size_t)snprintf(b, n, "%u|", c->kind);
	for (size_t i = 0; i < nk && o + 24 < n; i++)
		o += (size_t)snprintf(b + o, n - o, "%llx,", (unsigned long long)keys[i]);
}

/* Channels of one kind between the same groups of processes: one row with a count. */
static int merge_rows(struct draw *d, size_t *n)
{
	const struct model *m = d->m;
	char (*sig)[256] = calloc(*n + 1, sizeof(*sig));
	size_t out = 0;

	if (!sig)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		const struct model_channel *c = &m->channels[d->table_chans[i]];
		size_t r;

		row_signature(d, c, sig[out], sizeof(sig[out]));
		for (r = 0; r < out && strcmp(sig[r], sig[out]); r++)
			;
		if (r == out) {
			d->table_chans[out] = d->table_chans[i];
			d->row_chans[out] = 0;
			d->row_bytes[out] = d->row_msgs[out] = 0;
			out++;
		}
		d->row_chans[r]++;
		d->row_bytes[r] += channel_bytes(c);
		d->row_msgs[r] += c->messages;
	}
	*n = out;
	free(sig);
	return 0;
}

int svg_pick_table(struct draw *d)
{
	const struct model *m = d->m;
	size_t n = 0;

	d->table_chans = calloc(m->nchannels ? m->nchannels : 1, sizeof(size_t));
	d->row_chans = calloc(m->nchannels ? m->nchannels : 1, sizeof(*d->row_chans));
	d->row_bytes = calloc(m->nchannels ? m->nchannels : 1, sizeof(*d->row_bytes));
	d->row_msgs = calloc(m->nchannels ? m->nchannels : 1, sizeof(*d->row_msgs));
	if (!d->table_chans || !d->row_chans || !d->row_bytes || !d->row_msgs)
		return -ENOMEM;
	for (size_t i = 0; i < m->nchannels; i++)
		if (svg_chan_listed(d, &m->channels[i]))
			d->table_chans[n++] = i;
	if (d->proc_rep) {
		int err = merge_rows(d, &n);

		if (err)
			return err;
	} else {
		for (size_t i = 0; i < n; i++) {
			d->row_chans[i] = 1;
			d->row_bytes[i] = channel_bytes(&m->channels[d->table_chans[i]]);
			d->row_msgs[i] = m->channels[d->table_chans[i]].messages;
		}
	}
	if (n > TABLE_MAX_ROWS) {
		/* the busiest rows, then in id order; the rest are counted */
		size_t *order = malloc(n * sizeof(*order));

		if (!order)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		qsort_r(order, n, sizeof(size_t), cmp_row_weight, d);
		d->table_more = 0;
		for (size_t i = TABLE_MAX_ROWS; i < n; i++)
			d->table_more += d->row_chans[order[i]];
		compact_rows(d, order, TABLE_MAX_ROWS);
		free(order);
		n = TABLE_MAX_ROWS;
	}
	d->ntable = n;
	return 0;
}

/* "20 × task-child (w)" for a group of siblings (as its lane says), "collector 21645 (rw)" alone. */
static void endpoints_text(const struct draw *d, const struct model_channel *c, char *b, size_t n)
{
	size_t o = 0;

	b[0] = '\0';
	for (size_t j = 0; j < c->nendpoints && o + 1 < n; j++) {
		const struct model_endpoint *e = &c->endpoints[j];
		const char *rw = e->sends && e->recvs ? "rw" : e->sends ? "w" : e->recvs ? "r" : "-";
		const struct model_process *p = model__process(d->m, e->pid);
		size_t pi = p ? (size_t)(p - d->m->processes) : 0, rep = p && d->proc_rep ? d->proc_rep[pi] : pi;
		uint32_t same = 0;
		bool shown = false;
		char who[IPCT_COMM_LEN + 64];
		uint32_t pid;
		int k;

		/* a group is written once, where its first member comes, with the count on the channel */
		for (size_t i = 0; p && d->proc_rep && i < c->nendpoints; i++) {
			const struct model_process *q = model__process(d->m, c->endpoints[i].pid);
			const struct model_endpoint *f = &c->endpoints[i];
			const char *frw = f->sends && f->recvs ? "rw" : f->sends ? "w" : f->recvs ? "r" : "-";

			if (!q || d->proc_rep[q - d->m->processes] != rep || strcmp(frw, rw))
				continue;
			if (i < j)
				shown = true;
			same++;
		}
		if (shown)
			continue;
		svg_who(d, who, sizeof(who), e->comm, e->pid, &pid);
		/* the group's size, as its lane says it, even where one member used this channel */
		if (same && d->proc_count[rep] > 1)
			k = snprintf(b + o, n - o, "%s%u \xc3\x97 %s (%s)", o ? ", " : "", d->proc_count[rep],
				     who, rw);
		else
			k = snprintf(b + o, n - o, "%s%s %u (%s)", o ? ", " : "", who, pid, rw);
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
		char sb[32], rb[32], bn[32], who[IPCT_COMM_LEN + 64];
		uint32_t pid;

		svg_who(d, who, sizeof(who), e->comm, e->pid, &pid);
		svgw__textf(d->w, tr(d->lang, T_ENDPOINT_TIP),
			    who, pid, e->sends, fmt_bytes(sb, sizeof(sb), e->bytes_sent),
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
		fmt_bytes(cells[7], sizeof(cells[7]), d->row_bytes[r]);
		fmt_count(cells[8], sizeof(cells[8]), d->row_msgs[r]);
		endpoints_text(d, c, ep, sizeof(ep));
		vals[0] = cells[0];
		vals[1] = kind_name(c->kind);
		if (d->row_chans[r] > 1)
			snprintf(cells[2], sizeof(cells[2]), tr(d->lang, T_TABLE_ROW_GROUP), d->row_chans[r],
				 c->name[0] ? c->name : "-", svg_listening_suffix(d, c));
		else
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

				snprintf(cls, sizeof(cls), "k%d", kind_family(c->kind));
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
