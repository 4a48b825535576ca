// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Processes whose title may still come, read again until it does (title_watch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "ipctrace.h"
#include "title_watch.h"

static uint32_t hash_of(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void drop(struct title_watch *tw, size_t i)
{
	memmove(&tw->w[i], &tw->w[i + 1], (tw->n - i - 1) * sizeof(*tw->w));
	tw->n--;
}

int title_watch__add(struct title_watch *tw, pid_t pid, uint64_t now, const char *args, size_t n)
{
	struct title_watched *e = NULL;

	for (size_t i = 0; i < tw->n && !e; i++)
		if (tw->w[i].pid == pid)
			e = &tw->w[i];
	if (!e) {
		if (tw->n == TITLE_WATCH_MAX)
			drop(tw, 0);
		if (tw->n == tw->cap) {
			size_t ncap = tw->cap ? tw->cap * 2 : 16;
			struct title_watched *nw = realloc(tw->w, ncap * sizeof(*nw));

			if (!nw)
				return -ENOMEM;
			tw->w = nw;
			tw->cap = ncap;
		}
		e = &tw->w[tw->n++];
	}
	e->pid = pid;
	e->since = now;
	e->read = args != NULL;
	e->first = args ? hash_of(args, n) : 0;
	return 0;
}

int title_watch__tick(struct title_watch *tw, uint64_t now, const struct title_watch_ops *ops,
		      void *ctx)
{
	char buf[IPCT_ARGS_LEN];
	size_t i = 0, n;
	int err;

	while (i < tw->n) {
		struct title_watched *e = &tw->w[i];
		bool done = now - e->since >= TITLE_SETTLE_NS;
		uint32_t h;

		if (!ops->alive(ctx, e->pid)) {
			drop(tw, i);
			continue;
		}
		if (!ops->read(ctx, e->pid, buf, sizeof(buf), &n) && n) {
			h = hash_of(buf, n);
			if (!e->read || h != e->first) {
				err = ops->emit(ctx, e->pid, buf, n, now);
				if (err)
					return err;
				/* a change since the first read: the title came */
				done |= e->read;
				e->read = true;
				e->first = h;
			}
		}
		if (done)
			drop(tw, i);
		else
			i++;
	}
	return 0;
}

size_t title_watch__count(const struct title_watch *tw)
{
	return tw->n;
}

void title_watch__free(struct title_watch *tw)
{
	free(tw->w);
	tw->w = NULL;
	tw->n = tw->cap = 0;
}
