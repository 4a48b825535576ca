// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What every subcommand shares: one-line errors, option values, the input trace. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "cli.h"
#include "lang.h"
#include "memlimit.h"
#include "model.h"
#include "msg.h"
#include "trace.h"


__attribute__((format(printf, 1, 2))) void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
}

/* Unknown or malformed options: one line that says what to do, exit 2. */
__attribute__((format(printf, 1, 2))) int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int getopt_error(int c, char **argv, const char *sub)
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

int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
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
int parse_list(const char *s, unsigned long long max, unsigned long long **vals, size_t *n)
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
int parse_lang(const char *s, const struct lang **l)
{
	*l = lang_find(s);
	if (!*l)
		return usage_error("bad language '%s' for --lang: give one of %s", s, lang_codes());
	return 0;
}

int parse_time_ns(const char *s, uint64_t *out)
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

struct trace_reader *open_trace(const char *path)
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
void warn_status(const struct trace_reader *r, const char *path)
{
	uint64_t dup = trace_reader__duplicate_blocks(r), back = trace_reader__reordered_blocks(r);
	const char *msg;

	if (dup)
		errorf("warning: %s: %llu block%s repeating the one before, skipped: the file was joined or "
		       "copied twice; nothing is counted twice", path, (unsigned long long)dup,
		       dup == 1 ? "" : "s");
	if (back)
		errorf("warning: %s: %llu block%s older than the one before, read: the file was put "
		       "together out of order; times may go backwards in the timeline", path,
		       (unsigned long long)back, back == 1 ? "" : "s");
	if (trace_reader__status(r) == TRACE_OK)
		return;
	msg = trace_reader__status_msg(r);
	if (msg && *msg)
		errorf("warning: %s: %s", path, msg);
	else
		errorf("warning: %s: damaged after event %llu: showing what was read before it", path,
		       (unsigned long long)trace_reader__events_read(r));
}

/* Building the model of a trace failed: past the memory limit (errno EFBIG) or out of memory. */
void model_failed(const char *path)
{
	const struct model_refusal *f = model__refusal();

	if (errno != EFBIG) {
		errorf("reading trace %s failed: %s: free some memory", path, strerror(errno ? errno : ENOMEM));
		return;
	}
	errorf("trace %s is too big to read here: after %llu events it held %zu threads and %zu channels "
	       "in %llu MiB, past the limit of %llu MiB (%s): set %s=MIB to allow more (0: no limit)",
	       path, (unsigned long long)f->events, f->threads, f->channels,
	       (unsigned long long)(f->rss >> 20), (unsigned long long)(f->limit >> 20),
	       memlimit__source(), MEMLIMIT_ENV);
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
bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char *ca, *cb;
	bool same;

	/* Two outputs onto one device or FIFO (-o /dev/null -w /dev/null) harm nothing. */
	if (!stat(a, &sa) && !S_ISREG(sa.st_mode) && !S_ISDIR(sa.st_mode))
		return false;
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
