// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace export: the trace for other viewers (Perfetto). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"
#include "perfetto.h"
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
		{ "critical-path", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		FILTER_LONGOPTS,
		{ 0 },
	};
	const char *out = DEFAULT_PERFETTO;
	struct filter_args fa = { 0 };
	struct trace_reader *r = NULL;
	struct outfile o;
	const char *format = NULL, *what;
	struct perfetto_opts popts = { 0 };
	unsigned long long tid;
	bool perfetto = false, json;
	int c, err, ret = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P': perfetto = true; break;
		case 'o': out = optarg; break;
		case 'f':
			if (strcmp(optarg, "proto") && strcmp(optarg, "json")) {
				usage_error("bad format '%s' for --format: give proto (Perfetto's own) "
					    "or json (also chrome://tracing)", optarg);
				goto out;
			}
			format = optarg;
			break;
		case 'C':
			if (parse_u64(optarg, MAX_TRACE_PID, &tid) || !tid) {
				usage_error("bad thread id '%s' for --critical-path: give a TID from "
					    "the report", optarg);
				goto out;
			}
			popts.critical_path_tid = tid;
			break;
		case 'h': ret = do_help(0, NULL); goto out;
		default:
			err = filter_args__take(&fa, c, optarg);
			if (err) {
				ret = err < 0 ? getopt_error(c, argv, "export") : err;
				goto out;
			}
		}
	}
	if (!perfetto) {
		usage_error("export needs a format: give --perfetto");
		goto out;
	}
	if (optind != argc - 1) {
		usage_error("export needs exactly one TRACE file: see ipctrace --help");
		goto out;
	}
	if (!*out) {
		usage_error("export: -o needs a file name (or - for stdout), not an empty one");
		goto out;
	}
	if (strcmp(out, "-") && same_file(out, argv[optind])) {
		usage_error("export: -o %s is the trace itself: give another name for the export", out);
		goto out;
	}
	ret = filter_args__check(&fa);
	if (ret)
		goto out;
	ret = 1;
	popts.filter = &fa.f;
	/* The name says the format unless --format does: NAME.json is JSON, anything else protobuf. */
	json = format ? !strcmp(format, "json") : has_suffix(out, ".json");
	what = json ? "Perfetto JSON" : "Perfetto trace";
	r = open_trace(argv[optind]);
	if (!r)
		goto out;
	if (filter_args__check_trace(&fa, r, argv[optind]))
		goto out;
	if (outfile__open(&o, out, 0666, what, "-o"))
		goto out;
	err = json ? perfetto__export_opts(r, &popts, o.f) : perfetto__export_proto(r, &popts, o.f);
	if (err == -ESRCH) {
		errorf("thread %u is not in trace %s: give --critical-path a TID that ipctrace report "
		       "lists", popts.critical_path_tid, argv[optind]);
		outfile__abort(&o);
	} else if (err) {
		outfile__failed(&o, err, "exporting", argv[optind]);
	} else {
		err = outfile__commit(&o);
	}
	if (!err) {
		warn_status(r, argv[optind]);
		ret = 0;
	}
out:
	trace_reader__free(r);
	filter_args__free(&fa);
	return ret;
}
