// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ipctrace: record how processes talk to each other, then report and draw it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "model.h"
#include "msg.h"
#include "outpath.h"
#include "perfetto.h"
#include "recorder.h"
#include "report.h"
#include "svg.h"
#include "trace.h"

#ifndef IPCTRACE_VERSION
#define IPCTRACE_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2
#define DEFAULT_TRACE "ipctrace.trace"
#define DEFAULT_SVG "ipctrace.svg"
#define DEFAULT_PERFETTO "ipctrace.json"
#define MAX_PID 4194304

static const char usage_text[] =
"Usage:\n"
"  sudo ipctrace [OPTIONS] -p PID[,PID...]     trace running processes\n"
"  sudo ipctrace [OPTIONS] -- COMMAND [ARG...] run COMMAND traced\n"
"  ipctrace report [--json] [--all-files] TRACE\n"
"  ipctrace render [-o SVG] [--from T] [--to T] [--width PX] [--pid P,...]\n"
"                  [--chan ID,...] [--title TEXT] TRACE\n"
"  ipctrace export --perfetto [-o FILE.json] TRACE\n"
"  ipctrace help | --help | version | --version\n"
"\n"
"Records which thread blocks on which pipe, FIFO, queue or socket, who\n"
"busy-polls, who sleeps in poll/epoll, and which write wakes which reader;\n"
"writes a trace, a timeline SVG and a report of every channel (its kind and\n"
"direction, and each side's mode).\n"
"\n"
"Record options (recording needs root, or CAP_BPF and CAP_PERFMON):\n"
"  -p, --pid PID[,PID...]  attach to running processes: all their threads, and\n"
"                          the processes they start from then on\n"
"  -d, --duration SECONDS  stop after this long (fractions allowed: -d 0.5)\n"
"  -o, --output TRACE      trace file (default " DEFAULT_TRACE "), written 0600\n"
"  -w, --svg SVG           timeline SVG (default " DEFAULT_SVG ")\n"
"      --no-svg            do not draw the SVG\n"
"      --no-report         do not print the text report\n"
"  -b, --buffer MIB        ring buffer size in MiB, a power of two (default 16);\n"
"                          raise it if events are lost\n"
"  -z, --compress LEVEL    zlib level of the trace, 0-9 (default 1)\n"
"      --ipc-only          record only IPC syscalls (smaller trace; time in other\n"
"                          syscalls then counts as user time)\n"
"  -q, --quiet             no status line, notes or summary on stderr\n"
"  -v, --verbose           show libbpf's messages (twice: its debug log too)\n"
"\n"
"Recording stops at Ctrl-C, SIGTERM or SIGHUP, after -d, or when every traced\n"
"process has exited. With -- COMMAND, stdin, stdout and stderr pass through to\n"
"the command, and ipctrace exits with the command's exit status (128+N if a\n"
"signal N killed it; 127 if it was not found), like time(1). When recording\n"
"stops before the command ends, the command is sent SIGTERM (or the signal that\n"
"stopped ipctrace) and, if still running 2 s later, SIGKILL.\n"
"\n"
"Subcommands (no privileges needed; any machine can read a trace):\n"
"  report    the report as text, or with --json as one JSON object;\n"
"            --all-files keeps file channels that nobody wrote\n"
"  render    the timeline SVG (-o default " DEFAULT_SVG ", - for stdout);\n"
"            --from/--to T: window from trace start, T like 1.5, 250ms, 40us;\n"
"            --width PX; --pid/--chan: only these processes / channel ids\n"
"  export    --perfetto: Trace Event JSON for ui.perfetto.dev and\n"
"            chrome://tracing (-o default " DEFAULT_PERFETTO ", - for stdout)\n"
"\n"
"Examples:\n"
"  sudo ipctrace -- sh -c 'seq 1 200000 | sort -n | uniq -c >/dev/null'\n"
"  sudo ipctrace -p \"$(pgrep -d, nginx)\" -d 10 -w nginx.svg\n"
"  ipctrace report --json ipctrace.trace | python3 -m json.tool\n"
"  ipctrace render --from 1s --to 1.2s --width 2000 -o zoom.svg ipctrace.trace\n"
"  ipctrace export --perfetto -o trace.json ipctrace.trace\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error; when recording a\n"
"COMMAND, the command's status. See ipctrace(1).\n";

