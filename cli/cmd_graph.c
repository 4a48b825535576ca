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
#include "load.h"
#include "trace.h"

#define DEFAULT_GRAPH "ipctrace-graph.svg"

static int write_graph(const struct graph *g, bool dot, const struct lang *lang,
		       const struct trace_meta *meta, const char *note, FILE *f)
{
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
	struct output_args a = { .sub = "graph" };
	struct graph_opts go = { 0 };
	struct model_opts mo = { 0 };
	struct trace_reader *r = NULL;
	struct model_load *l = NULL;
	struct outfile o = { 0 };
	struct graph *g = NULL;
	const struct lang *lang = NULL;
	bool dot = false;
	int c, ret = EXIT_USAGE, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
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
			ret = output_args__take(&a, c, optarg, argv);
			if (ret)
				goto out;
			ret = EXIT_USAGE;
		}
	}
	if (!a.out)
		a.out = dot ? "ipctrace-graph.dot" : DEFAULT_GRAPH;
	ret = output_args__check(&a, argc, argv, "graph");
	if (ret)
		goto out;
	ret = 1;
	r = open_trace(a.trace);
	if (!r)
		goto out;
	go.filter = &a.fa.f;
	go.host = trace_reader__meta(r) ? trace_reader__meta(r)->host : NULL;
	g = graph__new(&go);
	if (!g) {
		errorf("out of memory: free some memory");
		goto out;
	}
	graph__sinks(g, &mo);
	l = output_args__load(&a, r, &mo);
	if (!l)
		goto out;
	if (graph__build(g, l->model)) {
		errorf("building the graph of %s failed: out of memory: free some memory", a.trace);
		goto out;
	}
	if (outfile__open(&o, a.out, 0666, "graph", "-o"))
		goto out;
	err = write_graph(g, dot, lang, l->meta, model_load__damage(l), o.f);
	if (err) {
		outfile__failed(&o, err, "drawing the graph of", a.trace);
		goto out;
	}
	if (outfile__commit(&o))
		goto out;
	warn_status(r, a.trace);
	ret = 0;
out:
	graph__free(g);
	model_load__free(l);
	trace_reader__free(r);
	output_args__free(&a);
	return ret;
}
