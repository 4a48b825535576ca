// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace render: the timeline SVG of a trace. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include "cli.h"
#include "svg.h"
#include "trace.h"

int render_svg(struct trace_reader *r, const struct svg_opts *sopts, struct outfile *o,
		      const char *trace_path)
{
	int err;

	err = svg__render(r, sopts, o->f);
	if (err == -ESRCH) {
		errorf("thread %u is not in trace %s: give --critical-path a TID that ipctrace report "
		       "lists", sopts->critical_path_tid, trace_path);
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
		{ "critical-path", required_argument, NULL, 'C' },
		{ "no-graph", no_argument, NULL, 'G' },
		{ "no-group", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	struct filter_args fa = { 0 };
	unsigned long long w;
	const char *out = DEFAULT_SVG;
	struct svg_opts sopts = { 0 };
	struct trace_reader *r = NULL;
	struct outfile o = { 0 };
	int c, ret = EXIT_USAGE, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
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
		case 'C':
			if (parse_u64(optarg, MAX_TRACE_PID, &w) || !w) {
				usage_error("bad thread id '%s' for --critical-path: give a TID from the report",
					    optarg);
				goto out;
			}
			sopts.critical_path_tid = w;
			break;
		case 'G': sopts.no_graph = true; break;
		case 'g': sopts.no_group = true; break;
		case 'h': ret = do_help(0, NULL); goto out;
		default:
			err = filter_args__take(&fa, c == 'p' ? OPT_PID : c, optarg);
			if (err) {
				ret = err < 0 ? getopt_error(c, argv, "render") : err;
				goto out;
			}
		}
	}
	if (optind != argc - 1) {
		usage_error("render needs exactly one TRACE file: see ipctrace --help");
		goto out;
	}
	if (!*out) {
		usage_error("render: -o needs a file name (or - for stdout), not an empty one");
		goto out;
	}
	if (strcmp(out, "-") && same_file(out, argv[optind])) {
		usage_error("render: -o %s is the trace itself: give another name for the SVG", out);
		goto out;
	}
	ret = filter_args__check(&fa);
	if (ret)
		goto out;
	ret = 1;
	sopts.filter = &fa.f;
	sopts.from_ns = fa.f.from_ns;
	sopts.to_ns = fa.f.to_ns;
	sopts.pids = fa.f.pids;
	sopts.npids = fa.f.npids;
	sopts.chans = fa.f.chans;
	sopts.nchans = fa.f.nchans;
	r = open_trace(argv[optind]);
	if (!r)
		goto out;
	if (filter_args__check_trace(&fa, r, argv[optind]))
		goto out;
	if (outfile__open(&o, out, 0666, "SVG", "-o"))
		goto out;
	if (render_svg(r, &sopts, &o, argv[optind]))
		goto out;
	warn_status(r, argv[optind]);
	ret = 0;
out:
	trace_reader__free(r);
	filter_args__free(&fa);
	return ret;
}
