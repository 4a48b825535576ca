/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A trace's header as the reader gives it (trace.h reads and writes it):
 * the machine, the command, its network and, for a merged trace, its
 * machines. Apart from trace.h so the outputs, which are given the header
 * and never the file, need nothing else of the file format.
 */
#ifndef IPCTRACE_TRACE_META_H
#define IPCTRACE_TRACE_META_H

#include <stdint.h>

#define TRACE_STR_MAX 4096
#define TRACE_NETNS_MAX 8
#define TRACE_ADDRS_MAX 64
#define TRACE_HOSTS_MAX 32
/* A merged trace's pids and tids: host index << TRACE_HOST_SHIFT | the host's own id (pid_max <= 2^22). */
#define TRACE_HOST_SHIFT 22
#define TRACE_HOST_PID_MASK ((1u << TRACE_HOST_SHIFT) - 1)

/* An address of one of the machine's interfaces (AF_INET: the first 4 bytes). */
struct trace_addr {
	uint16_t family;
	uint8_t addr[16];
};

/* One machine of a merged trace, its clock mapped onto the first machine's. */
struct trace_host {
	char name[256];
	char boot_id[40];
	uint64_t netns;
	uint64_t start_real_ns;
	int64_t offset_ns;        /* its clock minus the first's, at the first trace's start */
	double drift_ppm;         /* how much faster its clock runs, parts per million */
	double drift_uncertainty_ppm; /* the true drift lies within drift_ppm +- this */
	uint64_t uncertainty_ns;  /* width between the bounds on the offset where they are narrowest */
	uint64_t uncertainty_at_ns; /* there, on the merged clock */
	uint64_t max_uncertainty_ns; /* the widest over the span of the messages */
	uint32_t messages;        /* messages that bounded it */
	uint32_t aligned_to;      /* the host it was aligned through (itself for the first) */
};

struct trace_meta {
	uint64_t start_mono_ns;
	uint64_t start_real_ns;
	uint32_t flags;
	char kernel[256];
	char host[256];
	char arch[32];
	char cmdline[TRACE_STR_MAX];
	char boot_id[40];         /* /proc/sys/kernel/random/boot_id, "" if unknown */
	uint32_t nnetns;          /* network namespaces of the traced processes */
	uint64_t netns[TRACE_NETNS_MAX];
	uint32_t naddrs;          /* their interfaces' addresses */
	struct trace_addr addrs[TRACE_ADDRS_MAX];
	uint32_t nhosts;          /* 0: one machine; else a merged trace's machines */
	struct trace_host hosts[TRACE_HOSTS_MAX];
};

/* How reading the file went, for outputs that say so (report --json): trace_reader__reading. */
struct trace_reading {
	const char *status;       /* "complete", "truncated" (cut off) or "corrupt" */
	const char *message;      /* what is wrong, "" when complete */
	uint64_t events_read;
	uint64_t duplicate_blocks;  /* skipped: copies of the block before them */
	uint64_t reordered_blocks;  /* read, though older than the block before them */
};

#endif /* IPCTRACE_TRACE_META_H */
