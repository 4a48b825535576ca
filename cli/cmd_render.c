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
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "width", required_argument, NULL, 'W' },
		{ "pid", required_argument, NULL, 'p' },
		{ "chan", required_argument, NULL, 'c' },
		{ "title", required_argument, NULL, 't' },
		{ "lang", required_argument, NULL, 'L' },
		{ "slide", no_argument, NULL, 'S' },
		{ "animate", no_argument, NULL, 'A' },
		{ "critical-path", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long *pids = NULL, *chans = NULL, w;
	size_t npids = 0, nchans = 0, i;
	uint32_t *pid32 = NULL;
	int *chanint = NULL;
	const char *out = DEFAULT_SVG;
	struct svg_opts sopts = { 0 };
	struct trace_reader *r = NULL;
	struct outfile o = { 0 };
	int c, ret = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'F':
			if (parse_time_ns(optarg, &sopts.from_ns)) {
				usage_error("bad time '%s' for --from: give e.g. 1.5, 1.5s, 250ms or 40us", optarg);
				goto out;
			}
			break;
		case 'T':
			if (parse_time_ns(optarg, &sopts.to_ns) || !sopts.to_ns) {
				usage_error("bad time '%s' for --to: give e.g. 2, 2s, 250ms or 40us (> 0)", optarg);
				goto out;
			}
			break;
		case 'W':
			if (parse_u64(optarg, 1000000, &w) || w < 100) {
				usage_error("bad width '%s' for --width: give pixels, 100 to 1000000", optarg);
				goto out;
			}
			sopts.width = w;
			break;
		case 'p':
			if (parse_list(optarg, MAX_PID, &pids, &npids)) {
				usage_error("bad pid list '%s' for --pid: give PIDs separated by commas", optarg);
				goto out;
			}
			break;
		case 'c':
			if (parse_list(optarg, INT_MAX, &chans, &nchans)) {
				usage_error("bad channel list '%s' for --chan: give channel ids (from the report) "
					    "separated by commas", optarg);
				goto out;
			}
			break;
		case 't': sopts.title = optarg; break;
		case 'L':
			if (parse_lang(optarg, &sopts.lang))
				goto out;
			break;
		case 'S': sopts.slide = true; break;
		case 'A': sopts.animate = true; break;
		case 'C':
			if (parse_u64(optarg, MAX_PID, &w) || !w) {
				usage_error("bad thread id '%s' for --critical-path: give a TID from the report",
					    optarg);
				goto out;
			}
			sopts.critical_path_tid = w;
			break;
		case 'h': ret = do_help(0, NULL); goto out;
		default: ret = getopt_error(c, argv, "render"); goto out;
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
	if (sopts.to_ns && sopts.to_ns <= sopts.from_ns) {
		usage_error("bad window: --to must be later than --from");
		goto out;
	}
	ret = 1;
	if (npids) {
		pid32 = calloc(npids, sizeof(*pid32));
		if (!pid32)
			goto out;
		for (i = 0; i < npids; i++)
			pid32[i] = pids[i];
		sopts.pids = pid32;
		sopts.npids = npids;
	}
	if (nchans) {
		chanint = calloc(nchans, sizeof(*chanint));
		if (!chanint)
			goto out;
		for (i = 0; i < nchans; i++)
			chanint[i] = chans[i];
		sopts.chans = chanint;
		sopts.nchans = nchans;
	}
	r = open_trace(argv[optind]);
	if (!r)
		goto out;
	if (outfile__open(&o, out, 0666, "SVG", "-o"))
		goto out;
	if (render_svg(r, &sopts, &o, argv[optind]))
		goto out;
	warn_status(r, argv[optind]);
	ret = 0;
out:
	trace_reader__free(r);
	free(pids);
	free(chans);
	free(pid32);
	free(chanint);
	return ret;
}
