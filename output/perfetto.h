/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Export to Perfetto: its protobuf trace, or the Trace Event JSON that chrome://tracing opens too. */
#ifndef IPCTRACE_PERFETTO_H
#define IPCTRACE_PERFETTO_H

#include <stdint.h>
#include <stdio.h>
#include "trace.h"

struct model_filter;

struct perfetto_opts {
	uint32_t critical_path_tid;  /* a "critical path" track for this thread; 0 = none */
	const struct model_filter *filter;  /* the shared filters (filter.h); NULL = everything */
};

/* Streams every span, transfer (flow) and wakeup (flow) of r as Trace Event JSON. 0 or -errno. */
int perfetto__export(struct trace_reader *r, FILE *out);
/* The same with options (NULL = none); -ESRCH: no such critical_path_tid. */
int perfetto__export_opts(struct trace_reader *r, const struct perfetto_opts *opts, FILE *out);
/* The same as Perfetto's protobuf trace (perfetto_proto.c). */
int perfetto__export_proto(struct trace_reader *r, const struct perfetto_opts *opts, FILE *out);

struct model;
struct model_span;
struct cp_step;
/* A span's slice name into name; its category, or NULL for a span not exported. */
const char *perfetto__span_name(const struct model *names, const struct model_span *s, char *name,
				size_t n);
struct model_process;
/* A process's name: its comm; in a merged trace "comm @machine (pid N)", N the machine's own. */
void perfetto__process_name(const struct trace_meta *meta, const struct model_process *pr, char *b,
			    size_t n);
/* "transfer #3 pipe": a flow's name. */
void perfetto__flow_name(const struct model *names, char *b, size_t n, const char *what, int chan);
/* "seq 4242: blocked in read #2 pipe (hand-over)": a critical path step's slice name. */
void perfetto__cp_step_name(const struct model *names, const struct cp_step *s, char *b, size_t n);
/* The critical path track's name: "critical path of COMM (tid TID)". */
void perfetto__cp_track_name(const struct model *names, uint32_t tid, char *b, size_t n);

#endif
