/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One-line messages on stderr, "ipctrace: <text>\n". Messages echo paths,
 * pid lists and command names that come from users or traced programs, so
 * the whole line goes through the terminal rule of escape.h (controls, bidi
 * controls and invalid UTF-8 as \xHH): nothing a message prints can drive
 * the terminal or reorder the line.
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
#endif /* IPCTRACE_MSG_H */
