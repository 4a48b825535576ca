// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"

/* Length of the valid UTF-8 sequence at s that is not a C1 control, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, and C1 controls (U+0080-U+009F). */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

size_t msg__escape(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, n;

	if (!len)
		return 0;
	while (*s) {
		n = utf8_len(s);
		if (n == 1 && (*s < 0x20 || *s == 0x7f))
			n = 0;
		if (n) {
			if (o + n >= len)
				break;
			memcpy(dst + o, s, n);
			o += n;
			s += n;
		} else {
			if (o + 4 >= len)
				break;
			snprintf(dst + o, 5, "\\x%02x", *s);
			o += 4;
			s++;
		}
	}
	dst[o] = '\0';
	return o;
}

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
		msg__escape(safe, cap, text);
		fprintf(stderr, "ipctrace: %s\n", safe);
	} else {
		/* No memory: drop what could be unsafe rather than print it raw. */
		char small[sizeof(raw)];

		msg__escape(small, sizeof(small), text);
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
