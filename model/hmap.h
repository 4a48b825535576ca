/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The u64 -> u32 hash map of the model (hmap.c), open addressing, for
 * anyone above it that keys small numbers by a 64-bit id or hash; and the
 * growable arrays the map's values index.
 *
 *   struct hmap h = { 0 };
 *   if (hmap_put(&h, key, val)) ...               -ENOMEM
 *   if ((v = hmap_get(&h, key)) != HMAP_NONE) ... found
 *   hmap_free(&h);
 *   if (grow(&items, &cap, n, sizeof(*items))) ... -ENOMEM, else items[n++] = ...
 */
#ifndef IPCTRACE_HMAP_H
#define IPCTRACE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* hmap_get's answer for a key not in the map; never a value to put. */
#define HMAP_NONE UINT32_MAX

/* Key and value side by side: a probe touches one cache line, not two. val == HMAP_NONE: free. */
struct hmap_slot {
	uint64_t key;
	uint32_t val;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap, n;
	/* hmap_get_memo's last answer (hmap_put keeps it true) */
	uint64_t last_key;
	uint32_t last_val;
	bool last_valid;
};

/* A 64-bit mix (splitmix64's finalizer): spreads keys that differ in a few bits. */
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Inline: the model asks several times per event. */
static inline uint32_t hmap_get(const struct hmap *h, uint64_t key)
{
	if (!h->cap)
		return HMAP_NONE;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		const struct hmap_slot *s = &h->slots[i];

		if (s->val == HMAP_NONE)
			return HMAP_NONE;
		if (s->key == key)
			return s->val;
	}
}

/* hmap_get that remembers its last answer, for a map asked for one key several times in a row. */
static inline uint32_t hmap_get_memo(struct hmap *h, uint64_t key)
{
	uint32_t v;

	if (h->last_valid && h->last_key == key)
		return h->last_val;
	v = hmap_get(h, key);
	if (v != HMAP_NONE) {
		h->last_key = key;
		h->last_val = v;
		h->last_valid = true;
	}
	return v;
}

/* Insert or replace. 0 or -ENOMEM. */
int hmap_put(struct hmap *h, uint64_t key, uint32_t val);
/* Room in *arr (n items of elem bytes in *cap) for one more: doubled, the new part zeroed. -ENOMEM. */
int grow(void *arr, size_t *cap, size_t n, size_t elem);
void hmap_free(struct hmap *h);

#endif /* IPCTRACE_HMAP_H */
