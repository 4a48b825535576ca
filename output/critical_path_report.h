/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The critical path for people (text) and scripts (the JSON of DESIGN.md). */
#ifndef IPCTRACE_CRITICAL_PATH_REPORT_H
#define IPCTRACE_CRITICAL_PATH_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "critical_path.h"
#include "model.h"

struct lang;

/*
 * The one-line summary ("73% of reader's time (900 ms of 1.23 s) was spent
 * waiting, 69% through pipe #1, on seq's nanosleep"), unescaped: names in it are the traced
 * programs' own, so each output escapes it. Returns buf.
 */
char *cp_report__summary(const struct model *m, const struct critical_path *cp,
			 const struct lang *l, char *buf, size_t sz);
/*
 * Text in language l (NULL = English): the summary, time by thread and by
 * channel, then at most max_steps steps (0 = all).
 */
int cp_report__text(const struct model *m, const struct critical_path *cp, size_t max_steps,
		    const struct lang *l, FILE *out);
/* JSON (English summary: JSON never changes with the language). */
int cp_report__json(const struct model *m, const struct critical_path *cp, FILE *out);

#endif
