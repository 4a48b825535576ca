// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Numbers for people: durations, counts, sizes; one format for every output. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"

const char *fmt_dur(char *b, size_t n, uint64_t ns)
{
	double v;
	const char *u;

	if (ns < 1000) {
		snprintf(b, n, "%" PRIu64 " ns", ns);
		return b;
	}
	if (ns < 1000000) {
		v = ns / 1e3;
		u = "\xc2\xb5s";
	} else if (ns < 1000000000) {
		v = ns / 1e6;
		u = "ms";
	} else {
		v = ns / 1e9;
		u = "s";
	}
	snprintf(b, n, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v, u);
	return b;
}

void fmt_window(char *a, size_t an, char *b, size_t bn, uint64_t from, uint64_t to)
{
	uint64_t scale, span = to > from ? to - from : 0, p10 = 1;
	const char *u;
	int d, maxd;
	double vt;

	if (to < 1000) {
		snprintf(a, an, "%" PRIu64 " ns", from);
		snprintf(b, bn, "%" PRIu64 " ns", to);
		return;
	}
	if (to < 1000000) {
		scale = 1000, u = "\xc2\xb5s", maxd = 3;
	} else if (to < 1000000000) {
		scale = 1000000, u = "ms", maxd = 6;
	} else {
		scale = 1000000000, u = "s", maxd = 9;
	}
	vt = (double)to / scale;
	d = vt < 10 ? 2 : vt < 100 ? 1 : 0;
	for (int i = 0; i < d; i++)
		p10 *= 10;
	/* more decimals until the window's length shows a digit of its own */
	while (d < maxd && span && span * p10 < scale) {
		d++;
		p10 *= 10;
	}
	snprintf(a, an, "%.*f %s", d, (double)from / scale, u);
	snprintf(b, bn, "%.*f %s", d, vt, u);
}

const char *fmt_count(char *b, size_t n, uint64_t v)
{
	char tmp[32];
	size_t len, o = 0;

	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	len = strlen(tmp);
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			b[o++] = ',';
		b[o++] = tmp[i];
	}
	b[o] = '\0';
	return b;
}

const char *fmt_bytes(char *b, size_t n, uint64_t v)
{
	if (v < 1024)
		snprintf(b, n, "%" PRIu64 " B", v);
	else if (v < 1024 * 1024)
		snprintf(b, n, "%.1f KiB", v / 1024.0);
	else if (v < 1024ull * 1024 * 1024)
		snprintf(b, n, "%.1f MiB", v / (1024.0 * 1024));
	else
		snprintf(b, n, "%.2f GiB", v / (1024.0 * 1024 * 1024));
	return b;
}
