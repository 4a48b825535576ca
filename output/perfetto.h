/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Export to the Trace Event JSON format that Perfetto UI and chrome://tracing open. */
#ifndef IPCTRACE_PERFETTO_H
#define IPCTRACE_PERFETTO_H

#include <stdio.h>
#include "trace.h"

/* Streams every span, transfer (flow) and wakeup (flow) of r. 0 or -errno. */
int perfetto__export(struct trace_reader *r, FILE *out);

#endif
