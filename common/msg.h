/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One-line messages on stderr, "ipctrace: <text>\n". Messages echo paths,
 * pid lists and command names that come from users or traced programs, so
 * control characters and invalid UTF-8 are written as \xHH: nothing a
 * message prints can drive the terminal.
 *
 *   msg__line("cannot write trace %s: %s", path, strerror(-err));
 */
#ifndef IPCTRACE_MSG_H
#define IPCTRACE_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 1, 2))) void msg__line(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) void msg__vline(const char *fmt, va_list ap);
/*
 * Copies src into dst (size len) with control characters, C1 controls and
 * bytes of invalid UTF-8 written as \xHH; always NUL-terminates, cutting at
 * a whole character. Returns the length written.
 */
size_t msg__escape(char *dst, size_t len, const char *src);

#endif /* IPCTRACE_MSG_H */
