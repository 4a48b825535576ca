/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The outputs of a trace as the CLI makes them: loaded (model/load.h), then cli/passes.c's pass. */
#ifndef IPCTRACE_TEST_OUTPUTS_OF_H
#define IPCTRACE_TEST_OUTPUTS_OF_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include "load.h"
#include "passes.h"
#include "svg.h"

/* The timeline SVG of r (from its start) into out: 0 or -errno, as passes__svg. */
static inline int svg_of_trace(struct trace_reader *r, const struct svg_opts *opts, FILE *out)
{
	struct model_load *l = model_load__open(r, opts ? opts->filter : NULL, NULL);
	int err;

	if (!l)
		return -errno;
	err = passes__svg(l, opts, out);
	model_load__free(l);
	return err;
}

/*
 * The same SVG as render makes it: its sinks riding the names' read, a second read only when
 * what they held cannot make it (passes.h). *rode (may be NULL): no second read was needed.
 */
static inline int svg_of_trace_riding(struct trace_reader *r, const struct svg_opts *opts, FILE *out,
				      bool *rode)
{
	struct model_opts mo = { 0 };
	struct svg_render *riding = passes__svg_riding(r, opts, &mo);
	struct model_load *l = model_load__open(r, opts ? opts->filter : NULL, riding ? &mo : NULL);
	int err;

	if (!l) {
		err = -errno;
		svg_render__free(riding);
		return err;
	}
	err = passes__svg_from(l, opts, riding, out);
	/* asked again, settling gives the answer it gave the draw */
	if (rode)
		*rode = riding && svg_render__settle(riding, l->model, l->start) == 0;
	svg_render__free(riding);
	model_load__free(l);
	return err;
}

/* The Perfetto Trace Event JSON of r (from its start) into out (opts may be NULL). */
static inline int perfetto_json_of_trace(struct trace_reader *r, const struct perfetto_opts *opts,
					 FILE *out)
{
	struct perfetto_opts o = opts ? *opts : (struct perfetto_opts){ 0 };
	struct model_load *l = model_load__open(r, o.filter, NULL);
	int err;

	if (!l)
		return -errno;
	o.json = true;
	err = passes__perfetto(l, &o, out);
	model_load__free(l);
	return err;
}

#endif /* IPCTRACE_TEST_OUTPUTS_OF_H */