__attribute__((format(printf, 1, 2))) static void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
}

/* Unknown or malformed options: one line that says what to do, exit 2. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static int getopt_error(int c, char **argv, const char *sub)
{
	const char *pre = sub ? sub : "", *sep = sub ? ": " : "", *arg = argv[optind - 1];
	char name[64];

	/* Long options are named by what was typed; short ones by optopt. */
	if (!strncmp(arg, "--", 2) || !optopt)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(name, sizeof(name), "-%c", optopt);
	if (c == ':')
		return usage_error("%s%soption %s needs a value: see ipctrace --help", pre, sep, name);
	return usage_error("%s%sunknown option %s: see ipctrace --help", pre, sep, name);
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "1,2,3" into a growing array of positive numbers. */
static int parse_list(const char *s, unsigned long long max, unsigned long long **vals, size_t *n)
{
	char *copy, *tok, *save = NULL;
	unsigned long long v, *nv;
	int err = 0;

	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	if (!*copy)
		err = -EINVAL;
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		if (parse_u64(tok, max, &v) || v == 0) {
			err = -EINVAL;
			break;
		}
		nv = realloc(*vals, (*n + 1) * sizeof(**vals));
		if (!nv) {
			err = -ENOMEM;
			break;
		}
		*vals = nv;
		(*vals)[(*n)++] = v;
	}
	/* "1,,2" and trailing commas are mistakes, not empty entries. */
	if (!err && (strstr(s, ",,") || s[0] == ',' || s[strlen(s) - 1] == ','))
		err = -EINVAL;
	free(copy);
	return err;
}

/* A time like 1.5 (seconds), 1.5s, 250ms, 40us, 100ns, 2m; into ns. */
static int parse_time_ns(const char *s, uint64_t *out)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 }, { "m", 60e9 },
	};
	char *end;
	double v;
	size_t i;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			if (v * units[i].ns > 1e18)
				return -EINVAL;
			*out = (uint64_t)llround(v * units[i].ns);
			return 0;
		}
	}
	return -EINVAL;
}

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

/* An output file written under a temporary name and renamed when complete. */
struct outfile {
	const char *path;
	char *tmp;
	FILE *f;
	mode_t mode;
	uid_t uid;   /* owner to give it; -1 = keep */
	gid_t gid;
};

static int outfile__open(struct outfile *o, const char *path, mode_t mode, const char *what,
			 const char *flag)
{
	struct stat st;
	int fd, err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->mode = mode;
	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		errorf("cannot write %s %s: it is a directory: give a file name with %s", what, path,
		       flag);
		return -EISDIR;
	}
	if (outpath__tmp_template(path, &o->tmp))
		return -ENOMEM;
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		errorf("cannot write %s %s: %s: choose a writable path with %s", what, path,
		       strerror(-err), flag);
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		err = -errno;
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	return 0;
}

/* The temporary output a stop signal must not leave behind while it is written. */
static const char *volatile pending_tmp;

static void remove_pending_and_die(int sig)
{
	const char *tmp = pending_tmp;

	if (tmp)
		unlink(tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* From here a stop signal removes tmp, then ends ipctrace as it would have; NULL: default. */
static void guard_tmp(const char *tmp)
{
	struct sigaction sa = { .sa_handler = tmp ? remove_pending_and_die : SIG_DFL };

	pending_tmp = tmp;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void outfile__abort(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp) {
		unlink(o->tmp);
		if (pending_tmp == o->tmp)
			guard_tmp(NULL);
		free(o->tmp);
	}
	o->f = NULL;
	o->tmp = NULL;
}

static int outfile__commit(struct outfile *o, const char *what)
{
	mode_t mask;
	int err = 0;

	if (o->f == stdout) {
		if (fflush(stdout))
			err = -errno;
		o->f = NULL;
		if (err)
			errorf("writing %s to stdout failed: %s: check the pipe or disk", what,
			       strerror(-err));
		return err;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fileno(o->f), o->mode & ~mask))
		err = -errno;
	if (!err && o->uid != (uid_t)-1 && fchown(fileno(o->f), o->uid, o->gid))
		err = -errno;
	if (fflush(o->f) && !err)
		err = -errno;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err) {
		errorf("writing %s %s failed: %s: free disk space or choose another path", what,
		       o->path, strerror(-err));
		unlink(o->tmp);
	}
	if (pending_tmp == o->tmp)
		guard_tmp(NULL);
	free(o->tmp);
	o->tmp = NULL;
	return err;
}

