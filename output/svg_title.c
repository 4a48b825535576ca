// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG: the title, what the trace holds, and warnings under it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"
#include "fmt.h"

#define TITLE_CHAR_W 12.5  /* advance of an 18px bold character, a little over DejaVu's 12 */

/* A long --title breaks at the last space that fits: where its first line ends, 0 = it fits. */
size_t svg_title_split(const struct draw *d)
{
	const char *t = d->opts->title;
	size_t maxc = (size_t)((d->page_w - 2 * MARGIN) / TITLE_CHAR_W), chars = 0, split = 0;

	if (!t || utf8_chars(t) <= maxc)
		return 0;
	for (size_t i = 0; t[i] && chars < maxc; i++) {
		if (t[i] == ' ')
			split = i;
		chars += ((unsigned char)t[i] & 0xC0) != 0x80;
	}
	return split;
}

void svg_draw_title(struct draw *d)
{
	const struct model *m = d->m;
	char dur[32], ev[32], lost[32], a[32], b[32], np[48], nt[48], nc[48];
	const char *cmd = d->opts->title ? d->opts->title : d->meta && d->meta->cmdline[0] ? d->meta->cmdline : NULL;
	size_t maxc = (size_t)((d->page_w - 2 * MARGIN) / TITLE_CHAR_W);
	size_t nthreads = 0;
	double y = MARGIN + 18;

	for (size_t i = 0; i < m->nprocesses; i++)
		nthreads += m->processes[i].nthreads;
	svgw__open(d->w, "g");
	svgw__open(d->w, "title");
	svgw__text(d->w, cmd ? cmd : "ipctrace");
	svgw__close(d->w);
	svg_text_at(d, "h1", MARGIN, y);
	if (!d->opts->title) {
		const char *traced = cmd ? strstr(cmd, " -- ") : NULL;

		/* the traced command says more than the recorder's own options */
		if (traced && traced[4])
			cmd = traced + 4;
		svgw__text(d->w, "ipctrace: ");
		/* the prefix takes its share of the line */
		maxc -= maxc > 10 ? 10 : maxc;
	}
	if (d->title_split) {
		char *first = strndup(cmd, d->title_split);

		svgw__text(d->w, first ? first : "");
		free(first);
		svgw__close(d->w);
		y += 22;
		svg_text_at(d, "h1", MARGIN, y);
		cmd += d->title_split + 1;
	}
	svgw__text_trunc(d->w, cmd ? cmd : tr(d->lang, T_NO_CMDLINE), maxc);
	svgw__close(d->w);
	svgw__close(d->w);

	y += 20;
	svgw__open(d->w, "g");
	svgw__element_text(d->w, "title", tr(d->lang, T_TRACE_HOLDS_TIP));
	svg_text_at(d, "sub", MARGIN, y);
	snprintf(np, sizeof(np), trn(d->lang, T_N_PROCESSES_1, m->nprocesses), m->nprocesses);
	snprintf(nt, sizeof(nt), trn(d->lang, T_N_THREADS_1, nthreads), nthreads);
	snprintf(nc, sizeof(nc), trn(d->lang, T_N_CHANNELS_1, m->nchannels), m->nchannels);
	svgw__textf(d->w, tr(d->lang, T_TRACE_SUMMARY), fmt_dur(dur, sizeof(dur), m->end_ts - m->start_ts),
		    fmt_count(ev, sizeof(ev), m->events), np, nt, nc);
	if (d->opts->from_ns || d->opts->to_ns) {
		fmt_window(a, sizeof(a), b, sizeof(b), d->tl->opts.from - m->start_ts,
			   d->tl->opts.to - m->start_ts);
		svgw__textf(d->w, tr(d->lang, T_TRACE_WINDOW), a, b);
	}
	if (d->meta && d->meta->host[0]) {
		svgw__text(d->w, " \xc2\xb7 ");
		svgw__text_trunc(d->w, d->meta->host, 40);
	}
	if (d->meta && d->meta->kernel[0]) {
		svgw__text(d->w, " \xc2\xb7 Linux ");
		svgw__text_trunc(d->w, d->meta->kernel, 40);
	}
	svgw__close(d->w);
	svgw__close(d->w);
	if (m->lost_events || d->note) {
		y += 18;
		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", tr(d->lang, T_NOTHING_DROPPED_TIP));
		svg_text_at(d, "warn", MARGIN, y);
		if (m->lost_events)
			svgw__textf(d->w, tr(d->lang, T_LOST_WARN),
				    fmt_count(lost, sizeof(lost), m->lost_events));
		if (d->note)
			svgw__text(d->w, d->note);
		svgw__close(d->w);
		svgw__close(d->w);
	}
}
