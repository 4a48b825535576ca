/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The report: the model as text for people, or as the JSON of DESIGN.md. */
#ifndef IPCTRACE_REPORT_H
#define IPCTRACE_REPORT_H

#include <stdio.h>
#include "model.h"
#include "trace_meta.h"

struct lang;

/* Text report: summary, the IPC table, per-endpoint modes, wakeups, threads. */
/* The text report; l gives the words people read (lang.h), NULL = English. */
int report__text(const struct model *m, const struct trace_meta *meta, const struct lang *l, FILE *out);
/* One JSON object, the contract of DESIGN.md plus extra fields. */
int report__json(const struct model *m, const struct trace_meta *meta, FILE *out);
/* The same, its "trace" object also saying how reading the file went (NULL: not said). */
int report__json_read(const struct model *m, const struct trace_meta *meta,
		      const struct trace_reading *reading, FILE *out);

#endif
