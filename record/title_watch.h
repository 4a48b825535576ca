/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Processes whose title may still come: a forked server child titles itself
 * (setproctitle: a PostgreSQL backend's "postgres: user db [local] idle")
 * some milliseconds after its fork, a renamed process may rewrite its argv
 * after its name. The recorder reads each watched process's command line at
 * every tick until it differs from the first read (the title came) or
 * TITLE_SETTLE_NS have passed. A single read at the first tick can come
 * before the title, and the other reads can miss it: the kernel's at exit
 * when the event is lost, the recorder's at the stop when the process is
 * exiting then.
 *
 *   struct title_watch w = { 0 };
 *   title_watch__add(&w, pid, now, NULL, 0);      on a FORK
 *   title_watch__tick(&w, now, &ops, ctx);        every tick
 *   title_watch__free(&w);
 */
#ifndef IPCTRACE_TITLE_WATCH_H
#define IPCTRACE_TITLE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TITLE_SETTLE_NS (2000ull * 1000 * 1000)
/* at most this many watched at once (a fork storm): a new one replaces the longest watched */
#define TITLE_WATCH_MAX 512

struct title_watched {
	pid_t pid;
	bool read;      /* first is the hash of a read */
	uint32_t first; /* the command line's hash at the first read */
	uint64_t since;
};

struct title_watch {
	struct title_watched *w;
	size_t n, cap;
};

struct title_watch_ops {
	/* the process has not exited */
	bool (*alive)(void *ctx, pid_t pid);
	/* pid's command line into buf, *n bytes (0: none, as a zombie's); 0 or a negative errno */
	int (*read)(void *ctx, pid_t pid, char *buf, size_t len, size_t *n);
	/* a command line to record; a non-zero return stops the tick and is returned */
	int (*emit)(void *ctx, pid_t pid, const char *args, size_t n, uint64_t now);
};

/*
 * Watches pid from now. args (n bytes) is a read just recorded, or NULL: the
 * next tick's read is recorded whatever it says. Watched already: watched
 * from now again. 0 or -ENOMEM.
 */
int title_watch__add(struct title_watch *tw, pid_t pid, uint64_t now, const char *args, size_t n);
/* Reads each watched process, records it where it changed, lets go of the settled and gone. */
int title_watch__tick(struct title_watch *tw, uint64_t now, const struct title_watch_ops *ops,
		      void *ctx);
/* Watched processes. */
size_t title_watch__count(const struct title_watch *tw);
void title_watch__free(struct title_watch *tw);

#endif /* IPCTRACE_TITLE_WATCH_H */
