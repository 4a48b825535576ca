/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Untrusted text (comm, paths, command lines) made safe for where it goes:
 * one module, one rule per target, used by every output.
 *
 * Unsafe code points, in every target: C0 controls, DEL, C1 controls and
 * the bidi controls that reorder text (U+061C, U+200E/F, U+202A-E,
 * U+2066-9): they could drive a terminal or disguise a name.
 *
 *   terminal (reports, stderr): valid printable UTF-8 passes; unsafe code
 *     points and invalid UTF-8 come out as \xNN per byte, a backslash as "\\".
 *   XML (SVG text and attributes): & < > " ' as entities; unsafe code points
 *     as the text "\xNN" per byte (a newline stays: it breaks tooltip lines);
 *     invalid UTF-8 and the non-characters U+FFFE/U+FFFF as U+FFFD.
 *   JSON (strings): " and \ escaped; unsafe code points and U+2028/9 as
 *     \uXXXX (lossless for scripts); a byte that is not UTF-8 as \u00NN.
 *
 *   char buf[ESCAPE_BUF(IPCT_COMM_LEN)];
 *   escape__str(buf, sizeof(buf), t->comm, sizeof(t->comm));
 */
#ifndef IPCTRACE_ESCAPE_H
#define IPCTRACE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Room for the terminal form of n input bytes (worst case 4x) and the NUL. */
#define ESCAPE_BUF(n) ((n) * 4 + 1)

/*
 * Length (1..4) of the valid UTF-8 sequence at s (at most n bytes) and its
 * code point in *cp, or 0 when the bytes are not one (overlong, surrogate,
 * beyond U+10FFFF, truncated).
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Number of characters (code points, invalid bytes counting one each). */
size_t utf8_chars(const char *s);
/* True for a code point no target shows raw (see above). */
bool escape__unsafe(uint32_t cp);
/* True for a code point drawn about twice as wide as a Latin letter (Hangul, CJK, fullwidth). */
bool escape__wide(uint32_t cp);

/* Terminal: at most maxlen bytes of s (stops at NUL) into buf, always
 * NUL-terminated, cut at a whole escape. Returns the length written. */
size_t escape__str(char *buf, size_t size, const char *s, size_t maxlen);
/* Terminal columns of an escaped string: one per code point, two for a wide one. */
size_t escape__width(const char *s);
/* Terminal: escape and write to out. 0 or -EIO. */
int escape__fputs(FILE *out, const char *s, size_t maxlen);

/*
 * XML: write s escaped, at most max columns ((size_t)-1 = all); returns
 * the columns of s left unwritten. Columns as escape__xml_width counts them.
 */
size_t escape__xml(FILE *f, const char *s, size_t max);
/* Columns s takes once XML-escaped: one per character, two per wide one, four per "\xNN". */
size_t escape__xml_width(const char *s);

/* JSON: at most maxlen bytes of s as a string literal, quotes included. */
void escape__json(FILE *out, const char *s, size_t maxlen);

#endif /* IPCTRACE_ESCAPE_H */
