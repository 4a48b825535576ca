// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "msg.h"

void msg__vline(const char *fmt, va_list ap)
{
	char raw[1024], *big = NULL, *safe;
	const char *text = raw;
	va_list copy;
	size_t cap;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(raw, sizeof(raw), fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(raw) && (big = malloc((size_t)n + 1))) {
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		text = big;
	}
	cap = strlen(text) * 4 + 1;
	safe = malloc(cap);
	if (safe) {
		escape__str(safe, cap, text, SIZE_MAX);
		fprintf(stderr, "ipctrace: %s\n", safe);
	} else {
		/* No memory: drop what could be unsafe rather than print it raw. */
		char small[sizeof(raw)];

		escape__str(small, sizeof(small), text, SIZE_MAX);
		fprintf(stderr, "ipctrace: %s\n", small);
	}
	free(safe);
	free(big);
}

void msg__line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
}
