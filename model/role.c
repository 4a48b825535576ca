// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process roles from command lines and process titles. */
#include <stdio.h>
#include <string.h>
#include "role.h"

/* "NAME: rest" with NAME one word: a title set by setproctitle (postgres, nginx, sshd). */
static const char *title_rest(const char *cmdline)
{
	const char *colon = strstr(cmdline, ": ");

	if (!colon || colon == cmdline || memchr(cmdline, ' ', (size_t)(colon - cmdline)))
		return NULL;
	return colon + 2;
}

/* The program's file name: the first word without its directories. */
static size_t program(const char *cmdline, const char **start)
{
	size_t len = strcspn(cmdline, " ");
	const char *slash = memrchr(cmdline, '/', len);

	*start = slash ? slash + 1 : cmdline;
	return len - (size_t)(*start - cmdline);
}

void role__name(const char *cmdline, const char *comm, char *buf, size_t n)
{
	const char *prog, *arg;
	size_t plen, alen;

	if (!cmdline || !*cmdline) {
		snprintf(buf, n, "%s", comm ? comm : "");
		return;
	}
	if (title_rest(cmdline)) {
		snprintf(buf, n, "%s", cmdline);
		return;
	}
	plen = program(cmdline, &prog);
	arg = cmdline + strcspn(cmdline, " ");
	arg += strspn(arg, " ");
	alen = strcspn(arg, " ");
	/* an interpreter's script says more than the interpreter: "python3 app.py" */
	if (alen && *arg != '-')
		snprintf(buf, n, "%.*s %.*s", (int)plen, prog, (int)alen, arg);
	else
		snprintf(buf, n, "%.*s", (int)plen, prog);
}

void role__key(const char *cmdline, const char *comm, char *buf, size_t n)
{
	const char *rest, *prog;
	size_t plen;

	if (!cmdline || !*cmdline) {
		snprintf(buf, n, "%s", comm ? comm : "");
		return;
	}
	rest = title_rest(cmdline);
	if (rest) {
		snprintf(buf, n, "%.*s%.*s", (int)(rest - cmdline), cmdline, (int)strcspn(rest, " "),
			 rest);
		return;
	}
	plen = program(cmdline, &prog);
	snprintf(buf, n, "%.*s", (int)plen, prog);
}

/* The command line the recorder read (argv, or the title a server set); NULL when none. */
static const char *cmdline_of(const struct model_process *p)
{
	return p->cmdline[0] ? p->cmdline : NULL;
}

void role__of_process(const struct model_process *p, char *buf, size_t n)
{
	role__name(cmdline_of(p), p->comm, buf, n);
}

void role__key_of_process(const struct model_process *p, char *buf, size_t n)
{
	role__key(cmdline_of(p), p->comm, buf, n);
}
