// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "svg_writer.h"

#define SVGW_MAX_DEPTH 32

struct svgw {
	FILE *f;
	int depth;
	bool in_tag;                        /* "<tag" written, ">" not yet */
	const char *tags[SVGW_MAX_DEPTH];
	bool had_text[SVGW_MAX_DEPTH];      /* text content: no layout newlines */
	bool had_child[SVGW_MAX_DEPTH];
	bool overflow;
};

int utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	int n, i;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		unsigned char b = s[i];

		if (b < lo || b > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (b & 0x3f);
	}
	*cp = v;
	return n;
}

size_t utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp;

	while (*p) {
		int len = utf8_decode((const char *)p, &cp);

		p += len ? len : 1;
		n++;
	}
	return n;
}

/* Controls shown as "\xNN"; a newline stays, it breaks a tooltip's lines. */
static bool is_ctl(uint32_t cp)
{
	return (cp < 0x20 && cp != '\n') || cp == 0x7f;
}

/* Columns a code point takes once escaped. */
static size_t esc_width(int len, uint32_t cp)
{
	return len == 1 && is_ctl(cp) ? 4 : 1;
}

size_t xml_width(const char *s)
{
	size_t n = 0;
	uint32_t cp;

	while (*s) {
		int len = utf8_decode(s, &cp);

		n += len ? esc_width(len, cp) : 1;
		s += len ? len : 1;
	}
	return n;
}

size_t xml_escape(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp;

	if (!s)
		return 0;
	while (*p) {
		int len = utf8_decode((const char *)p, &cp);
		size_t w = len ? esc_width(len, cp) : 1;

		if (max != (size_t)-1 && n + w > max)
			return xml_width((const char *)p);
		n += w;
		if (len == 0) {
			fputs("\xef\xbf\xbd", f);   /* U+FFFD for a byte that is not UTF-8 */
			p++;
			continue;
		}
		if (len == 1) {
			switch (cp) {
			case '&': fputs("&amp;", f); break;
			case '<': fputs("&lt;", f); break;
			case '>': fputs("&gt;", f); break;
			case '"': fputs("&quot;", f); break;
			case '\'': fputs("&apos;", f); break;
			default:
				/* XML 1.0 forbids most C0 controls, even as references */
				if (is_ctl(cp))
					fprintf(f, "\\x%02x", cp);
				else
					fputc((int)cp, f);
			}
		} else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
			fputs("\xef\xbf\xbd", f);
		} else {
			fwrite(p, 1, (size_t)len, f);
		}
		p += len;
	}
	return 0;
}

struct svgw *svgw__new(FILE *f)
{
	struct svgw *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = f;
	return w;
}

int svgw__free(struct svgw *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (w->depth != 0 || w->in_tag || w->overflow)
		err = -EINVAL;
	else if (ferror(w->f))
		err = -EIO;
	free(w);
	return err;
}

int svgw__depth(const struct svgw *w)
{
	return w->depth;
}

/* End a pending start tag: content follows. */
static void end_start_tag(struct svgw *w)
{
	if (w->in_tag) {
		fputc('>', w->f);
		w->in_tag = false;
	}
}

void svgw__open(struct svgw *w, const char *tag)
{
	end_start_tag(w);
	if (w->depth >= SVGW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	if (w->depth > 0) {
		w->had_child[w->depth - 1] = true;
		if (!w->had_text[w->depth - 1])
			fputc('\n', w->f);
	}
	fprintf(w->f, "<%s", tag);
	w->tags[w->depth] = tag;
	w->had_text[w->depth] = false;
	w->had_child[w->depth] = false;
	w->depth++;
	w->in_tag = true;
}

static void vattr(struct svgw *w, const char *name, const char *fmt, va_list ap)
{
	char buf[512];
	char *s = buf;
	va_list aq;
	int n;

	assert(w->in_tag);
	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		s = malloc((size_t)n + 1);
		if (!s)
			return;
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	}
	fprintf(w->f, " %s=\"", name);
	xml_escape(w->f, s, (size_t)-1);
	fputc('"', w->f);
	if (s != buf)
		free(s);
}

void svgw__attr(struct svgw *w, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vattr(w, name, fmt, ap);
	va_end(ap);
}

void svgw__attr_num(struct svgw *w, const char *name, double v)
{
	char buf[64];
	size_t n;

	/* one decimal is below what any renderer shows, and keeps files small */
	snprintf(buf, sizeof(buf), "%.1f", v);
	if (strcmp(buf, "-0.0") == 0)
		strcpy(buf, "0.0");
	n = strlen(buf);
	if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
		buf[n - 2] = '\0';
	fprintf(w->f, " %s=\"%s\"", name, buf);
}

void svgw__text(struct svgw *w, const char *s)
{
	end_start_tag(w);
	if (w->depth > 0)
		w->had_text[w->depth - 1] = true;
	xml_escape(w->f, s, (size_t)-1);
}

void svgw__textf(struct svgw *w, const char *fmt, ...)
{
	char buf[1024];
	char *s = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		s = malloc((size_t)n + 1);
		if (!s)
			return;
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	svgw__text(w, s);
	if (s != buf)
		free(s);
}

void svgw__text_trunc(struct svgw *w, const char *s, size_t max)
{
	end_start_tag(w);
	if (w->depth > 0)
		w->had_text[w->depth - 1] = true;
	if (max > 0 && xml_width(s) > max) {
		xml_escape(w->f, s, max - 1);
		fputs("\xe2\x80\xa6", w->f);
	} else {
		xml_escape(w->f, s, (size_t)-1);
	}
}

void svgw__raw(struct svgw *w, const char *s)
{
	end_start_tag(w);
	if (w->depth > 0)
		w->had_text[w->depth - 1] = true;
	fputs(s, w->f);
}

void svgw__close(struct svgw *w)
{
	const char *tag;

	if (w->overflow || w->depth == 0) {
		w->overflow = true;
		return;
	}
	w->depth--;
	tag = w->tags[w->depth];
	if (w->in_tag) {
		fputs("/>", w->f);
		w->in_tag = false;
		return;
	}
	if (w->had_child[w->depth] && !w->had_text[w->depth])
		fputc('\n', w->f);
	fprintf(w->f, "</%s>", tag);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void svgw__element_text(struct svgw *w, const char *tag, const char *s)
{
	svgw__open(w, tag);
	svgw__text(w, s);
	svgw__close(w);
}
