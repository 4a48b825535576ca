// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The memory limit for reading a trace (memlimit.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "memlimit.h"

static bool known;
static bool from_env;
static uint64_t limit;

/* MemAvailable from /proc/meminfo in bytes, 0 if unknown. */
static uint64_t available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

uint64_t memlimit__bytes(void)
{
	const char *env = getenv(MEMLIMIT_ENV);
	char *end;

	if (known)
		return limit;
	known = true;
	if (env && *env) {
		unsigned long long mb = strtoull(env, &end, 10);

		if (!*end) {
			from_env = true;
			limit = (uint64_t)mb << 20;
			return limit;
		}
	}
	limit = available() / 10 * 9;
	return limit;
}

const char *memlimit__source(void)
{
	memlimit__bytes();
	return from_env ? MEMLIMIT_ENV : "90% of available memory";
}

uint64_t memlimit__rss(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long long size, resident = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}
