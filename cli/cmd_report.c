// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace report: the text or JSON report of a trace. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "filter.h"
#include "load.h"
#include "model.h"
#include "report.h"
#include "trace.h"

int do_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all-files", no_argument, NULL, 'a' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	struct model_opts mopts = { 0 };
	struct trace_reading reading;
	struct filter_args fa = { 0 };
	struct trace_reader *r;
	struct model *m, *shown = NULL;
	struct model_load *l;
	const struct lang *lang = NULL;
	bool json = false;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'a': mopts.all_files = true; break;
		case 'L':
			if (parse_lang(optarg, &lang)) {
				filter_args__free(&fa);
				return EXIT_USAGE;
			}
			break;
		case 'h': filter_args__free(&fa); return do_help(0, NULL);
		default:
			err = filter_args__take(&fa, c, optarg);
			if (err) {
				filter_args__free(&fa);
				return err < 0 ? getopt_error(c, argv, "report") : err;
			}
		}
	}
	if (optind != argc - 1) {
		filter_args__free(&fa);
		return usage_error("report needs exactly one TRACE file: see ipctrace --help");
	}
	err = filter_args__check(&fa);
	if (err) {
		filter_args__free(&fa);
		return err;
	}
	r = open_trace(argv[optind]);
	if (!r) {
		filter_args__free(&fa);
		return 1;
	}
	l = model_load__open(r, &fa.f, &mopts);
	if (!l) {
		model_failed(argv[optind]);
		trace_reader__free(r);
		filter_args__free(&fa);
		return 1;
	}
	m = l->model;
	err = filter_args__check_model(&fa, m, argv[optind]);
	if (err)
		goto out;
	/* the window is already applied to m; processes and channels are chosen here */
	shown = model_filter__any(&fa.f) ? model_filter__view(m, &fa.f) : m;
	if (!shown) {
		errorf("reading trace %s failed: out of memory: free some memory", argv[optind]);
		err = 1;
		goto out;
	}
	warn_status(r, argv[optind]);
	trace_reader__reading(r, &reading);
	err = json ? report__json_read(shown, l->meta, &reading, stdout)
		   : report__text(shown, l->meta, lang, stdout);
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		errorf("writing the report failed: %s: check the output", strerror(-err));
out:
	if (shown != m)
		model__free(shown);
	model_load__free(l);
	trace_reader__free(r);
	filter_args__free(&fa);
	return err ? 1 : 0;
}
