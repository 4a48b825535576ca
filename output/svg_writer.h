/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small XML/SVG writer over a FILE *, in the manner of bpftool's
 * json_writer: elements nest, depth is tracked and checked at the end, and
 * every string (text or attribute) goes through escape__xml (escape.h), which
 * turns untrusted bytes (invalid UTF-8, control characters) into valid XML.
 *
 *   struct svgw *w = svgw__new(f);
 *   svgw__open(w, "rect");  svgw__attr(w, "x", "%d", 3);  svgw__close(w);
 *   svgw__open(w, "text");  svgw__text(w, name);  svgw__close(w);
 *   err = svgw__free(w);    0, or -EINVAL if elements were left open
 */
#ifndef IPCTRACE_SVG_WRITER_H
#define IPCTRACE_SVG_WRITER_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "escape.h"

struct svgw;

struct svgw *svgw__new(FILE *f);
/* Returns 0, -EINVAL if elements are still open, or -EIO on a write error. */
int svgw__free(struct svgw *w);

/* Start an element; attributes may follow until content or close. */
void svgw__open(struct svgw *w, const char *tag);
/* An attribute whose value is formatted then escaped. */
void svgw__attr(struct svgw *w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A numeric attribute with one decimal, trailing ".0" dropped. */
void svgw__attr_num(struct svgw *w, const char *name, double v);
/* Escaped text content. */
void svgw__text(struct svgw *w, const char *s);
void svgw__textf(struct svgw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Escaped text content of at most max columns, "…" marking a cut. */
void svgw__text_trunc(struct svgw *w, const char *s, size_t max);
/* Trusted constant markup (a <style> body); never for untrusted text. */
void svgw__raw(struct svgw *w, const char *s);
/* Close the innermost open element. */
void svgw__close(struct svgw *w);
/* <tag>text</tag> in one call, e.g. a <title> tooltip. */
void svgw__element_text(struct svgw *w, const char *tag, const char *s);
int svgw__depth(const struct svgw *w);

#endif /* IPCTRACE_SVG_WRITER_H */
