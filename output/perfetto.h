/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Export to the Trace Event JSON format that Perfetto UI and chrome://tracing open. */
#ifndef IPCTRACE_PERFETTO_H
#define IPCTRACE_PERFETTO_H

#include <stdint.h>
#include <stdio.h>
#include "trace.h"

struct perfetto_opts {
	uint32_t critical_path_tid;  /* a "critical path" track for this thread; 0 = none */
};

/* Streams every span, transfer (flow) and wakeup (flow) of r. 0 or -errno. */
int perfetto__export(struct trace_reader *r, FILE *out);
/* The same with options (NULL = none); -ESRCH: no such critical_path_tid. */
int perfetto__export_opts(struct trace_reader *r, const struct perfetto_opts *opts, FILE *out);

#endif
