// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace merge: traces of several machines into one, their clocks aligned from their messages. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "escape.h"
#include "merge.h"
#include "trace.h"

static void print_ns(FILE *f, double ns)
{
	double a = fabs(ns);

	if (a >= 1e9)
		fprintf(f, "%.6f s", ns / 1e9);
	else if (a >= 1e6)
		fprintf(f, "%.3f ms", ns / 1e6);
	else if (a >= 1e3)
		fprintf(f, "%.1f µs", ns / 1e3);
	else
		fprintf(f, "%.0f ns", ns);
}

static void summary(const struct merge_result *res, char **paths, const char *out)
{
	const struct trace_meta *m = &res->meta;

	printf("merged %u traces into ", m->nhosts);
	escape__fputs(stdout, out, strlen(out) + 1);
	printf(": %llu events\n", (unsigned long long)res->events);
	for (uint32_t i = 0; i < m->nhosts; i++) {
		const struct trace_host *h = &m->hosts[i];

		printf("  ");
		escape__fputs(stdout, h->name, sizeof(h->name));
		printf(" (");
		escape__fputs(stdout, paths[i], strlen(paths[i]) + 1);
		if (!i) {
			printf("): the reference clock\n");
			continue;
		}
		printf("): clock %s", h->offset_ns >= 0 ? "+" : "");
		print_ns(stdout, (double)h->offset_ns);
		printf(", drift %+.3f ppm (+-%.3f), uncertainty ", h->drift_ppm, h->drift_uncertainty_ppm);
		print_ns(stdout, (double)h->uncertainty_ns);
		printf(" (at most ");
		print_ns(stdout, (double)h->max_uncertainty_ns);
		printf(")");
		printf(", aligned to ");
		escape__fputs(stdout, m->hosts[h->aligned_to].name, sizeof(h->name));
		printf(" by %u messages\n", h->messages);
	}
	for (size_t k = 0; k < res->nlinks; k++) {
		const struct merge_link *l = &res->links[k];

		printf("  ");
		escape__fputs(stdout, m->hosts[l->a].name, sizeof(m->hosts[0].name));
		printf(" <-> ");
		escape__fputs(stdout, m->hosts[l->b].name, sizeof(m->hosts[0].name));
		printf(": %u connection%s (%u seen from their start), %llu messages",
		       l->connections, l->connections == 1 ? "" : "s", l->timed,
		       (unsigned long long)l->messages);
		if (l->max_width_ns > 0) {
			printf(", bounds ");
			print_ns(stdout, l->min_width_ns);
			printf(" to ");
			print_ns(stdout, l->max_width_ns);
			printf(" apart");
		}
		printf("\n");
	}
}

int do_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "compress", required_argument, NULL, 'z' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct merge_opts mo = { .zlevel = 1 };
	struct merge_result res;
	unsigned long long level;
	const char *out = NULL;
	bool quiet = false;
	struct outfile o;
	char why[512];
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:z:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'z':
			if (parse_u64(optarg, 9, &level))
				return usage_error("merge: -z needs a compression level 0-9, not '%s'", optarg);
			mo.zlevel = (int)level;
			break;
		case 'q': quiet = true; break;
		case 'h': return do_help(0, NULL);
		default: return getopt_error(c, argv, "merge");
		}
	}
	if (!out || !*out || !strcmp(out, "-"))
		return usage_error("merge needs -o OUT.trace, the file to write: see ipctrace --help");
	if (argc - optind < 2)
		return usage_error("merge needs two or more TRACE files, one per machine: see ipctrace --help");
	if (argc - optind > TRACE_HOSTS_MAX)
		return usage_error("merge takes at most %d traces", TRACE_HOSTS_MAX);
	for (int i = optind; i < argc; i++) {
		if (same_file(out, argv[i]))
			return usage_error("merge: -o %s is one of the traces to merge: give another name",
					   out);
		for (int j = optind; j < i; j++)
			if (same_file(argv[i], argv[j]))
				return usage_error("merge: %s is given twice", argv[i]);
	}
	mo.paths = (const char *const *)&argv[optind];
	mo.n = argc - optind;
	if (outfile__open(&o, out, 0600, "merged trace", "-o"))
		return 1;
	/* the trace writer writes the descriptor itself, not through o.f */
	err = merge__run(&mo, o.fd, &res, why, sizeof(why));
	if (err) {
		errorf("%s", why);
		outfile__abort(&o);
		return 1;
	}
	err = outfile__commit(&o);
	if (!err && !quiet)
		summary(&res, &argv[optind], out);
	merge_result__release(&res);
	return err ? 1 : 0;
}
