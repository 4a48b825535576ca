// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Threads stuck at the stop of the recording, marked where their lane ends:
 * "stuck" (or "deadlock" when in a wait-for cycle), the call, channel, since
 * when and whom it waits for in the tooltip, as the report's stuck section says;
 * only deadlocks and long waits on one channel (worth_a_mark).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lang.h"
#include "stuck.h"
#include "svg.h"
#include "svg_draw.h"
#include "svg_writer.h"
#include "timeline.h"

#define LABEL_CHAR_W 7.4   /* advance of a bold 11px Latin character, generous */
#define LABEL_WIDE_W 11.5  /* ... of a Hangul or CJK one */

/* Width of the label in px, by the kind of its characters. */
static double label_w(const char *s)
{
	double w = 0;
	uint32_t cp;

	while (*s) {
		size_t n = utf8_decode(s, strlen(s), &cp);

		w += n && cp >= 0x1100 ? LABEL_WIDE_W : LABEL_CHAR_W;
		s += n ? n : 1;
	}
	return w;
}

static bool in_cycle(const struct stuck_report *sr, uint32_t tid)
{
	for (size_t i = 0; i < sr->ncycles; i++)
		for (size_t k = 0; k < sr->cycles[i].n; k++)
			if (sr->cycles[i].members[k].tid == tid)
				return true;
	return false;
}

/* "dl-b 3435, ..." or why nobody can be named. */
static void who(const struct draw *d, const struct stuck_thread *s, char *b, size_t n)
{
	size_t o = 0;

	if (!s->nwaiting_for) {
		snprintf(b, n, "? (%s)", s->unknown ? s->unknown : "?");
		return;
	}
	b[0] = '\0';
	for (size_t i = 0; i < s->nwaiting_for && o < n; i++) {
		const struct model_process *p = model__process(d->m, s->waiting_for[i]);

		o += (size_t)snprintf(b + o, n - o, "%s%s %u", i ? ", " : "", p ? p->comm : "?",
				      s->waiting_for[i]);
	}
}

/*
 * A red mark says "look here": a deadlock, or a wait on one channel for at least half the
 * view. An event loop asleep in its poll at the stop is idle, not stuck, and a short wait the
 * stop happened to cut is ordinary; the report still lists both, with how long.
 */
static bool worth_a_mark(const struct draw *d, const struct stuck_thread *s, bool cycle)
{
	uint64_t from = d->tl->opts.from, to = d->tl->opts.to;

	if (cycle)
		return true;
	if (is_poll_op(s->op))
		return false;
	return s->since <= to && to - s->since >= (to - from) / 2;
}

void svg_draw_stuck(struct draw *d)
{
	struct stuck_report *sr;
	size_t marks = 0;

	if (!d->tl->nlanes)
		return;
	sr = stuck__find(d->m);
	if (!sr || !sr->nthreads) {
		stuck__free(sr);
		return;
	}
	for (size_t i = 0; i < sr->nthreads; i++) {
		const struct stuck_thread *s = &sr->threads[i];
		const struct model_thread *t = model__thread(d->m, s->tid);
		const struct model_channel *c = s->chan ? model__channel(d->m, s->chan) : NULL;
		int lane = timeline__lane(d->tl, s->tid);
		char tip[640], chan[160], since[48], whom[256], dl[320];
		const char *label;
		bool cycle;
		double x, y;

		if (lane < 0 || !t || t->last_ts < d->tl->opts.to)
			continue;
		cycle = in_cycle(sr, s->tid);
		if (!worth_a_mark(d, s, cycle))
			continue;
		if (!marks++) {
			svgw__open(d->w, "g");
			svgw__attr(d->w, "id", "stuck");
		}
		label = tr(d->lang, cycle ? T_SVG_DEADLOCKED : T_SVG_STUCK);
		x = svg_xpos(d, d->tl->opts.to) - 12 - label_w(label);
		y = svg_lane_mid(d, (size_t)lane);
		if (c)
			snprintf(chan, sizeof(chan), "#%d %s", c->id, kind_name(c->kind));
		else
			snprintf(chan, sizeof(chan), "-");
		svg_fmt_ts(d, since, sizeof(since), s->since);
		who(d, s, whom, sizeof(whom));
		snprintf(tip, sizeof(tip), tr(d->lang, T_SVG_STUCK_TIP), t->comm, s->tid,
			 op_name(s->op), chan, since, whom);
		if (cycle) {
			snprintf(dl, sizeof(dl), tr(d->lang, T_SVG_DEADLOCK_TIP), whom);
			strncat(tip, dl, sizeof(tip) - strlen(tip) - 1);
		}
		svgw__open(d->w, "g");
		svgw__element_text(d->w, "title", tip);
		svg_rect(d, NULL, x - 4, y - 8, 8 + label_w(label), 16);
		svgw__attr(d->w, "fill", "#C00000");
		svgw__attr(d->w, "rx", "3");
		svgw__close(d->w);
		svg_text_at(d, NULL, x, y + 4);
		/* inline: the page's text rule would win over presentation attributes */
		svgw__attr(d->w, "style", "fill:#FFFFFF;font-size:11px;font-weight:bold");
		svgw__text(d->w, label);
		svgw__close(d->w);
		svgw__close(d->w);
	}
	if (marks)
		svgw__close(d->w);
	stuck__free(sr);
}
