// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json_writer.h"

struct json_writer {
	FILE *out;
	unsigned depth;
	bool pretty;
	bool sep;       /* a value was written at this depth: next needs a comma */
	bool after_name;
	bool bad;       /* unbalanced use */
};

struct json_writer *json_writer__new(FILE *out, bool pretty)
{
	struct json_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	w->pretty = pretty;
	return w;
}

int json_writer__free(struct json_writer *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (w->depth || w->bad)
		err = -EINVAL;
	fputc('\n', w->out);
	if (fflush(w->out) || ferror(w->out))
		err = -EIO;
	free(w);
	return err;
}

unsigned json_writer__depth(const struct json_writer *w)
{
	return w->depth;
}

static void indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (unsigned i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Comma and newline before a value or a name, unless it follows a name. */
static void begin_value(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->sep)
		fputc(',', w->out);
	if (w->depth)
		indent(w);
	w->sep = true;
}

void json_escape_string(FILE *out, const char *s, size_t maxlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = s ? strnlen(s, maxlen) : 0;

	fputc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		size_t len = 0;
		uint32_t cp = 0;

		if (c >= 0x20 && c < 0x7f) {
			if (c == '"' || c == '\\')
				fputc('\\', out);
			fputc(c, out);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		if (len && i + len <= n) {
			size_t j;

			for (j = 1; j < len && (u[i + j] & 0xc0) == 0x80; j++)
				cp = (cp << 6) | (u[i + j] & 0x3f);
			if (j == len && cp >= (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u) &&
			    cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
				if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x80 && cp <= 0x9f))
					fprintf(out, "\\u%04x", cp);
				else
					fwrite(u + i, 1, len, out);
				i += len;
				continue;
			}
		}
		/* control character or a byte that is not UTF-8: \u00XX of the byte */
		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			fputs("\\u00", out);
			fputc(hex[c >> 4], out);
			fputc(hex[c & 15], out);
		}
		i++;
	}
	fputc('"', out);
}

void json_writer__name(struct json_writer *w, const char *name)
{
	if (w->after_name)
		w->bad = true;
	begin_value(w);
	json_escape_string(w->out, name, SIZE_MAX);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_name = true;
}

static void open_container(struct json_writer *w, char c)
{
	begin_value(w);
	fputc(c, w->out);
	w->depth++;
	w->sep = false;
}

static void close_container(struct json_writer *w, char c)
{
	if (!w->depth || w->after_name) {
		w->bad = true;
		return;
	}
	w->depth--;
	if (w->sep)
		indent(w);
	fputc(c, w->out);
	w->sep = true;
}

void json_writer__start_object(struct json_writer *w) { open_container(w, '{'); }
void json_writer__end_object(struct json_writer *w) { close_container(w, '}'); }
void json_writer__start_array(struct json_writer *w) { open_container(w, '['); }
void json_writer__end_array(struct json_writer *w) { close_container(w, ']'); }

void json_writer__stringn(struct json_writer *w, const char *s, size_t maxlen)
{
	begin_value(w);
	json_escape_string(w->out, s, maxlen);
}

void json_writer__string(struct json_writer *w, const char *s)
{
	json_writer__stringn(w, s, SIZE_MAX);
}

void json_writer__uint(struct json_writer *w, uint64_t v)
{
	begin_value(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_writer__int(struct json_writer *w, int64_t v)
{
	begin_value(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_writer__float(struct json_writer *w, double v)
{
	begin_value(w);
	if (isfinite(v))
		fprintf(w->out, "%.6g", v);
	else
		fputs("null", w->out);
}

void json_writer__bool(struct json_writer *w, bool v)
{
	begin_value(w);
	fputs(v ? "true" : "false", w->out);
}

void json_writer__null(struct json_writer *w)
{
	begin_value(w);
	fputs("null", w->out);
}

void json_writer__string_field(struct json_writer *w, const char *name, const char *s)
{
	json_writer__name(w, name);
	json_writer__string(w, s);
}

void json_writer__stringn_field(struct json_writer *w, const char *name, const char *s, size_t maxlen)
{
	json_writer__name(w, name);
	json_writer__stringn(w, s, maxlen);
}

void json_writer__uint_field(struct json_writer *w, const char *name, uint64_t v)
{
	json_writer__name(w, name);
	json_writer__uint(w, v);
}

void json_writer__int_field(struct json_writer *w, const char *name, int64_t v)
{
	json_writer__name(w, name);
	json_writer__int(w, v);
}

void json_writer__float_field(struct json_writer *w, const char *name, double v)
{
	json_writer__name(w, name);
	json_writer__float(w, v);
}

void json_writer__bool_field(struct json_writer *w, const char *name, bool v)
{
	json_writer__name(w, name);
	json_writer__bool(w, v);
}

void json_writer__null_field(struct json_writer *w, const char *name)
{
	json_writer__name(w, name);
	json_writer__null(w);
}
