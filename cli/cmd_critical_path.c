// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace critical-path: why a thread waited, through which channels, on whom. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "critical_path.h"
#include "critical_path_report.h"
#include "model.h"
#include "load.h"
#include "passes.h"
#include "trace.h"

#define DEFAULT_MAX_STEPS 100

int do_critical_path(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "tid", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "max-steps", required_argument, NULL, 'n' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long tid = 0, max_steps = DEFAULT_MAX_STEPS;
	uint64_t from_ns = 0, to_ns = 0, from = 0, to = 0;
	struct critical_path *cp = NULL;
	struct cp_collector *coll = NULL;
	struct model_opts mo = { 0 };
	struct trace_reader *r = NULL;
	struct model_load *l = NULL;
	const struct model *m;
	const struct model_thread *t;
	const struct lang *lang = NULL;
	bool json = false;
	size_t keep;
	int c, err, ret = 1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 't':
			if (parse_u64(optarg, MAX_TRACE_PID, &tid) || !tid)
				return usage_error("bad thread id '%s' for --tid: give a TID from the report",
						   optarg);
			break;
		case 'F':
			if (parse_time_ns(optarg, &from_ns))
				return usage_error("bad time '%s' for --from: give e.g. 1.5, 1.5s, 250ms or 40us",
						   optarg);
			break;
		case 'T':
			if (parse_time_ns(optarg, &to_ns) || !to_ns)
				return usage_error("bad time '%s' for --to: give e.g. 2, 2s, 250ms or 40us (> 0)",
						   optarg);
			break;
		case 'n':
			if (parse_u64(optarg, 100000000, &max_steps))
				return usage_error("bad count '%s' for --max-steps: give a number (0 = all)",
						   optarg);
			break;
		case 'L':
			if (parse_lang(optarg, &lang))
				return EXIT_USAGE;
			break;
		case 'h': return do_help(0, NULL);
		default: return getopt_error(c, argv, "critical-path");
		}
	}
	if (!tid)
		return usage_error("critical-path needs --tid TID: the thread whose waits to explain "
				   "(TIDs are in ipctrace report)");
	if (optind != argc - 1)
		return usage_error("critical-path needs exactly one TRACE file: see ipctrace --help");
	if (to_ns && to_ns <= from_ns)
		return usage_error("bad window: --to must be later than --from");
	r = open_trace(argv[optind]);
	if (!r)
		return 1;
	/* one read: the model, and the path walked as the trace comes (the text keeps the
	 * first --max-steps steps: the rest are only summed) */
	keep = json || !max_steps ? SIZE_MAX : (size_t)max_steps;
	coll = cp_collector__stream((uint32_t)tid, from_ns, to_ns, keep);
	if (coll)
		cp_collector__sinks(coll, &mo);
	l = coll ? model_load__open(r, NULL, &mo) : NULL;
	if (!l) {
		model_failed(argv[optind]);
		goto out;
	}
	m = l->model;
	if (!model__thread(m, (uint32_t)tid)) {
		errorf("thread %llu is not in trace %s: give a TID that ipctrace report lists", tid,
		       argv[optind]);
		goto out;
	}
	from = m->start_ts + from_ns;
	to = to_ns ? m->start_ts + to_ns : m->end_ts;
	if (from >= m->end_ts && m->end_ts > m->start_ts) {
		errorf("--from is past the end of trace %s: it lasts %.6f s", argv[optind],
		       (m->end_ts - m->start_ts) / 1e9);
		goto out;
	}
	t = model__thread(m, (uint32_t)tid);
	if (t->last_ts < from || t->first_ts > to) {
		errorf("thread %llu is not alive between --from and --to: it lives from %.6f s to %.6f s "
		       "of the trace", tid, (t->first_ts - m->start_ts) / 1e9,
		       (t->last_ts - m->start_ts) / 1e9);
		goto out;
	}
	cp = cp_collector__stream_path(coll, m);
	if (!cp && errno == EAGAIN)
		cp = passes__path_again(l, &coll, (uint32_t)tid, from, to, keep);
	if (!cp) {
		errorf("computing the critical path from %s failed: %s: check the trace with ipctrace report",
		       argv[optind], strerror(errno));
		goto out;
	}
	warn_status(r, argv[optind]);
	err = json ? cp_report__json(m, cp, stdout) : cp_report__text(m, cp, max_steps, lang, stdout);
	if (!err && fflush(stdout))
		err = -errno;
	if (err) {
		errorf("writing the critical path failed: %s: check the output", strerror(-err));
		goto out;
	}
	ret = 0;
out:
	critical_path__free(cp);
	cp_collector__free(coll);
	model_load__free(l);
	trace_reader__free(r);
	return ret;
}
