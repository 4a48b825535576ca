/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a merge of traces from several machines needs to know about this one:
 * its boot id, the network namespaces of the traced processes and the
 * addresses of their interfaces (a socket's remote address is then matched
 * to the trace that holds the other end). Read from /proc, no netlink.
 *
 *   hostinfo__fill(meta, pids, npids, self);   the traced processes' (and ours: self)
 */
#ifndef IPCTRACE_HOSTINFO_H
#define IPCTRACE_HOSTINFO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "trace.h"

/* Boot id, netns inodes and addresses of the namespaces pids live in; what cannot be read stays empty. */
void hostinfo__fill(struct trace_meta *meta, const pid_t *pids, size_t npids, bool self);
/* Adds the local IPv4 addresses ("/32 host LOCAL") of a /proc/net/fib_trie. */
void hostinfo__parse_fib_trie(FILE *f, struct trace_meta *meta);
/* Adds the addresses of a /proc/net/if_inet6. */
void hostinfo__parse_if_inet6(FILE *f, struct trace_meta *meta);

#endif /* IPCTRACE_HOSTINFO_H */
