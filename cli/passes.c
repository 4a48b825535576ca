// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pass behind render and export: the output's sinks and the critical path's ride one pass. */
#include <errno.h>
#include <stdint.h>
#include "critical_path.h"
#include "load.h"
#include "passes.h"
#include "perfetto.h"
#include "svg.h"
#include "trace.h"

/*
 * tid's collector for its path over [from, to] (absolute; 0, 0: its life), its sinks in mo;
 * NULL with errno (ESRCH: no such thread). Without a window the pass reads the trace l->model
 * was made of, and the path is walked while it reads: the collector holds only the stretches
 * the walk can still reach, not every one of the window.
 */
static struct cp_collector *cp_start(const struct model_load *l, uint32_t tid, uint64_t from,
				     uint64_t to, struct model_opts *mo)
{
	struct cp_collector *c;

	if (model_load__windowed(l)) {
		c = cp_collector__for(l->model, tid, from, to);
	} else if (!model__thread(l->model, tid)) {
		errno = ESRCH;
		return NULL;
	} else {
		c = cp_collector__stream(tid, from > l->start ? from - l->start : 0,
					 to > l->start ? to - l->start : 0, SIZE_MAX);
	}
	if (c)
		cp_collector__sinks(c, mo);
	return c;
}

struct critical_path *passes__path_again(struct model_load *l, struct cp_collector **c,
					 uint32_t tid, uint64_t from, uint64_t to, size_t keep)
{
	struct model_opts mo = { 0 };
	int err;

	cp_collector__free(*c);
	*c = cp_collector__for(l->model, tid, from, to);
	if (!*c)
		return NULL;
	cp_collector__sinks(*c, &mo);
	err = model_load__pass(l, NULL, &mo);
	if (err) {
		errno = -err;
		return NULL;
	}
	return cp_collector__path_kept(*c, l->model, tid, from, to, keep);
}

/* The path c's pass walked (a streamed walk that did not hold: read again). NULL with errno. */
static struct critical_path *cp_finish(struct model_load *l, struct cp_collector **c,
				       uint32_t tid, uint64_t from, uint64_t to)
{
	struct critical_path *cp;

	if (model_load__windowed(l))
		return cp_collector__path(*c, l->model, tid, from, to);
	cp = cp_collector__stream_path(*c, l->model);
	if (cp || errno != EAGAIN)
		return cp;
	return passes__path_again(l, c, tid, from, to, SIZE_MAX);
}

struct svg_render *passes__svg_riding(struct trace_reader *r, const struct svg_opts *opts,
				      struct model_opts *mo)
{
	struct svg_render *s;
	uint64_t first, last;

	/* a trace whose blocks do not walk gets the SVG's read of its own */
	if (!svg_render__rides(opts) || trace_reader__scan_times(r, &first, &last))
		return NULL;
	s = svg_render__new_ahead(first, last, opts);
	if (s)
		svg_render__sinks(s, mo);
	return s;
}

int passes__svg_from(struct model_load *l, const struct svg_opts *opts, struct svg_render *riding,
		     FILE *out)
{
	int err = riding ? svg_render__settle(riding, l->model, l->start) : -EAGAIN;

	if (!err)
		return svg_render__draw(riding, l->meta, NULL, model_load__damage(l), out);
	return err == -EAGAIN ? passes__svg(l, opts, out) : err;
}

int passes__svg(struct model_load *l, const struct svg_opts *opts, FILE *out)
{
	struct model_opts mo = { 0 }, cmo = { 0 };
	struct cp_collector *coll = NULL;
	struct critical_path *cp = NULL;
	struct svg_render *s;
	uint64_t from, to;
	int err = 0;

	s = svg_render__new(l->model, l->start, opts);
	if (!s)
		return -errno;
	svg_render__sinks(s, &mo);
	svg_render__window(s, &from, &to);
	if (opts && opts->critical_path_tid &&
	    !(coll = cp_start(l, opts->critical_path_tid, from, to, &cmo)))
		err = -errno;
	if (!err)
		err = model_load__pass(l, &mo, coll ? &cmo : NULL);
	if (!err && coll && !(cp = cp_finish(l, &coll, opts->critical_path_tid, from, to)))
		err = -errno;
	if (!err)
		err = svg_render__draw(s, l->meta, cp, model_load__damage(l), out);
	critical_path__free(cp);
	cp_collector__free(coll);
	svg_render__free(s);
	return err;
}

int passes__perfetto(struct model_load *l, const struct perfetto_opts *opts, FILE *out)
{
	static const struct perfetto_opts no_opts;
	struct model_opts mo = { 0 }, cmo = { 0 };
	struct cp_collector *coll = NULL;
	struct critical_path *cp = NULL;
	struct perfetto_json *pj = NULL;
	struct perfetto_proto *pp = NULL;
	int err = 0;

	if (!opts)
		opts = &no_opts;
	/* the path's thread first: one not in the trace is said before anything is written */
	if (opts->critical_path_tid && !(coll = cp_start(l, opts->critical_path_tid, 0, 0, &cmo)))
		return -errno;
	if (opts->json)
		pj = perfetto_json__new(l->model, l->meta, opts->filter, out);
	else
		pp = perfetto_proto__new(l->model, l->meta, opts->filter, out);
	if (!pj && !pp) {
		err = -errno;
		goto out;
	}
	if (pj)
		perfetto_json__sinks(pj, &mo);
	else
		perfetto_proto__sinks(pp, &mo);
	err = model_load__pass(l, &mo, coll ? &cmo : NULL);
	if (!err && coll && !(cp = cp_finish(l, &coll, opts->critical_path_tid, 0, 0)))
		err = -errno;
	if (!err)
		err = pj ? perfetto_json__finish(pj, cp) : perfetto_proto__finish(pp, cp);
out:
	perfetto_json__free(pj);
	perfetto_proto__free(pp);
	critical_path__free(cp);
	cp_collector__free(coll);
	return err;
}
