/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Untrusted names (comm, paths) for a terminal: valid printable UTF-8 passes
 * through; control characters (C0, DEL, C1), bidi overrides and invalid
 * UTF-8 come out as \xNN per byte, a backslash as "\\", so no escape
 * sequence or control character reaches the terminal.
 *
 *   char buf[ESCAPE_BUF(IPCT_COMM_LEN)];
 *   escape__str(buf, sizeof(buf), t->comm, sizeof(t->comm));
 */
#ifndef IPCTRACE_ESCAPE_H
#define IPCTRACE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Room for the escaped form of n input bytes (worst case 4x) and the NUL. */
#define ESCAPE_BUF(n) ((n) * 4 + 1)

/*
 * Escape at most maxlen bytes of s (stops at a NUL) into buf, always
 * NUL-terminated; truncates at a whole escape. Returns the length written.
 */
size_t escape__str(char *buf, size_t size, const char *s, size_t maxlen);
/* Columns the (escaped, valid UTF-8) string takes: one per code point. */
size_t escape__width(const char *s);
/* Escape and write to out. 0 or -EIO. */
int escape__fputs(FILE *out, const char *s, size_t maxlen);

#endif /* IPCTRACE_ESCAPE_H */
