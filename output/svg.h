/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The timeline SVG: lanes per thread, transfers and wakeups, the IPC table
 * and the sync/async x blocking/non-blocking figure. */
#ifndef IPCTRACE_SVG_H
#define IPCTRACE_SVG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"
#include "trace_meta.h"

struct lang;
struct critical_path;
struct model_filter;

struct svg_opts {
	unsigned width;          /* px of the timeline area; 0 = default (1200) */
	uint64_t from_ns, to_ns; /* window, relative to trace start; to_ns 0 = end */
	const uint32_t *pids;    /* only these processes; NULL = all */
	size_t npids;
	const int *chans;        /* only these channel ids; NULL = all */
	size_t nchans;
	const char *title;       /* NULL = from the trace's command line */
	const struct lang *lang; /* words people read (lang.h); NULL = English */
	bool slide;              /* 16:9, large, only what takes part (svg_slide.c) */
	bool animate;            /* messages play in time order (SMIL, svg_anim.c) */
	uint32_t critical_path_tid;  /* mark this thread's critical path (the caller's pass); 0 = none */
	const struct critical_path *critical_path;  /* svg__draw: the path to mark, NULL = none */
	/* the shared filters (filter.h); pids, chans and the window above are set from it */
	const struct model_filter *filter;
	bool no_graph;           /* no communication-graph panel */
	bool no_group;           /* every process and thread on lanes of its own (group.h) */
};

/*
 * The SVG of the trace names models (a finished model, start its first
 * event's time): a timeline that takes a pass's events through its sinks,
 * then draws them with the names.
 *
 *   s = svg_render__new(names, start, &opts);
 *   svg_render__sinks(s, &mo);  ... a pass over the same trace with mo (load.h) ...
 *   svg_render__draw(s, meta, cp, note, out);   cp: the path to mark, NULL = none
 *   svg_render__free(s);
 */
struct svg_render;
struct svg_render *svg_render__new(const struct model *names, uint64_t start,
				   const struct svg_opts *opts);
/*
 * The same SVG made ahead, its sinks riding the pass that builds the names:
 * first and last are the trace's first and last event's times as guessed
 * before that pass (trace_reader__scan_times). NULL with errno EAGAIN when
 * opts need the names first (a critical path, channels chosen by --kind or
 * --min-bytes, a window), ENOMEM.
 *
 *   s = svg_render__new_ahead(first, last, &opts);  svg_render__sinks(s, &mo);
 *   ... the names' pass with mo ...
 *   if (svg_render__settle(s, names, start) == 0) svg_render__draw(s, ...);
 *   else: -EAGAIN, the guess or what was held failed (timeline.h): svg_render__new and a pass
 */
/* Whether an SVG of opts can be made ahead (else svg_render__new_ahead gives EAGAIN). */
bool svg_render__rides(const struct svg_opts *opts);
struct svg_render *svg_render__new_ahead(uint64_t first, uint64_t last, const struct svg_opts *opts);
/* The names (start: their first event's time) the ahead render rode. 0, -EAGAIN or -ENOMEM. */
int svg_render__settle(struct svg_render *s, const struct model *names, uint64_t start);
void svg_render__sinks(struct svg_render *s, struct model_opts *mo);
/* The window the timeline draws, absolute ns: the span a critical path marked on it covers. */
void svg_render__window(const struct svg_render *s, uint64_t *from, uint64_t *to);
/* After the pass: draw. note (may be NULL) is shown under the title. 0 or -errno. */
int svg_render__draw(struct svg_render *s, const struct trace_meta *meta,
		     const struct critical_path *cp, const char *note, FILE *out);
void svg_render__free(struct svg_render *s);

struct timeline;
/*
 * Draw from a first-pass model m and a timeline (timeline.h) filled by a
 * second pass; note (may be NULL) is shown under the title, e.g. a damaged
 * trace's status. svg_render__draw is this after its pass. 0 or -errno.
 */
int svg__draw(const struct model *m, const struct trace_meta *meta, const struct timeline *tl,
	      const struct svg_opts *opts, const char *note, FILE *out);

#endif
