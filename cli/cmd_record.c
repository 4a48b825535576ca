// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace [-p PID | -- COMMAND]: record a trace, then draw and report it. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>
#include "cli.h"
#include "stop_signal.h"
#include "model.h"
#include "msg.h"
#include "recorder.h"
#include "report.h"
#include "svg.h"
#include "load.h"
#include "passes.h"
#include "trace.h"

/* Shell-quotes words that need it, so the stored command line can be pasted back. */
static char *join_cmdline(int argc, char **argv)
{
	size_t cap = TRACE_STR_MAX, len = 0;
	char *out = calloc(1, cap);
	int i;

	if (!out)
		return NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *p;
		bool plain = *a != '\0';

		for (p = a; *p && plain; p++)
			plain = isalnum((unsigned char)*p) || strchr("-_./=:,+%@", *p);
		if (len && len + 1 < cap)
			out[len++] = ' ';
		if (!plain && len + 1 < cap)
			out[len++] = '\'';
		for (p = a; *p && len + 5 < cap; p++) {
			if (*p == '\'' && !plain) {
				memcpy(out + len, "'\\''", 4);
				len += 4;
			} else {
				out[len++] = *p;
			}
		}
		if (!plain && len + 1 < cap)
			out[len++] = '\'';
	}
	out[len < cap ? len : cap - 1] = '\0';
	return out;
}

/* The user behind sudo, whose outputs these are; -1 when not run through sudo. */
static void sudo_owner(uid_t *uid, gid_t *gid)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	unsigned long long vu, vg;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0 || !u || !g || parse_u64(u, UINT32_MAX - 1, &vu) ||
	    parse_u64(g, UINT32_MAX - 1, &vg) || vu == 0)
		return;
	*uid = vu;
	*gid = vg;
}

struct record_args {
	struct recorder_opts ro;
	const char *svg_path;
	bool no_svg, no_report;
	const struct lang *lang;    /* --lang: the SVG's and the report's words */
	unsigned long long *pids;
	size_t npids;
};

static int parse_record(int argc, char **argv, struct record_args *a)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "svg", required_argument, NULL, 'w' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "compress", required_argument, NULL, 'z' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-svg", no_argument, NULL, 'S' },
		{ "no-report", no_argument, NULL, 'R' },
		{ "ipc-only", no_argument, NULL, 'I' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	unsigned long long v;
	uint64_t ns;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:p:d:o:w:b:z:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_list(optarg, MAX_PID, &a->pids, &a->npids))
				return usage_error("bad pid list '%s' for -p: give PIDs separated by commas, "
						   "e.g. -p 1234,5678", optarg);
			break;
		case 'd':
			if (parse_time_ns(optarg, &ns) || ns == 0 || ns > 31536000ull * 1000000000ull)
				return usage_error("bad duration '%s' for -d: give seconds, e.g. -d 5 or -d 0.5",
						   optarg);
			a->ro.duration_ns = ns;
			break;
		case 'o': a->ro.trace_path = optarg; break;
		case 'w': a->svg_path = optarg; break;
		case 'b':
			if (parse_u64(optarg, RECORDER_RING_MIB_MAX, &v) || !v || (v & (v - 1)))
				return usage_error("bad ring buffer size '%s' for -b: give MiB as a power of two "
						   "from 1 to %u", optarg, RECORDER_RING_MIB_MAX);
			a->ro.ring_mib = v;
			break;
		case 'z':
			if (parse_u64(optarg, 9, &v))
				return usage_error("bad compression level '%s' for -z: give 0 (none) to 9 (best)",
						   optarg);
			a->ro.zlevel = v;
			break;
		case 'q': a->ro.quiet = true; break;
		case 'v': a->ro.verbose++; break;
		case 'S': a->no_svg = true; break;
		case 'R': a->no_report = true; break;
		case 'I': a->ro.ipc_only = true; break;
		case 'L':
			if (parse_lang(optarg, &a->lang))
				return EXIT_USAGE;
			break;
		case 'h': do_help(0, NULL); return -1;
		case 'V': do_version(0, NULL); return -1;
		default: return getopt_error(c, argv, NULL);
		}
	}
	if (optind < argc)
		a->ro.argv = argv + optind;
	if (!a->npids && !a->ro.argv)
		return usage_error("nothing to trace: give -p PID or -- COMMAND (see ipctrace --help)");
	if (!*a->ro.trace_path || !*a->svg_path)
		return usage_error("%s needs a file name, not an empty one", *a->ro.trace_path ? "-w" : "-o");
	if (!strcmp(a->ro.trace_path, "-"))
		return usage_error("-o needs a file name: the trace cannot go to stdout");
	if (!a->no_svg && !a->no_report && !strcmp(a->svg_path, "-"))
		return usage_error("-w - puts the SVG on stdout, where the report goes: add --no-report");
	if (!a->no_svg && strcmp(a->svg_path, "-") && same_file(a->svg_path, a->ro.trace_path))
		return usage_error("-o and -w name the same file %s: give two names", a->svg_path);
	return 0;
}

static void print_summary(const struct record_args *a, const struct recorder_stats *st,
			  bool svg_ok)
{
	char svg[PATH_MAX * 4 + 8] = "";

	if (svg_ok)
		snprintf(svg, sizeof(svg), " and %s", a->svg_path);
	msg__line("wrote %s (%llu events, %llu lost, %llu KiB)%s in %.1f s; recorder CPU %.2f s user "
		  "+ %.2f s system", a->ro.trace_path, (unsigned long long)st->events,
		  (unsigned long long)st->lost, (unsigned long long)((st->bytes + 1023) >> 10), svg,
		  st->duration_ns / 1e9, st->cpu_user_s, st->cpu_sys_s);
}