static struct trace_reader *open_trace(const char *path)
{
	struct trace_reader *r;
	const char *msg = NULL, *todo;
	int err = 0;

	r = trace_reader__open_path(path, &err, &msg);
	if (r)
		return r;
	switch (err) {
	case -ENOENT: todo = "check the file name"; break;
	case -EACCES: case -EPERM: todo = "check its permissions"; break;
	case -EISDIR: todo = "give a trace file, not a directory"; break;
	case -EFBIG: todo = "save the trace to a file and read that"; break;
	default:
		todo = msg && strstr(msg, "newer") ? "read it with a newer ipctrace"
						   : "give a trace file written by ipctrace";
	}
	errorf("cannot read trace %s: %s: %s", path, msg && *msg ? msg : strerror(err ? -err : EIO),
	       todo);
	return NULL;
}

/* A damaged trace is still shown up to what was whole; say what was skipped. */
static void warn_status(const struct trace_reader *r, const char *path)
{
	const char *msg;

	if (trace_reader__status(r) == TRACE_OK)
		return;
	msg = trace_reader__status_msg(r);
	if (msg && *msg)
		errorf("warning: %s: %s", path, msg);
	else
		errorf("warning: %s: damaged after event %llu: showing what was read before it", path,
		       (unsigned long long)trace_reader__events_read(r));
}

/* Its directory resolved, then its last component: two spellings of one file compare equal. */
static char *canonical_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir, *real, *out = NULL;

	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return NULL;
	real = realpath(dir, NULL);
	if (real && asprintf(&out, "%s/%s", real, base) < 0)
		out = NULL;
	free(real);
	free(dir);
	return out;
}

