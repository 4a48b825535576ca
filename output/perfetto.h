/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Export to Perfetto: its protobuf trace, or the Trace Event JSON that chrome://tracing opens too. */
#ifndef IPCTRACE_PERFETTO_H
#define IPCTRACE_PERFETTO_H

#include <stdio.h>
#include "trace.h"

/* Streams every span, transfer (flow) and wakeup (flow) of r as JSON. 0 or -errno. */
int perfetto__export(struct trace_reader *r, FILE *out);
/* The same as Perfetto's protobuf trace (perfetto_proto.c). 0 or -errno. */
int perfetto__export_proto(struct trace_reader *r, FILE *out);

struct model;
struct model_span;
/* A span's slice name into name; its category, or NULL for a span not exported. */
const char *perfetto__span_name(const struct model *names, const struct model_span *s, char *name,
				size_t n);
/* "transfer #3 pipe": a flow's name. */
void perfetto__flow_name(const struct model *names, char *b, size_t n, const char *what, int chan);

#endif
