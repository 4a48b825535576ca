// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The filter options every reading subcommand takes, parsed and checked in one place. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "filter.h"
#include "model.h"

static int take_pids(struct filter_args *a, const char *arg)
{
	unsigned long long *v = NULL;
	size_t n = 0;
	uint32_t *np;

	if (parse_list(arg, MAX_TRACE_PID, &v, &n)) {
		free(v);
		return usage_error("bad pid list '%s' for --pid: give PIDs separated by commas", arg);
	}
	np = realloc(a->pids, (a->f.npids + n) * sizeof(*np));
	if (!np) {
		free(v);
		errorf("out of memory: free some memory");
		return 1;
	}
	a->pids = np;
	for (size_t i = 0; i < n; i++)
		a->pids[a->f.npids++] = (uint32_t)v[i];
	a->f.pids = a->pids;
	free(v);
	return 0;
}

static int take_chans(struct filter_args *a, const char *arg)
{
	unsigned long long *v = NULL;
	size_t n = 0;
	int *nc;

	if (parse_list(arg, INT_MAX, &v, &n)) {
		free(v);
		return usage_error("bad channel list '%s' for --chan: give channel ids (from the report) "
				   "separated by commas", arg);
	}
	nc = realloc(a->chans, (a->f.nchans + n) * sizeof(*nc));
	if (!nc) {
		free(v);
		errorf("out of memory: free some memory");
		return 1;
	}
	a->chans = nc;
	for (size_t i = 0; i < n; i++)
		a->chans[a->f.nchans++] = (int)v[i];
	a->f.chans = a->chans;
	free(v);
	return 0;
}

static int take_kinds(struct filter_args *a, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy) {
		errorf("out of memory: free some memory");
		return 1;
	}
	if (!*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		ret = usage_error("bad kind list '%s' for --kind: give kinds separated by commas, "
				  "e.g. pipe,unix-stream", arg);
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		enum ipct_kind k = model_filter__kind(tok);

		if (k == IPCT_KIND_NONE)
			ret = usage_error("unknown kind '%s' for --kind: give one of pipe, fifo, mqueue, "
					  "sysv-msg, shm, sysv-shm, mmap, sysv-sem, futex, unix-stream, "
					  "unix-dgram, unix-seqpacket, tcp, udp, file, signal", tok);
		else
			a->f.kinds |= 1u << k;
	}
	free(copy);
	return ret;
}

int filter_args__take(struct filter_args *a, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case OPT_PID:
		return take_pids(a, arg);
	case OPT_CHAN:
		return take_chans(a, arg);
	case OPT_KIND:
		return take_kinds(a, arg);
	case OPT_MIN_BYTES:
		if (parse_u64(arg, UINT64_MAX, &v))
			return usage_error("bad byte count '%s' for --min-bytes: give a whole number of bytes",
					   arg);
		a->f.min_bytes = v;
		return 0;
	case OPT_FROM:
		if (parse_time_ns(arg, &a->f.from_ns))
			return usage_error("bad time '%s' for --from: give e.g. 1.5, 1.5s, 250ms or 40us", arg);
		return 0;
	case OPT_TO:
		if (parse_time_ns(arg, &a->f.to_ns) || !a->f.to_ns)
			return usage_error("bad time '%s' for --to: give e.g. 2, 2s, 250ms or 40us (> 0)", arg);
		return 0;
	default:
		return -1;
	}
}

int filter_args__check(const struct filter_args *a)
{
	if (a->f.to_ns && a->f.to_ns <= a->f.from_ns)
		return usage_error("bad window: --to must be later than --from");
	return 0;
}

int filter_args__check_model(const struct filter_args *a, const struct model *m, const char *trace)
{
	uint32_t pid = model_filter__unknown_pid(&a->f, m);
	int chan = model_filter__unknown_chan(&a->f, m);
	const char *where = model_filter__windowed(&a->f) ? " in the window --from/--to" : "";

	if (pid) {
		errorf("no process %u in %s%s: give a pid that ipctrace report %s lists", pid, trace,
		       where, trace);
		return 1;
	}
	if (chan) {
		errorf("no channel %d in %s%s: give a channel id that ipctrace report %s lists", chan,
		       trace, where, trace);
		return 1;
	}
	return 0;
}

void filter_args__free(struct filter_args *a)
{
	free(a->pids);
	free(a->chans);
	memset(a, 0, sizeof(*a));
}
