// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "json_writer.h"

struct json_writer {
	FILE *out;
	unsigned depth;
	bool pretty;
	bool sep;       /* a value was written at this depth: next needs a comma */
	bool after_name;
	bool bad;       /* unbalanced use */
	bool brk;       /* next value starts a line (json_writer__break) */
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
	if (w->brk)
		fputc('\n', w->out);
	else if (w->depth)
		indent(w);
	w->brk = false;
	w->sep = true;
}

void json_writer__break(struct json_writer *w)
{
	w->brk = true;
}

void json_writer__name(struct json_writer *w, const char *name)
{
	if (w->after_name)
		w->bad = true;
	begin_value(w);
	escape__json(w->out, name, SIZE_MAX);
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
	escape__json(w->out, s, maxlen);
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

void json_writer__milli(struct json_writer *w, uint64_t thousandths)
{
	begin_value(w);
	fprintf(w->out, "%" PRIu64 ".%03" PRIu64, thousandths / 1000, thousandths % 1000);
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

void json_writer__milli_field(struct json_writer *w, const char *name, uint64_t thousandths)
{
	json_writer__name(w, name);
	json_writer__milli(w, thousandths);
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
