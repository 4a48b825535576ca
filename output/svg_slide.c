// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Timeline SVG, --slide: a diagram to show from the back of a room. Only the
 * threads and channels that take part in IPC, the legend reduced to what is
 * drawn, and the page framed 16:9 at 1920x1080, so everything is drawn about
 * 1.5 times larger than on a page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "svg_draw.h"

int svg_slide_participants(struct timeline *tl)
{
	bool *keep = calloc(tl->nlanes ? tl->nlanes : 1, sizeof(*keep));
	int err;

	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < tl->narrows; i++)
		if (tl->arrows[i].chan > 0)
			keep[tl->arrows[i].src] = keep[tl->arrows[i].dst] = true;
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];

		for (size_t k = 0; k < l->nspans && !keep[i]; k++)
			keep[i] = l->spans[k].chan > 0;
		for (uint32_t c = 0; c < l->ncells && !keep[i]; c++)
			keep[i] = l->cells[c].kind != IPCT_KIND_NONE;
	}
	err = timeline__keep_lanes(tl, keep);
	free(keep);
	return err;
}

bool svg_slide_pid_shown(const struct draw *d, uint32_t pid)
{
	for (size_t i = 0; i < d->tl->nlanes; i++)
		if (d->tl->lanes[i].pid == pid)
			return true;
	return false;
}

bool svg_slide_chan_takes_part(const struct model_channel *c)
{
	if (c->messages || c->bytes)
		return true;
	for (size_t j = 0; j < c->nendpoints; j++)
		if (c->endpoints[j].mode != MODE_NONE)
			return true;
	return false;
}

/* Does any lane hold a span of this state (blocked: waiting for a peer or not, as asked)? */
static bool any_state(const struct timeline *tl, int state, int asleep)
{
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct tl_lane *l = &tl->lanes[i];

		for (size_t k = 0; k < l->nspans; k++) {
			const struct tl_span *s = &l->spans[k];
			bool bn = s->chan <= 0 && (s->op == IPCT_OP_NANOSLEEP || s->op == IPCT_OP_OTHER);

			if (s->state == state && (asleep < 0 || bn == asleep))
				return true;
		}
		for (uint32_t c = 0; c < l->ncells; c++)
			if (l->cells[c].n[state] && asleep <= 0)
				return true;
	}
	return false;
}

bool svg_legend_item_drawn(const struct draw *d, const char *what)
{
	const struct timeline *tl = d->tl;

	if (!d->opts->slide || !strcmp(what, "u"))
		return true;
	if (!strcmp(what, "k0"))
		return any_state(tl, SPAN_SYSCALL, -1);
	if (!strcmp(what, "b"))
		return any_state(tl, SPAN_BLOCKED, 0);
	if (!strcmp(what, "bn"))
		return any_state(tl, SPAN_BLOCKED, 1);
	if (!strcmp(what, "r"))
		return any_state(tl, SPAN_RUNNABLE, -1);
	if (!strcmp(what, "p"))
		return any_state(tl, SPAN_POLLING, -1);
	if (!strcmp(what, "lost"))
		return d->m->lost_events != 0;
	if (!strcmp(what, "merged")) {
		for (size_t i = 0; i < tl->nlanes; i++)
			if (tl->lanes[i].cells)
				return true;
		return false;
	}
	for (size_t i = 0; i < tl->narrows; i++)
		if ((tl->arrows[i].type == TL_TRANSFER) == !strcmp(what, "transfer"))
			return true;
	return false;
}

void svg_slide_frame(const struct draw *d, double *x, double *y, double *w, double *h)
{
	*w = d->page_w;
	*h = d->page_h;
	if (*w * 9 > *h * 16)
		*h = *w * 9 / 16;
	else
		*w = *h * 16 / 9;
	/* the page centred in the 16:9 frame */
	*x = -(*w - d->page_w) / 2;
	*y = -(*h - d->page_h) / 2;
}
