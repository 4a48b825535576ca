// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace export: the trace for other viewers (Perfetto). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"
#include "load.h"
#include "passes.h"
#include "trace.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

int do_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "perfetto", no_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "critical-path", required_argument, NULL, OPT_CRITICAL_PATH },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	struct output_args a = { .sub = "export", .out = DEFAULT_PERFETTO };
	struct perfetto_opts popts = { 0 };
	struct trace_reader *r = NULL;
	struct model_load *l = NULL;
	const char *format = NULL, *what;
	struct outfile o;
	bool perfetto = false;
	int c, err, ret = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P': perfetto = true; break;
		case 'f':
			if (strcmp(optarg, "proto") && strcmp(optarg, "json")) {
				usage_error("bad format '%s' for --format: give proto (Perfetto's own) "
					    "or json (also chrome://tracing)", optarg);
				goto out;
			}
			format = optarg;
			break;
		case 'h': ret = do_help(0, NULL); goto out;
		default:
			ret = output_args__take(&a, c, optarg, argv);
			if (ret)
				goto out;
			ret = EXIT_USAGE;
		}
	}
	if (!perfetto) {
		usage_error("export needs a format: give --perfetto");
		goto out;
	}
	ret = output_args__check(&a, argc, argv, "export");
	if (ret)
		goto out;
	ret = 1;
	popts.filter = &a.fa.f;
	popts.critical_path_tid = a.critical_path_tid;
	/* The name says the format unless --format does: NAME.json is JSON, anything else protobuf. */
	popts.json = format ? !strcmp(format, "json") : has_suffix(a.out, ".json");
	what = popts.json ? "Perfetto JSON" : "Perfetto trace";
	r = open_trace(a.trace);
	if (!r || !(l = output_args__load(&a, r, NULL)))
		goto out;
	if (outfile__open(&o, a.out, 0666, what, "-o"))
		goto out;
	err = passes__perfetto(l, &popts, o.f);
	if (err == -ESRCH) {
		output_args__tid_unknown(&a);
		outfile__abort(&o);
	} else if (err == -EFBIG) {
		errno = EFBIG;
		model_failed(a.trace);
		outfile__abort(&o);
	} else if (err) {
		outfile__failed(&o, err, "exporting", a.trace);
	} else {
		err = outfile__commit(&o);
	}
	if (!err) {
		warn_status(r, a.trace);
		ret = 0;
	}
out:
	model_load__free(l);
	trace_reader__free(r);
	output_args__free(&a);
	return ret;
}
