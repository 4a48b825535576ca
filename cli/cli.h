/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command line: one file per subcommand (cmd_*.c), dispatched from the
 * table in main.c; what they share is declared here (args.c: one-line
 * errors, option values, the input trace; outfile.c: the output-file policy).
 */
#ifndef IPCTRACE_CLI_H
#define IPCTRACE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "trace.h"
#include "outpath.h"
#include "filter.h"

#define EXIT_USAGE 2
#define DEFAULT_TRACE "ipctrace.trace"
#define DEFAULT_SVG "ipctrace.svg"
#define DEFAULT_PERFETTO "ipctrace.perfetto-trace"
#define MAX_PID 4194304
/* A pid in a trace: a merged one numbers machine n's n << TRACE_HOST_SHIFT | its own (trace.h). */
#define MAX_TRACE_PID (((unsigned long long)TRACE_HOSTS_MAX << TRACE_HOST_SHIFT) - 1)

struct trace_reader;
struct svg_opts;
struct svg_render;

/* Subcommands: each takes its argv from the subcommand's name on, returns the exit code. */
int do_record(int argc, char **argv);
int do_report(int argc, char **argv);
int do_render(int argc, char **argv);
int do_export(int argc, char **argv);
int do_critical_path(int argc, char **argv);
int do_graph(int argc, char **argv);
int do_merge(int argc, char **argv);
int do_help(int argc, char **argv);
int do_version(int argc, char **argv);

/* One line on stderr (escaped, prefixed "ipctrace: "). */
__attribute__((format(printf, 1, 2))) void errorf(const char *fmt, ...);
/* The same for a usage mistake; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int usage_error(const char *fmt, ...);
/* The line for getopt's ':' or '?' return; sub names the subcommand (NULL: recording). */
int getopt_error(int c, char **argv, const char *sub);

int parse_u64(const char *s, unsigned long long max, unsigned long long *out);
/* "1,2,3" into a growing array of positive numbers at most max. */
int parse_list(const char *s, unsigned long long max, unsigned long long **vals, size_t *n);
struct lang;
/* The language of a --lang word into *l; else says so (one usage line) and returns EXIT_USAGE. */
int parse_lang(const char *s, const struct lang **l);
/* A time like 1.5 (seconds), 1.5s, 250ms, 40us, 100ns, 2m; into ns. */
int parse_time_ns(const char *s, uint64_t *out);

/*
 * The filters of report, render, graph and export (filter_args.c): add
 * FILTER_LONGOPTS to a subcommand's options and hand its getopt codes to
 * filter_args__take.
 */
enum {
	OPT_PID = 0x100, OPT_KIND, OPT_CHAN, OPT_MIN_BYTES, OPT_FROM, OPT_TO,
};

#define FILTER_LONGOPTS \
	{ "pid", required_argument, NULL, OPT_PID }, \
	{ "kind", required_argument, NULL, OPT_KIND }, \
	{ "chan", required_argument, NULL, OPT_CHAN }, \
	{ "min-bytes", required_argument, NULL, OPT_MIN_BYTES }, \
	{ "from", required_argument, NULL, OPT_FROM }, \
	{ "to", required_argument, NULL, OPT_TO }

#define FILTER_USAGE "[--pid P,...] [--kind K,...] [--chan ID,...] [--min-bytes N]\n" \
		     "                  [--from T] [--to T]"

struct filter_args {
	struct model_filter f;
	uint32_t *pids;
	int *chans;
};

struct model;
/* 0 when c (a getopt code) was a filter option taken, -1 when it is not one, else the exit code. */
int filter_args__take(struct filter_args *a, int c, const char *arg);
/* After parsing: the window is one. 0 or EXIT_USAGE. */
int filter_args__check(const struct filter_args *a);
/* A --pid or --chan value that m lacks is said in one line: 1 then, else 0. */
int filter_args__check_model(const struct filter_args *a, const struct model *m, const char *trace);
void filter_args__free(struct filter_args *a);

/*
 * What render, export and graph share (output_args.c): one TRACE, -o OUT,
 * the filters, --critical-path TID (OPT_CRITICAL_PATH). Set sub and out
 * (the default name) first, hand every getopt code but your own to take.
 */
#define OPT_CRITICAL_PATH 0x180
struct output_args {
	const char *sub;             /* the subcommand's name, for messages */
	const char *out;             /* -o: a path or "-" for stdout */
	const char *trace;           /* after check: the TRACE file */
	uint32_t critical_path_tid;  /* 0 = none */
	struct filter_args fa;
};

struct model_opts;
struct model_load;
/* 0 when c was taken, else the exit code (an unknown option is said). */
int output_args__take(struct output_args *a, int c, const char *arg, char **argv);
/* After parsing: one TRACE, an -o that is not it (what: "SVG", for messages), the filters. 0 or EXIT_USAGE. */
int output_args__check(struct output_args *a, int argc, char **argv, const char *what);
/* r (open_trace(a->trace)) loaded with the filters (mo: sinks of its read, may be NULL);
 * NULL when that failed or the trace lacks a --pid or --chan (said in one line). */
struct model_load *output_args__load(struct output_args *a, struct trace_reader *r,
				     const struct model_opts *mo);
/* Says --critical-path's thread is not in the trace; returns 1. */
int output_args__tid_unknown(const struct output_args *a);
void output_args__free(struct output_args *a);

/* Opens a trace or says why not (one line); NULL then. */
struct trace_reader *open_trace(const char *path);
/* A damaged trace is still shown up to what was whole; say what was skipped. */
void warn_status(const struct trace_reader *r, const char *path);
/* Building the model of trace path failed (errno): say why, past the memory limit or out of memory. */
void model_failed(const char *path);
/* True when a and b name one file. */
bool same_file(const char *a, const char *b);

/*
 * An output of the CLI (SVG, export): where it goes is common/outpath.h's
 * policy ("-" is stdout); every write error is kept with its errno, so a
 * failure names the output and its real reason, never the trace.
 */
struct outfile {
	const char *path, *what;   /* as given; "SVG", "Perfetto JSON": for messages */
	struct outpath out;        /* the target (path NULL for stdout) */
	FILE *f;
	int fd;
	int write_err;             /* errno of the first failed write; 0 = none */
	mode_t mode;
	uid_t uid;                 /* owner to give a new file; -1 = keep */
	gid_t gid;
};

/* Says now (one line) whether path can be written, and leaves nothing behind. */
int outfile__check(const char *path, const char *what, const char *flag);
/* Opens the output; a stop signal from here removes its temporary file. */
int outfile__open(struct outfile *o, const char *path, mode_t mode, const char *what,
		  const char *flag);
void outfile__abort(struct outfile *o);
/* Flushes and puts the output in place; a failure is said, naming the output. */
int outfile__commit(struct outfile *o);
/*
 * A renderer returned err: says so naming the output when writing it failed,
 * else "DOING SOURCE failed: ..."; aborts the output; returns the error.
 */
int outfile__failed(struct outfile *o, int err, const char *doing, const char *source);

/*
 * Draws the SVG of l (read from trace_path) into o and commits it (or aborts it, saying why);
 * from riding if it rode l's read and held (passes.h), else with a read of its own.
 */
int render_svg(struct model_load *l, const struct svg_opts *sopts, struct svg_render *riding,
	       struct outfile *o, const char *trace_path);

#endif /* IPCTRACE_CLI_H */
