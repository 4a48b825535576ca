/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small JSON writer over a FILE *, after bpftool's json_writer: it places
 * commas and indentation, tracks depth, and escapes every string so that
 * the output stays valid JSON whatever bytes a name holds.
 *
 *   struct json_writer *w = json_writer__new(stdout, true);
 *   json_writer__start_object(w);
 *   json_writer__uint_field(w, "pid", 42);
 *   json_writer__string_field(w, "comm", comm);
 *   json_writer__end_object(w);
 *   err = json_writer__free(w);       -EINVAL if unbalanced, -EIO on write error
 */
#ifndef IPCTRACE_JSON_WRITER_H
#define IPCTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *json_writer__new(FILE *out, bool pretty);
/* Ends the writer (newline after the top-level value). 0, -EINVAL, -EIO. */
int json_writer__free(struct json_writer *w);
unsigned json_writer__depth(const struct json_writer *w);

/* The next value or name starts a new line, e.g. one event per line in a compact stream. */
void json_writer__break(struct json_writer *w);

void json_writer__name(struct json_writer *w, const char *name);
void json_writer__start_object(struct json_writer *w);
void json_writer__end_object(struct json_writer *w);
void json_writer__start_array(struct json_writer *w);
void json_writer__end_array(struct json_writer *w);

/* At most maxlen bytes of s (stops at NUL); SIZE_MAX for a C string. */
void json_writer__stringn(struct json_writer *w, const char *s, size_t maxlen);
void json_writer__string(struct json_writer *w, const char *s);
void json_writer__uint(struct json_writer *w, uint64_t v);
void json_writer__int(struct json_writer *w, int64_t v);
void json_writer__float(struct json_writer *w, double v);
/* A number given in thousandths, written exactly: 1234567 as 1234.567 (ns as us). */
void json_writer__milli(struct json_writer *w, uint64_t thousandths);
void json_writer__bool(struct json_writer *w, bool v);
void json_writer__null(struct json_writer *w);

void json_writer__string_field(struct json_writer *w, const char *name, const char *s);
void json_writer__stringn_field(struct json_writer *w, const char *name, const char *s, size_t maxlen);
void json_writer__uint_field(struct json_writer *w, const char *name, uint64_t v);
void json_writer__int_field(struct json_writer *w, const char *name, int64_t v);
void json_writer__float_field(struct json_writer *w, const char *name, double v);
void json_writer__milli_field(struct json_writer *w, const char *name, uint64_t thousandths);
void json_writer__bool_field(struct json_writer *w, const char *name, bool v);
void json_writer__null_field(struct json_writer *w, const char *name);

#endif /* IPCTRACE_JSON_WRITER_H */