/* True when a and b name one file: the same spelling resolved, or one inode already. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char *ca, *cb;
	bool same;

	if (!strcmp(a, b))
		return true;
	if (!stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return true;
	ca = canonical_name(a);
	cb = canonical_name(b);
	same = ca && cb && !strcmp(ca, cb);
	free(ca);
	free(cb);
	return same;
}

static int do_help(int argc, char **argv)
{
	fputs(usage_text, stdout);
	return 0;
}

static int do_version(int argc, char **argv)
{
	printf("ipctrace %s (trace format %d, libbpf %s)\n", IPCTRACE_VERSION, TRACE_VERSION,
	       libbpf_version_string());
	return 0;
}

static int do_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all-files", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_opts mopts = { 0 };
	struct trace_reader *r;
	struct model *m;
	bool json = false;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'a': mopts.all_files = true; break;
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
		   : report__text(m, trace_reader__meta(r), stdout);
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		errorf("writing the report failed: %s: check the output", strerror(-err));
	model__free(m);
	trace_reader__free(r);
	return err ? 1 : 0;
}

static int render_svg(struct trace_reader *r, const struct svg_opts *sopts, struct outfile *o,
		      const char *trace_path)
{
	int err;

	err = svg__render(r, sopts, o->f);
	if (err) {
		errorf("drawing the SVG from %s failed: %s: check the trace with ipctrace report",
		       trace_path, strerror(-err));
		outfile__abort(o);
		return err;
	}
	return outfile__commit(o, "SVG");
}

static int do_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "width", required_argument, NULL, 'W' },
		{ "pid", required_argument, NULL, 'p' },
		{ "chan", required_argument, NULL, 'c' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long *pids = NULL, *chans = NULL, w;
	size_t npids = 0, nchans = 0, i;
	uint32_t *pid32 = NULL;
	int *chanint = NULL;
	const char *out = DEFAULT_SVG;
	struct svg_opts sopts = { 0 };
	struct trace_reader *r = NULL;
	struct outfile o = { 0 };
	int c, ret = EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'F':
			if (parse_time_ns(optarg, &sopts.from_ns)) {
				usage_error("bad time '%s' for --from: give e.g. 1.5, 1.5s, 250ms or 40us", optarg);
				goto out;
			}
			break;
		case 'T':
			if (parse_time_ns(optarg, &sopts.to_ns) || !sopts.to_ns) {
				usage_error("bad time '%s' for --to: give e.g. 2, 2s, 250ms or 40us (> 0)", optarg);
				goto out;
			}
			break;
		case 'W':
			if (parse_u64(optarg, 1000000, &w) || w < 100) {
				usage_error("bad width '%s' for --width: give pixels, 100 to 1000000", optarg);
				goto out;
			}
			sopts.width = w;
			break;
		case 'p':
			if (parse_list(optarg, MAX_PID, &pids, &npids)) {
				usage_error("bad pid list '%s' for --pid: give PIDs separated by commas", optarg);
				goto out;
			}
			break;
		case 'c':
			if (parse_list(optarg, INT_MAX, &chans, &nchans)) {
				usage_error("bad channel list '%s' for --chan: give channel ids (from the report) "
					    "separated by commas", optarg);
				goto out;
			}
			break;
		case 't': sopts.title = optarg; break;
		case 'h': ret = do_help(0, NULL); goto out;
		default: ret = getopt_error(c, argv, "render"); goto out;
		}
	}
	if (optind != argc - 1) {
		usage_error("render needs exactly one TRACE file: see ipctrace --help");
		goto out;
	}
	if (!*out) {
		usage_error("render: -o needs a file name (or - for stdout), not an empty one");
		goto out;
	}
	if (strcmp(out, "-") && same_file(out, argv[optind])) {
		usage_error("render: -o %s is the trace itself: give another name for the SVG", out);
		goto out;
	}
	if (sopts.to_ns && sopts.to_ns <= sopts.from_ns) {
		usage_error("bad window: --to must be later than --from");
		goto out;
	}
	ret = 1;
	if (npids) {
		pid32 = calloc(npids, sizeof(*pid32));
		if (!pid32)
			goto out;
		for (i = 0; i < npids; i++)
			pid32[i] = pids[i];
		sopts.pids = pid32;
		sopts.npids = npids;
	}
	if (nchans) {
		chanint = calloc(nchans, sizeof(*chanint));
		if (!chanint)
			goto out;
		for (i = 0; i < nchans; i++)
			chanint[i] = chans[i];
		sopts.chans = chanint;
		sopts.nchans = nchans;
	}
	r = open_trace(argv[optind]);
	if (!r)
		goto out;
	if (outfile__open(&o, out, 0666, "SVG", "-o"))
		goto out;
	guard_tmp(o.tmp);
	if (render_svg(r, &sopts, &o, argv[optind]))
		goto out;
	warn_status(r, argv[optind]);
	ret = 0;
out:
	trace_reader__free(r);
	free(pids);
	free(chans);
	free(pid32);
	free(chanint);
	return ret;
}

static int do_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "perfetto", no_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = DEFAULT_PERFETTO;
	struct trace_reader *r;
	struct outfile o;
	bool perfetto = false;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P': perfetto = true; break;
		case 'o': out = optarg; break;
		case 'h': return do_help(0, NULL);
		default: return getopt_error(c, argv, "export");
		}
	}
	if (!perfetto)
		return usage_error("export needs a format: give --perfetto");
	if (optind != argc - 1)
		return usage_error("export needs exactly one TRACE file: see ipctrace --help");
	if (!*out)
		return usage_error("export: -o needs a file name (or - for stdout), not an empty one");
	if (strcmp(out, "-") && same_file(out, argv[optind]))
		return usage_error("export: -o %s is the trace itself: give another name for the JSON",
				   out);
	r = open_trace(argv[optind]);
	if (!r)
		return 1;
	if (outfile__open(&o, out, 0666, "Perfetto JSON", "-o")) {
		trace_reader__free(r);
		return 1;
	}
	guard_tmp(o.tmp);
	err = perfetto__export(r, o.f);
	if (err) {
		errorf("exporting %s failed: %s: check the trace with ipctrace report", argv[optind],
		       strerror(-err));
		outfile__abort(&o);
	} else {
		err = outfile__commit(&o, "Perfetto JSON");
	}
	if (!err)
		warn_status(r, argv[optind]);
	trace_reader__free(r);
	return err ? 1 : 0;
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
			if (parse_u64(optarg, 1024, &v) || !v || (v & (v - 1)))
				return usage_error("bad ring buffer size '%s' for -b: give MiB as a power of two "
						   "from 1 to 1024", optarg);
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

static int show_results(const struct record_args *a, struct outfile *svg, bool *svg_ok)
{
	struct svg_opts sopts = { 0 };
	struct trace_reader *r;
	struct model *m;
	int ret = 0;

	r = open_trace(a->ro.trace_path);
	if (!r) {
		if (svg->f)
			outfile__abort(svg);
		return 1;
	}
	if (svg->f) {
		if (render_svg(r, &sopts, svg, a->ro.trace_path))
			ret = 1;
		else
			*svg_ok = true;
	}
	if (!a->no_report) {
		if (trace_reader__rewind(r)) {
			errorf("rereading trace %s failed: check it with ipctrace report", a->ro.trace_path);
			ret = 1;
		} else if (!(m = model__from_reader(r, NULL))) {
			errorf("reading trace %s failed: out of memory: free some memory", a->ro.trace_path);
			ret = 1;
		} else {
			if (report__text(m, trace_reader__meta(r), stdout) || fflush(stdout)) {
				errorf("writing the report failed: %s: check stdout", strerror(errno));
				ret = 1;
			}
			model__free(m);
		}
	}
	warn_status(r, a->ro.trace_path);
	trace_reader__free(r);
	return ret;
}

static int do_record(int argc, char **argv)
{
	struct record_args a = { 0 };
	struct recorder_stats st;
	struct outfile svg = { 0 };
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
	recorder__catch_signals();
	/* Both outputs are created before anything is attached. */
	if (!a.no_svg && outfile__open(&svg, a.svg_path, 0666, "SVG", "-w"))
		goto out;
	svg.uid = a.ro.owner_uid;
	svg.gid = a.ro.owner_gid;
	rec = recorder__new(&a.ro, &err);
	if (!rec)
		goto out;
	err = recorder__run(rec);
	/* Recording is over (the trace is whole): a stop signal now only removes the SVG's tmp. */
	guard_tmp(svg.tmp);
	code = recorder__exit_code(rec);
	recorder__stats(rec, &st);
	if (err) {
		ret = st.cmd_exec_failed ? code : 1;
		goto out;
	}
	ret = show_results(&a, &svg, &svg_ok);
	if (st.lost)
		errorf("warning: the kernel dropped %llu events (ring buffer full): raise -b "
		       "(now %u MiB) to lose fewer", (unsigned long long)st.lost,
		       a.ro.ring_mib ? a.ro.ring_mib : 16);
	if (st.bad_events)
		errorf("warning: %llu events from the kernel had an unexpected size and were skipped: "
		       "rebuild ipctrace (make clean all)", (unsigned long long)st.bad_events);
	if (!a.ro.quiet)
		print_summary(&a, &st, svg_ok);
	if (!ret)
		ret = code;
out:
	if (svg.f)
		outfile__abort(&svg);
	recorder__free(rec);
	free((char *)a.ro.cmdline);
	free(pids);
	free(a.pids);
	return ret;
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "report", do_report },
	{ "render", do_render },
	{ "export", do_export },
	{ "help", do_help },
	{ "version", do_version },
	{ 0 },
};

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 1) {
		for (c = cmds; c->name; c++)
			if (!strcmp(argv[1], c->name))
				return c->fn(argc - 1, argv + 1);
	}
	return do_record(argc, argv);
}
