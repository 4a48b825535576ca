/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a trace file into the model: the one place that runs the passes
 * over the file (DESIGN.md, "data flow"). The outputs take the model it
 * builds, and the sinks they hand it for what streams per event; none of
 * them sees the file.
 *
 *   struct model_load *l = model_load__open(r, &filter, NULL);  pass 1: the names
 *   ... an output made from l->model and l->meta, its sinks in mo ...
 *   model_load__pass(l, &mo, NULL);                              pass 2: the events again
 *   model_load__free(l);
 *
 * With a window (--from/--to) the names are a model of the window's events
 * whose channels keep the ids the whole trace gives them (the window needs
 * the whole trace's model first: one more read), and every later pass
 * gives its sinks the window's events with those ids.
 */
#ifndef IPCTRACE_MODEL_LOAD_H
#define IPCTRACE_MODEL_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

struct trace_reader;
struct trace_meta;
struct model_filter;
struct model_load_priv;

struct model_load {
	struct model *model;            /* the window's events (the whole trace without one) */
	const struct trace_meta *meta;  /* the trace's header */
	uint64_t start;                 /* the trace's first event, absolute ns: the origin of --from */
	uint64_t from, to;              /* the window, absolute ns (the whole trace without one) */
	struct model_load_priv *priv;
};

/*
 * The names of r read from its start: f's window applied (f may be NULL),
 * mo's sinks fed the events of the last read and its options applied to
 * every read (mo may be NULL). r stays the caller's and must outlive l.
 * NULL with errno on failure.
 */
struct model_load *model_load__open(struct trace_reader *r, const struct model_filter *f,
				    const struct model_opts *mo);
/*
 * One more pass: window's sinks get the window's events (ids as in
 * l->model), whole's sinks every event of the trace (for the critical path,
 * which follows wakers outside any window). One read of the file when there
 * is no window or whole is NULL, else two. Its models only feed sinks
 * (model_opts.sinks_only): the calls a full model makes, without its report.
 * 0 or -errno.
 */
int model_load__pass(struct model_load *l, const struct model_opts *window,
		     const struct model_opts *whole);
/* Whether l reads a window (--from/--to): its model is the window's, not the whole trace's. */
bool model_load__windowed(const struct model_load *l);
/* What went wrong reading the file ("truncated: ..."), NULL when it read to its end. */
const char *model_load__damage(const struct model_load *l);
void model_load__free(struct model_load *l);

#endif /* IPCTRACE_MODEL_LOAD_H */
