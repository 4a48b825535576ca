/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pass behind render and export: which output's sinks ride the pass
 * over a loaded trace (model/load.h), and the critical path's collector
 * with them. Apart from the subcommands so the unit tests and the fuzzer
 * run exactly what the CLI runs.
 *
 *   l = model_load__open(r, &filter, NULL);     the names (check the filters on l->model)
 *   err = passes__svg(l, &sopts, out);          or passes__perfetto(l, &popts, out)
 *
 * The SVG may instead ride the names' read (one read of the file, not two):
 *
 *   struct model_opts mo = { 0 };
 *   riding = passes__svg_riding(r, &sopts, &mo);  (NULL: it cannot, mo untouched)
 *   l = model_load__open(r, &filter, &mo);
 *   err = passes__svg_from(l, &sopts, riding, out);   its own read only if riding failed
 *   svg_render__free(riding);
 */
#ifndef IPCTRACE_CLI_PASSES_H
#define IPCTRACE_CLI_PASSES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cp_collector;
struct critical_path;
struct model_load;
struct model_filter;
struct model_opts;
struct svg_opts;
struct svg_render;
struct trace_reader;

/* The timeline SVG into out. 0 or -errno; -ESRCH: opts->critical_path_tid is not in the trace. */
int passes__svg(struct model_load *l, const struct svg_opts *opts, FILE *out);
/*
 * An SVG made ahead whose sinks (put in mo) ride the read that loads r's
 * names; NULL when it cannot (a critical path, --chan, --kind, --min-bytes,
 * a window, no whole block to guess the trace's span from).
 */
struct svg_render *passes__svg_riding(struct trace_reader *r, const struct svg_opts *opts,
				      struct model_opts *mo);
/* The SVG from riding if it held (svg.h), else as passes__svg. riding may be NULL; the caller frees it. */
int passes__svg_from(struct model_load *l, const struct svg_opts *opts, struct svg_render *riding,
		     FILE *out);

struct perfetto_opts {
	bool json;                   /* Trace Event JSON; else Perfetto's protobuf trace */
	uint32_t critical_path_tid;  /* a "critical path" track for this thread; 0 = none */
	const struct model_filter *filter;  /* the filters l was loaded with; NULL = everything */
};

/* The Perfetto export into out. 0 or -errno; -ESRCH (nothing written): no such critical_path_tid. */
int passes__perfetto(struct model_load *l, const struct perfetto_opts *opts, FILE *out);

/*
 * Something a streamed walk (*c) had read changed later in the trace (a stretch the kernel
 * reported late, a thread learnt about after its wakeup was walked): *c is replaced by a
 * collector that holds every stretch tid's window [from, to] (absolute) can reach, fed by one
 * more read, and the same path is walked on it, keeping its first keep steps. NULL with errno.
 */
struct critical_path *passes__path_again(struct model_load *l, struct cp_collector **c,
					 uint32_t tid, uint64_t from, uint64_t to, size_t keep);

#endif /* IPCTRACE_CLI_PASSES_H */
