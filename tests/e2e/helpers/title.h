/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the title helpers share: setproctitle the Linux way, and a monotonic clock. */
#ifndef IPCT_HELPER_TITLE_H
#define IPCT_HELPER_TITLE_H

#include <string.h>
#include <time.h>

/* the title over argv's memory, the rest NULs (as PostgreSQL and nginx do) */
static inline void set_title(char **argv, const char *title)
{
	char *end = argv[0];

	for (int i = 0; argv[i]; i++)
		end = argv[i] + strlen(argv[i]);
	memset(argv[0], 0, end - argv[0]);
	strncpy(argv[0], title, end - argv[0]);
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* IPCT_HELPER_TITLE_H */
