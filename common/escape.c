// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 if the bytes are not valid UTF-8 (overlong, surrogate,
 * beyond U+10FFFF, truncated).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points a terminal acts on or that reorder text: never shown raw. */
static int cp_unsafe(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c;
}

size_t escape__str(char *buf, size_t size, const char *s, size_t maxlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = s ? strnlen(s, maxlen) : 0, o = 0, i = 0;

	if (!size)
		return 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_seq(u + i, n - i, &cp);

		if (len && !cp_unsafe(cp) && cp != '\\') {
			if (o + len >= size)
				break;
			memcpy(buf + o, u + i, len);
			o += len;
			i += len;
		} else if (len && cp == '\\') {
			if (o + 2 >= size)
				break;
			buf[o++] = '\\';
			buf[o++] = '\\';
			i++;
		} else {
			/* escape every byte of an unsafe or invalid sequence */
			size_t k = len ? len : 1;

			if (o + 4 * k >= size)
				break;
			for (size_t j = 0; j < k; j++) {
				buf[o++] = '\\';
				buf[o++] = 'x';
				buf[o++] = hex[u[i] >> 4];
				buf[o++] = hex[u[i] & 15];
				i++;
			}
		}
	}
	buf[o] = '\0';
	return o;
}

size_t escape__width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int escape__fputs(FILE *out, const char *s, size_t maxlen)
{
	char small[256];
	size_t n = s ? strnlen(s, maxlen) : 0;
	char *buf = small;
	int err = 0;

	if (ESCAPE_BUF(n) > sizeof(small)) {
		buf = malloc(ESCAPE_BUF(n));
		if (!buf)
			return -ENOMEM;
	}
	escape__str(buf, ESCAPE_BUF(n), s, n);
	if (fputs(buf, out) == EOF)
		err = -EIO;
	if (buf != small)
		free(buf);
	return err;
}
