/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pass behind render and export: which output's sinks ride the pass
 * over a loaded trace (model/load.h), and the critical path's collector
 * with them. Apart from the subcommands so the unit tests and the fuzzer
 * run exactly what the CLI runs.
 *
 *   l = model_load__open(r, &filter, NULL);     the names (check the filters on l->model)
 *   err = passes__svg(l, &sopts, out);          or passes__perfetto(l, &popts, out)
 */
#ifndef IPCTRACE_CLI_PASSES_H
#define IPCTRACE_CLI_PASSES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct model_load;
struct model_filter;
struct svg_opts;

/* The timeline SVG into out. 0 or -errno; -ESRCH: opts->critical_path_tid is not in the trace. */
int passes__svg(struct model_load *l, const struct svg_opts *opts, FILE *out);

struct perfetto_opts {
	bool json;                   /* Trace Event JSON; else Perfetto's protobuf trace */
	uint32_t critical_path_tid;  /* a "critical path" track for this thread; 0 = none */
	const struct model_filter *filter;  /* the filters l was loaded with; NULL = everything */
};

/* The Perfetto export into out. 0 or -errno; -ESRCH (nothing written): no such critical_path_tid. */
int passes__perfetto(struct model_load *l, const struct perfetto_opts *opts, FILE *out);

#endif /* IPCTRACE_CLI_PASSES_H */
