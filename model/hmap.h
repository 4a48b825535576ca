/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The u64 -> u32 hash map of the model (hmap.c), open addressing, for
 * anyone above it that keys small numbers by a 64-bit id or hash.
 *
 *   struct hmap h = { 0 };
 *   if (hmap_put(&h, key, val)) ...               -ENOMEM
 *   if ((v = hmap_get(&h, key)) != HMAP_NONE) ... found
 *   hmap_free(&h);
 */
#ifndef IPCTRACE_HMAP_H
#define IPCTRACE_HMAP_H

#include <stddef.h>
#include <stdint.h>

/* hmap_get's answer for a key not in the map; never a value to put. */
#define HMAP_NONE UINT32_MAX

/* vals[i] == HMAP_NONE marks a free slot. */
struct hmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, n;
};

/* A 64-bit mix (splitmix64's finalizer): spreads keys that differ in a few bits. */
uint64_t mix64(uint64_t x);
uint32_t hmap_get(const struct hmap *h, uint64_t key);
/* Insert or replace. 0 or -ENOMEM. */
int hmap_put(struct hmap *h, uint64_t key, uint32_t val);
void hmap_free(struct hmap *h);

#endif /* IPCTRACE_HMAP_H */
