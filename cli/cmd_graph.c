// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace graph: who talks to whom, as our SVG or as DOT for Graphviz. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "filter.h"
#include "graph.h"
#include "graph_layout.h"
#include "graph_svg.h"
#include "trace.h"

#define DEFAULT_GRAPH "ipctrace-graph.svg"

static int write_graph(const struct graph *g, bool dot, const struct lang *lang,
		       const struct trace_reader *r, const char *note, FILE *f)
{
	const struct trace_meta *meta = trace_reader__meta(r);
	struct graph_layout *l = NULL;
	int err;

	if (dot)
		return graph_layout__dot(g, lang, f);
	err = graph_layout__new(g, lang, &l);
	if (!err)
		err = graph_svg__page(g, l, lang, meta ? meta->cmdline : NULL, note, f);
	graph_layout__free(l);
	if (!err && fflush(f))
		err = -errno;
	return err;
}

int do_graph(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-group", no_argument, NULL, 'G' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	struct filter_args fa = { 0 };
	struct graph_opts go = { 0 };
	struct model_opts mo = { 0 };
	struct trace_reader *r = NULL;
	struct outfile o = { 0 };
	struct graph *g = NULL;
	struct model *m = NULL;
	const char *out = NULL, *note = NULL;
	const struct lang *lang = NULL;
	bool dot = false;
	int c, ret = EXIT_USAGE, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f':
			if (!strcmp(optarg, "dot")) {
				dot = true;
			} else if (strcmp(optarg, "svg")) {
				usage_error("bad format '%s' for --format: give svg or dot", optarg);
				goto out;
			}
			break;
		case 'G': go.no_group = true; break;
		case 'L':
			if (parse_lang(optarg, &lang))
				goto out;
			break;
		case 'h': ret = do_help(0, NULL); goto out;
		default:
			err = filter_args__take(&fa, c, optarg);
			if (err < 0) {
				ret = getopt_error(c, argv, "graph");
				goto out;
			}
			if (err) {
				ret = err;
				goto out;
			}
		}
	}
	if (optind != argc - 1) {
		usage_error("graph needs exactly one TRACE file: see ipctrace --help");
		goto out;
	}
	if (!out)
		out = dot ? "ipctrace-graph.dot" : DEFAULT_GRAPH;
	if (!*out) {
		usage_error("graph: -o needs a file name (or - for stdout), not an empty one");
		goto out;
	}
	if (strcmp(out, "-") && same_file(out, argv[optind])) {
		usage_error("graph: -o %s is the trace itself: give another name for the graph", out);
		goto out;
	}
	ret = filter_args__check(&fa);
	if (ret)
		goto out;
	ret = 1;
	r = open_trace(argv[optind]);
	if (!r)
		goto out;
	go.filter = &fa.f;
	go.host = trace_reader__meta(r) ? trace_reader__meta(r)->host : NULL;
	g = graph__new(&go);
	if (!g) {
		errorf("out of memory: free some memory");
		goto out;
	}
	graph__sinks(g, &mo);
	m = model_filter__load(r, &mo, &fa.f, NULL);
	if (!m) {
		errorf("reading trace %s failed: %s: free some memory", argv[optind], strerror(errno));
		goto out;
	}
	if (filter_args__check_model(&fa, m, argv[optind]))
		goto out;
	if (graph__build(g, m)) {
		errorf("building the graph of %s failed: out of memory: free some memory", argv[optind]);
		goto out;
	}
	if (trace_reader__status(r) != TRACE_OK)
		note = trace_reader__status_msg(r);
	if (outfile__open(&o, out, 0666, "graph", "-o"))
		goto out;
	err = write_graph(g, dot, lang, r, note, o.f);
	if (err) {
		outfile__failed(&o, err, "drawing the graph of", argv[optind]);
		goto out;
	}
	if (outfile__commit(&o))
		goto out;
	warn_status(r, argv[optind]);
	ret = 0;
out:
	graph__free(g);
	model__free(m);
	trace_reader__free(r);
	filter_args__free(&fa);
	return ret;
}
