// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace render: the timeline SVG of a trace. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "load.h"
#include "passes.h"
#include "svg.h"
#include "trace.h"

int render_svg(struct model_load *l, const struct svg_opts *sopts, struct svg_render *riding,
	       struct outfile *o, const char *trace_path)
{
	int err = passes__svg_from(l, sopts, riding, o->f);

	if (err == -ESRCH) {
		errorf("thread %u is not in trace %s: give --critical-path a TID that ipctrace report "
		       "lists", sopts->critical_path_tid, trace_path);
		outfile__abort(o);
		return err;
	}
	if (err == -EFBIG) {
		errno = EFBIG;
		model_failed(trace_path);
		outfile__abort(o);
		return err;
	}
	if (err)
		return outfile__failed(o, err, "drawing the SVG from", trace_path);
	return outfile__commit(o);
}

int do_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "width", required_argument, NULL, 'W' },
		{ "title", required_argument, NULL, 't' },
		{ "lang", required_argument, NULL, 'L' },
		{ "slide", no_argument, NULL, 'S' },
		{ "animate", no_argument, NULL, 'A' },
		{ "critical-path", required_argument, NULL, OPT_CRITICAL_PATH },
		{ "no-graph", no_argument, NULL, 'G' },
		{ "no-group", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	struct output_args a = { .sub = "render", .out = DEFAULT_SVG };
	struct svg_opts sopts = { 0 };
	struct svg_render *riding = NULL;
	struct model_opts mo = { 0 };
	struct trace_reader *r = NULL;
	struct model_load *l = NULL;
	struct outfile o = { 0 };
	unsigned long long w;
	int c, ret = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'W':
			if (parse_u64(optarg, 1000000, &w) || w < 100) {
				usage_error("bad width '%s' for --width: give pixels, 100 to 1000000", optarg);
				goto out;
			}
			sopts.width = w;
			break;
		case 't': sopts.title = optarg; break;
		case 'L':
			if (parse_lang(optarg, &sopts.lang))
				goto out;
			break;
		case 'S': sopts.slide = true; break;
		case 'A': sopts.animate = true; break;
		case 'G': sopts.no_graph = true; break;
		case 'g': sopts.no_group = true; break;
		case 'h': ret = do_help(0, NULL); goto out;
		default:
			ret = output_args__take(&a, c == 'p' ? OPT_PID : c, optarg, argv);
			if (ret)
				goto out;
			ret = EXIT_USAGE;
		}
	}
	ret = output_args__check(&a, argc, argv, "SVG");
	if (ret)
		goto out;
	ret = 1;
	sopts.critical_path_tid = a.critical_path_tid;
	sopts.filter = &a.fa.f;
	sopts.from_ns = a.fa.f.from_ns;
	sopts.to_ns = a.fa.f.to_ns;
	sopts.pids = a.fa.f.pids;
	sopts.npids = a.fa.f.npids;
	sopts.chans = a.fa.f.chans;
	sopts.nchans = a.fa.f.nchans;
	r = open_trace(a.trace);
	/* the timeline rides the names' read when it can: one read of the file */
	if (r)
		riding = passes__svg_riding(r, &sopts, &mo);
	if (!r || !(l = output_args__load(&a, r, riding ? &mo : NULL)))
		goto out;
	if (outfile__open(&o, a.out, 0666, "SVG", "-o"))
		goto out;
	if (render_svg(l, &sopts, riding, &o, a.trace))
		goto out;
	warn_status(r, a.trace);
	ret = 0;
out:
	svg_render__free(riding);
	model_load__free(l);
	trace_reader__free(r);
	output_args__free(&a);
	return ret;
}
