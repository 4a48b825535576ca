/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ipctrace trace file: a versioned header, then self-contained blocks,
 * each zlib-compressed with its lengths and a CRC32, written as they fill.
 * All integers little-endian, written field by field.
 *
 *   struct trace_writer *w = trace_writer__open_fd(fd, &meta, level);
 *   trace_writer__add(w, &ev.h);  ...  trace_writer__close(w);
 *
 *   struct trace_reader *r = trace_reader__open_path(path, &err);
 *   const struct ipct_hdr *e;
 *   while ((e = trace_reader__next(r)) != NULL) ...;
 *   if (trace_reader__status(r)) ... (truncated or corrupt: what was whole was read)
 *   trace_reader__free(r);
 *
 * Layout (version 1):
 *   header:  "IPCTRACE" u32 version u32 header_len  u64 start_mono_ns
 *            u64 start_real_ns  u32 flags  str kernel  str host  str cmdline
 *            str arch  field*  u32 crc32 (of all header bytes before it)
 *            (str = u16 length + bytes, at most TRACE_STR_MAX)
 *   field:   u16 tag  u32 len  len bytes; a reader skips tags it does not know,
 *            and a header without fields (older traces) reads with them empty:
 *            1 boot id (bytes), 2 network namespaces (u64 inode each),
 *            3 interface addresses (u16 AF_*, 16 bytes each),
 *            4 hosts of a merged trace (u32 count, then per host: str name,
 *            str boot_id, u64 netns, u64 start_real_ns, u64 offset_ns (signed),
 *            u64 drift_ppm (IEEE double bits), u64 drift_uncertainty_ppm
 *            (IEEE double bits), u64 uncertainty_ns,
 *            u64 uncertainty_at_ns, u64 max_uncertainty_ns, u32 messages,
 *            u32 aligned_to)
 *   block:   "BLK1" u32 comp_len u32 raw_len u32 nevents u64 first_ts
 *            u32 crc32(of the compressed bytes) then comp_len bytes
 *   end:     "END1" u32 12 u64 total_events  u32 crc32 (of the 12 bytes
 *            before it): written by close; absent when the recording was cut off
 *   A block's raw bytes are two streams, a main stream (types, ids, varint
 *   fields) and a time stream (timestamp deltas), so zlib keeps its matches;
 *   trace.c documents the event coding.
 */
#ifndef IPCTRACE_TRACE_H
#define IPCTRACE_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>
#include "../bpf/ipctrace.h"
#include "trace_meta.h"

#define TRACE_MAGIC "IPCTRACE"
#define TRACE_VERSION 1
#define TRACE_BLOCK_RAW_MAX (1u << 20)   /* reader refuses larger blocks */
#define TRACE_BLOCK_TARGET (256u << 10)  /* writer flushes at this raw size */

/* Reader status: 0 = read to a proper end, else one of these. */
enum trace_status {
	TRACE_OK = 0,
	TRACE_TRUNCATED,   /* no end record: cut off; whole blocks were read */
	TRACE_CORRUPT,     /* a block failed its checks; blocks before it read */
};

struct trace_writer;
struct trace_reader;

/* Writer. level: zlib level 0-9 (-1 = default). Returns NULL, errno set. */
struct trace_writer *trace_writer__open_fd(int fd, const struct trace_meta *meta, int level);
/* Append one event; flushes a block when full. 0 or -errno. */
int trace_writer__add(struct trace_writer *w, const struct ipct_hdr *ev);
/* Flush the current partial block (the file then reads up to here). */
int trace_writer__flush(struct trace_writer *w);
/* Flush, write the end record, free. Does not close fd. 0 or -errno. */
int trace_writer__close(struct trace_writer *w);
/* Free without writing the end record (for a failed recording). */
void trace_writer__free(struct trace_writer *w);
uint64_t trace_writer__events(const struct trace_writer *w);
uint64_t trace_writer__bytes(const struct trace_writer *w);

/*
 * Reader. On failure returns NULL and sets *err to a negative errno and
 * *msg (if msg != NULL) to a static one-line reason, e.g. "not an ipctrace
 * trace file", "trace format version 7 is newer than this ipctrace (1)".
 */
struct trace_reader *trace_reader__open_path(const char *path, int *err, const char **msg);
struct trace_reader *trace_reader__open_mem(const void *buf, size_t len, int *err, const char **msg);
const struct trace_meta *trace_reader__meta(const struct trace_reader *r);
/* Next event (valid until the next call), or NULL at the end or on damage. */
const struct ipct_hdr *trace_reader__next(struct trace_reader *r);
/* Start again from the first block (for a second pass). 0 or -errno. */
int trace_reader__rewind(struct trace_reader *r);
/*
 * Threads that inflate and decode blocks ahead of trace_reader__next (by
 * default one per online CPU, up to 8; 0: the caller decodes). Call before
 * the first read or after a rewind.
 */
void trace_reader__set_threads(struct trace_reader *r, int n);
enum trace_status trace_reader__status(const struct trace_reader *r);
/* A one-line description of the damage, "" when TRACE_OK. */
const char *trace_reader__status_msg(const struct trace_reader *r);
uint64_t trace_reader__blocks(const struct trace_reader *r);
uint64_t trace_reader__events_read(const struct trace_reader *r);
/* Blocks skipped as copies of the block before them (a trace joined twice). */
uint64_t trace_reader__duplicate_blocks(const struct trace_reader *r);
/* Blocks read although wholly older than the block before them began (blocks out of order). */
uint64_t trace_reader__reordered_blocks(const struct trace_reader *r);
/* All of the above in one struct, for the outputs (which see trace_meta.h, not this file). */
void trace_reader__reading(const struct trace_reader *r, struct trace_reading *out);
/*
 * Without reading the events: the oldest event of the first block and the
 * newest of the last block that decodes whole (the blocks' headers walked,
 * those two blocks decoded), what a read to the end most likely spans. A
 * guess to check against the read: an event older or newer in a block
 * between, or a damaged block between, makes the read's span differ.
 * 0, -ENODATA (no whole block) or -ENOMEM; r's reading is not disturbed.
 */
int trace_reader__scan_times(struct trace_reader *r, uint64_t *first, uint64_t *last);
void trace_reader__free(struct trace_reader *r);

/* Size of the fixed struct for an event type, 0 if unknown. */
size_t ipct_event_size(unsigned type);

#endif /* IPCTRACE_TRACE_H */