/* A trace written into a device or a FIFO (-o /dev/null) cannot be read again. */
static bool readable_back(const char *path)
{
	struct stat st;

	return stat(path, &st) || S_ISREG(st.st_mode);
}

static int show_results(const struct record_args *a, bool *svg_ok)
{
	struct svg_opts sopts = { .lang = a->lang };
	struct svg_render *riding = NULL;
	struct model_opts mo = { 0 };
	struct trace_reader *r;
	struct model_load *l;
	struct outfile svg;
	int ret = 0;

	r = open_trace(a->ro.trace_path);
	if (!r)
		return 1;
	/* one model for both: the SVG rides its read when it can (else reads once more), the report */
	if (!a->no_svg)
		riding = passes__svg_riding(r, &sopts, &mo);
	l = model_load__open(r, NULL, riding ? &mo : NULL);
	if (!l) {
		model_failed(a->ro.trace_path);
		svg_render__free(riding);
		trace_reader__free(r);
		return 1;
	}
	/* The SVG's file is made only now that there is something to draw. */
	if (!a->no_svg) {
		if (outfile__open(&svg, a->svg_path, 0666, "SVG", "-w")) {
			ret = 1;
		} else {
			svg.uid = a->ro.owner_uid;
			svg.gid = a->ro.owner_gid;
			if (render_svg(l, &sopts, riding, &svg, a->ro.trace_path))
				ret = 1;
			else
				*svg_ok = true;
		}
	}
	if (!a->no_report && (report__text(l->model, l->meta, a->lang, stdout) || fflush(stdout))) {
		errorf("writing the report failed: %s: check stdout", strerror(errno));
		ret = 1;
	}
	warn_status(r, a->ro.trace_path);
	svg_render__free(riding);
	model_load__free(l);
	trace_reader__free(r);
	return ret;
}

int do_record(int argc, char **argv)
{
	struct record_args a = { 0 };
	struct recorder_stats st;
	struct recorder *rec = NULL;
	pid_t *pids = NULL;
	bool svg_ok = false;
	int err, ret, code;
	size_t i;

	a.ro.trace_path = DEFAULT_TRACE;
	a.ro.zlevel = 1; /* half the recorder CPU of level 6 for 5-15% more bytes */
	a.svg_path = DEFAULT_SVG;
	ret = parse_record(argc, argv, &a);
	if (ret) {
		free(a.pids);
		return ret < 0 ? 0 : ret;
	}
	if (a.npids) {
		pids = calloc(a.npids, sizeof(*pids));
		if (!pids) {
			errorf("out of memory: free some memory");
			free(a.pids);
			return 1;
		}
		for (i = 0; i < a.npids; i++)
			pids[i] = a.pids[i];
		a.ro.pids = pids;
		a.ro.npids = a.npids;
	}
	a.ro.cmdline = join_cmdline(argc, argv);
	sudo_owner(&a.ro.owner_uid, &a.ro.owner_gid);
	ret = 1;
	if (recorder__check(&a.ro))
		goto out;
	stop_signal__finish();
	/* Both outputs are known to be writable before anything is attached. */
	if (!a.no_svg && outfile__check(a.svg_path, "SVG", "-w"))
		goto out;
	rec = recorder__new(&a.ro, &err);
	if (!rec)
		goto out;
	err = recorder__run(rec);
	/* Recording is over (the trace is whole): a stop signal now kills, and while the SVG is
	 * written removes its temporary file. */
	stop_signal__default();
	code = recorder__exit_code(rec);
	recorder__stats(rec, &st);
	if (err) {
		ret = st.cmd_exec_failed ? code : 1;
		goto out;
	}
	if (readable_back(a.ro.trace_path)) {
		ret = show_results(&a, &svg_ok);
	} else {
		ret = 0;
		if (!a.ro.quiet && (!a.no_svg || !a.no_report))
			msg__line("note: the trace went to %s, which cannot be read back: no SVG or report",
				  a.ro.trace_path);
	}
	if (st.lost) {
		unsigned mib = a.ro.ring_mib ? a.ro.ring_mib : RECORDER_RING_MIB;

		/* a ring four times as big, up to -b's limit */
		if (mib < RECORDER_RING_MIB_MAX)
			errorf("warning: the kernel dropped %llu events (ring buffer full): raise -b "
			       "(now %u MiB) to lose fewer, e.g. -b %u", (unsigned long long)st.lost, mib,
			       4 * mib < RECORDER_RING_MIB_MAX ? 4 * mib : RECORDER_RING_MIB_MAX);
		else
			errorf("warning: the kernel dropped %llu events with the largest ring buffer "
			       "(-b %u): trace fewer processes, or record with --ipc-only",
			       (unsigned long long)st.lost, RECORDER_RING_MIB_MAX);
	}
	if (st.bad_events)
		errorf("warning: %llu events from the kernel had an unexpected size and were skipped: "
		       "rebuild ipctrace (make clean all)", (unsigned long long)st.bad_events);
	if (!a.ro.quiet)
		print_summary(&a, &st, svg_ok);
	if (!ret)
		ret = code;
out:
	recorder__free(rec);
	free((char *)a.ro.cmdline);
	free(pids);
	free(a.pids);
	return ret;
}
