/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How much memory reading one trace may take: IPCTRACE_MEMORY_MB (0: no
 * limit), else 90% of what the machine had available at the first call. A
 * trace whose model outgrows it is refused with a message, not left to swap.
 */
#ifndef IPCTRACE_MEMLIMIT_H
#define IPCTRACE_MEMLIMIT_H

#include <stdint.h>

#define MEMLIMIT_ENV "IPCTRACE_MEMORY_MB"

/* The limit in bytes, 0 for none; read once. */
uint64_t memlimit__bytes(void);
/* Where it comes from, for messages: "IPCTRACE_MEMORY_MB" or "90% of available memory". */
const char *memlimit__source(void);
/* This process's resident memory in bytes, 0 if unknown. */
uint64_t memlimit__rss(void);

#endif /* IPCTRACE_MEMLIMIT_H */
