/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Export to Perfetto: its protobuf trace, or the Trace Event JSON that chrome://tracing opens too. */
#ifndef IPCTRACE_PERFETTO_H
#define IPCTRACE_PERFETTO_H

#include <stdint.h>
#include <stdio.h>

struct model;
struct model_filter;
struct model_opts;
struct critical_path;
struct trace_meta;

/*
 * An export of the trace names models (a finished model) as Trace Event
 * JSON, which chrome://tracing opens too: a model sink that streams every
 * span, transfer (flow) and wakeup (flow) the filter f (NULL = all) keeps.
 *
 *   e = perfetto_json__new(names, meta, f, out);   writes the head: processes, threads
 *   perfetto_json__sinks(e, &mo);  ... a pass over the same trace with mo (load.h) ...
 *   perfetto_json__finish(e, cp);                   cp: a critical path track, NULL = none
 *   perfetto_json__free(e);
 */
struct perfetto_json;
struct perfetto_json *perfetto_json__new(const struct model *names, const struct trace_meta *meta,
					const struct model_filter *f, FILE *out);
void perfetto_json__sinks(struct perfetto_json *e, struct model_opts *mo);
/* 0 or -errno (the output could not be written). */
int perfetto_json__finish(struct perfetto_json *e, const struct critical_path *cp);
void perfetto_json__free(struct perfetto_json *e);

/* The same as Perfetto's own protobuf trace (perfetto_proto.c). */
struct perfetto_proto;
struct perfetto_proto *perfetto_proto__new(const struct model *names, const struct trace_meta *meta,
					  const struct model_filter *f, FILE *out);
void perfetto_proto__sinks(struct perfetto_proto *e, struct model_opts *mo);
int perfetto_proto__finish(struct perfetto_proto *e, const struct critical_path *cp);
void perfetto_proto__free(struct perfetto_proto *e);

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
