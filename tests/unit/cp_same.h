/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Two critical paths compared field by field (padding bytes are never compared). */
#ifndef IPCTRACE_TEST_CP_SAME_H
#define IPCTRACE_TEST_CP_SAME_H

#include <stdbool.h>
#include <stddef.h>
#include "critical_path.h"

static inline bool cp_same_steps(const struct cp_step *a, const struct cp_step *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].pid != b[i].pid ||
		    a[i].tid != b[i].tid || a[i].chan != b[i].chan || a[i].via != b[i].via ||
		    a[i].waker_pid != b[i].waker_pid || a[i].waker_tid != b[i].waker_tid ||
		    a[i].depth != b[i].depth || a[i].state != b[i].state || a[i].op != b[i].op ||
		    a[i].mode != b[i].mode || a[i].handover != b[i].handover)
			return false;
	return true;
}

static inline bool cp_same_groups(const struct cp_group *a, const struct cp_group *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].chan != b[i].chan || a[i].tid != b[i].tid || a[i].state != b[i].state ||
		    a[i].op != b[i].op || a[i].ns != b[i].ns)
			return false;
	return true;
}

static inline bool cp_same_totals(const struct critical_path *a, const struct critical_path *b)
{
	if (a->nby_thread != b->nby_thread || a->nby_channel != b->nby_channel)
		return false;
	for (size_t i = 0; i < a->nby_thread; i++)
		if (a->by_thread[i].tid != b->by_thread[i].tid || a->by_thread[i].pid != b->by_thread[i].pid ||
		    a->by_thread[i].ns != b->by_thread[i].ns)
			return false;
	for (size_t i = 0; i < a->nby_channel; i++)
		if (a->by_channel[i].chan != b->by_channel[i].chan || a->by_channel[i].ns != b->by_channel[i].ns)
			return false;
	return true;
}

/* The same path: window, every step kept, totals, the summary's groups. */
static inline bool cp_same(const struct critical_path *a, const struct critical_path *b)
{
	return a->pid == b->pid && a->tid == b->tid && a->from == b->from && a->to == b->to &&
	       a->own_ns == b->own_ns && a->nsteps == b->nsteps && a->nkept == b->nkept &&
	       cp_same_steps(a->steps, b->steps, a->nkept) && cp_same_totals(a, b) &&
	       a->ngroups == b->ngroups && a->best == b->best &&
	       cp_same_groups(a->groups, b->groups, a->ngroups);
}

#endif /* IPCTRACE_TEST_CP_SAME_H */
