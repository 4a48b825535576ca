// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"

static const char hex[] = "0123456789abcdef";

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;
	uint32_t c, min;

	if (!n)
		return 0;
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

size_t utf8_chars(const char *s)
{
	size_t n = 0, left = strlen(s);
	uint32_t cp;

	while (left) {
		size_t len = utf8_decode(s, left, &cp);

		len = len ? len : 1;
		s += len;
		left -= len;
		n++;
	}
	return n;
}

bool escape__unsafe(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f || c == 0x061c;
}

bool escape__wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115f) ||    /* Hangul Jamo */
	       (c >= 0x2e80 && c <= 0x303e) ||    /* CJK radicals, punctuation */
	       (c >= 0x3041 && c <= 0x33ff) ||    /* kana, compatibility Jamo, CJK symbols */
	       (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
	       (c >= 0xa960 && c <= 0xa97f) || (c >= 0xac00 && c <= 0xd7a3) ||   /* Hangul */
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	       (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||   /* fullwidth */
	       (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x20000 && c <= 0x3fffd);
}

size_t escape__str(char *buf, size_t size, const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = s ? strnlen(s, maxlen) : 0, o = 0, i = 0;

	if (!size)
		return 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len && !escape__unsafe(cp) && cp != '\\') {
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
	size_t w = 0, left = strlen(s);
	uint32_t cp;

	while (left) {
		size_t len = utf8_decode(s, left, &cp);

		len = len ? len : 1;
		w += len > 1 && escape__wide(cp) ? 2 : 1;
		s += len;
		left -= len;
	}
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

/* XML: unsafe but the newline, which breaks a tooltip's lines. */
static bool xml_unsafe(uint32_t cp)
{
	return cp != '\n' && escape__unsafe(cp);
}

/* Columns a sequence of len bytes at code point cp takes once XML-escaped. */
static size_t xml_cols(size_t len, uint32_t cp)
{
	if (!len)
		return 1;
	if (xml_unsafe(cp))
		return 4 * len;
	return escape__wide(cp) ? 2 : 1;
}

size_t escape__xml_width(const char *s)
{
	size_t n = 0, left = s ? strlen(s) : 0;
	uint32_t cp;

	while (left) {
		size_t len = utf8_decode(s, left, &cp);

		n += xml_cols(len, cp);
		len = len ? len : 1;
		s += len;
		left -= len;
	}
	return n;
}

/* A byte XML takes as it is, one column wide: printable ASCII but markup. */
static bool xml_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

size_t escape__xml(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, left = s ? strlen(s) : 0;
	uint32_t cp;

	while (left) {
		size_t len, w, run = 0;

		/* without a width limit, a run of plain bytes (most of an SVG) goes out in one write */
		while (max == (size_t)-1 && run < left && xml_plain(p[run]))
			run++;
		if (run) {
			fwrite(p, 1, run, f);
			p += run;
			left -= run;
			continue;
		}
		len = utf8_decode((const char *)p, left, &cp);
		w = xml_cols(len, cp);

		if (max != (size_t)-1 && n + w > max)
			return escape__xml_width((const char *)p);
		n += w;
		if (len == 0) {
			fputs("\xef\xbf\xbd", f);   /* U+FFFD for a byte that is not UTF-8 */
			p++;
			left--;
			continue;
		}
		if (xml_unsafe(cp)) {
			/* XML 1.0 forbids most C0 controls, even as references */
			for (size_t j = 0; j < len; j++)
				fprintf(f, "\\x%c%c", hex[p[j] >> 4], hex[p[j] & 15]);
		} else if (len == 1) {
			switch (cp) {
			case '&': fputs("&amp;", f); break;
			case '<': fputs("&lt;", f); break;
			case '>': fputs("&gt;", f); break;
			case '"': fputs("&quot;", f); break;
			case '\'': fputs("&apos;", f); break;
			default: fputc((int)cp, f);
			}
		} else if (cp == 0xfffe || cp == 0xffff) {
			fputs("\xef\xbf\xbd", f);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		left -= len;
	}
	return 0;
}

void escape__json(FILE *out, const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = s ? strnlen(s, maxlen) : 0;

	fputc('"', out);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			/* a byte that is not UTF-8: \u00NN keeps it apart from any other */
			fprintf(out, "\\u00%c%c", hex[u[i] >> 4], hex[u[i] & 15]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			fputc('\\', out);
			fputc((int)cp, out);
		} else if (cp == '\n') {
			fputs("\\n", out);
		} else if (cp == '\t') {
			fputs("\\t", out);
		} else if (cp == '\r') {
			fputs("\\r", out);
		} else if (escape__unsafe(cp) || cp == 0x2028 || cp == 0x2029) {
			fprintf(out, "\\u%04x", cp);
		} else {
			fwrite(u + i, 1, len, out);
		}
		i += len;
	}
	fputc('"', out);
}
