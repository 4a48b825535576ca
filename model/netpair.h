/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TCP and UDP sockets seen in two traces of different machines, paired when
 * one side's local address and port are the other's remote ones, and their
 * messages matched send to receive: by byte offset on a TCP stream, in order
 * (sizes agreeing) for UDP datagrams. Offsets count from the connection's
 * start, so a stream only bounds the clocks when both traces saw it begin
 * (connect / accept / socket); otherwise it is paired but not timed.
 *
 *   struct net_scan *s = net_scan__new(meta);
 *   while ((e = trace_reader__next(r))) net_scan__add(s, e);
 *   net_scan__pair(a, b, cs, &pairs, &npairs);   matched messages go to cs
 */
#ifndef IPCTRACE_NETPAIR_H
#define IPCTRACE_NETPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace.h"
#include "clocksync.h"

struct net_scan;

/* Two sockets, one per trace, that are the two ends of one connection or flow. */
struct net_pair {
	uint64_t chan_a, chan_b;        /* the traces' own channel ids */
	uint64_t ev_a, ev_b;            /* index of the CHAN event that gave each its addresses */
	uint16_t kind;                  /* IPCT_KIND_TCP or IPCT_KIND_UDP */
	uint64_t bytes_ab, bytes_ba;    /* bytes matched each way */
	uint64_t messages;              /* matched sends (bounds on the clocks) */
	bool timed;                     /* its messages bounded the clocks */
};

/* host: the trace's index among those merged (it names a receive's sender). */
struct net_scan *net_scan__new(const struct trace_meta *meta, uint32_t host);
void net_scan__free(struct net_scan *s);
/* Feed every event, in trace order. 0 or -ENOMEM. */
int net_scan__add(struct net_scan *s, const struct ipct_hdr *ev);
/*
 * Pairs a's sockets with b's; every matched message goes into cs with a as
 * the reference clock. *pairs is malloc'd (free it). 0 or -ENOMEM.
 */
int net_scan__pair(struct net_scan *a, struct net_scan *b, struct clocksync *cs,
		   struct net_pair **pairs, size_t *npairs);
/* Whether pid has events of its own in the trace. */
bool net_scan__traced(const struct net_scan *s, uint32_t pid);
/*
 * The sender of the data that thread tid's first receive on chan ending at
 * or after ts got (its trace's host index, pid and tid), once pairing found it.
 */
bool net_scan__sender(const struct net_scan *s, uint64_t chan, uint32_t tid, uint64_t ts,
		      uint32_t *host, uint32_t *pid, uint32_t *stid);

#endif /* IPCTRACE_NETPAIR_H */
