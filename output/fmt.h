/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Numbers for people, one format for every output: "2.90 \u00b5s", "1,234", "3.0 MiB". */
#ifndef IPCTRACE_FMT_H
#define IPCTRACE_FMT_H

#include <stddef.h>
#include <stdint.h>

/* A duration with three significant digits: "850 ns", "2.90 \u00b5s", "41.2 ms", "3.00 s". */
const char *fmt_dur(char *b, size_t n, uint64_t ns);
/* A window's two ends in the unit of its end, with the decimals that tell them apart:
 * "115.0 ms" and "115.3 ms", not "115 ms" twice. */
void fmt_window(char *a, size_t an, char *b, size_t bn, uint64_t from, uint64_t to);
/* A count with thousands separators: "12,345". */
const char *fmt_count(char *b, size_t n, uint64_t v);
/* Bytes in binary units: "512 B", "3.0 KiB", "1.5 MiB", "2.00 GiB". */
const char *fmt_bytes(char *b, size_t n, uint64_t v);

#endif /* IPCTRACE_FMT_H */
