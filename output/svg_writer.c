// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
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
	escape__xml(w->f, s, (size_t)-1);
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
	escape__xml(w->f, s, (size_t)-1);
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
	if (max > 0 && escape__xml_width(s) > max) {
		escape__xml(w->f, s, max - 1);
		fputs("\xe2\x80\xa6", w->f);
	} else {
		escape__xml(w->f, s, (size_t)-1);
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
