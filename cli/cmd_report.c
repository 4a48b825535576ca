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
		{ 0 },
	};
	struct model_opts mopts = { 0 };
	struct trace_reader *r;
	struct model *m;
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
			if (parse_lang(optarg, &lang))
				return EXIT_USAGE;
			break;
		case 'h': return do_help(0, NULL);
		default: return getopt_error(c, argv, "report");
		}
	}
	if (optind != argc - 1)
		return usage_error("report needs exactly one TRACE file: see ipctrace --help");
	r = open_trace(argv[optind]);
	if (!r)
		return 1;
	m = model__from_reader(r, &mopts);
	if (!m) {
		errorf("reading trace %s failed: out of memory: free some memory", argv[optind]);
		trace_reader__free(r);
		return 1;
	}
	warn_status(r, argv[optind]);
	err = json ? report__json(m, trace_reader__meta(r), stdout)
		   : report__text(m, trace_reader__meta(r), lang, stdout);
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		errorf("writing the report failed: %s: check the output", strerror(-err));
	model__free(m);
	trace_reader__free(r);
	return err ? 1 : 0;
}
