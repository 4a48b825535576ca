// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What render, export and graph share: one TRACE in, one file out (-o), the filters, --critical-path. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "load.h"

int output_args__take(struct output_args *a, int c, const char *arg, char **argv)
{
	unsigned long long tid;
	int err;

	switch (c) {
	case 'o':
		a->out = arg;
		return 0;
	case OPT_CRITICAL_PATH:
		if (parse_u64(arg, MAX_TRACE_PID, &tid) || !tid)
			return usage_error("bad thread id '%s' for --critical-path: give a TID from the report",
					   arg);
		a->critical_path_tid = tid;
		return 0;
	}
	err = filter_args__take(&a->fa, c, arg);
	return err < 0 ? getopt_error(c, argv, a->sub) : err;
}

int output_args__check(struct output_args *a, int argc, char **argv, const char *what)
{
	if (optind != argc - 1)
		return usage_error("%s needs exactly one TRACE file: see ipctrace --help", a->sub);
	a->trace = argv[optind];
	if (!*a->out)
		return usage_error("%s: -o needs a file name (or - for stdout), not an empty one", a->sub);
	if (strcmp(a->out, "-") && same_file(a->out, a->trace))
		return usage_error("%s: -o %s is the trace itself: give another name for the %s", a->sub,
				   a->out, what);
	return filter_args__check(&a->fa);
}

struct model_load *output_args__load(struct output_args *a, struct trace_reader *r,
				     const struct model_opts *mo)
{
	struct model_load *l = model_load__open(r, &a->fa.f, mo);

	if (!l) {
		model_failed(a->trace);
		return NULL;
	}
	if (filter_args__check_model(&a->fa, l->model, a->trace)) {
		model_load__free(l);
		return NULL;
	}
	return l;
}

int output_args__tid_unknown(const struct output_args *a)
{
	errorf("thread %u is not in trace %s: give --critical-path a TID that ipctrace report lists",
	       a->critical_path_tid, a->trace);
	return 1;
}

void output_args__free(struct output_args *a)
{
	filter_args__free(&a->fa);
}
