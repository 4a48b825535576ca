// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The model's containers: an open-addressing u64 -> u32 map and growable arrays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model_priv.h"

static int hmap_grow(struct hmap *h)
{
	struct hmap nh = { .cap = h->cap ? h->cap * 2 : 64, .last_key = h->last_key,
			   .last_val = h->last_val, .last_valid = h->last_valid };

	nh.slots = malloc(nh.cap * sizeof(*nh.slots));
	if (!nh.slots)
		return -ENOMEM;
	memset(nh.slots, 0xff, nh.cap * sizeof(*nh.slots));
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].val != NONE_IDX)
			hmap_put(&nh, h->slots[i].key, h->slots[i].val);
	free(h->slots);
	*h = nh;
	return 0;
}

/* Insert or replace. */
int hmap_put(struct hmap *h, uint64_t key, uint32_t val)
{
	if ((h->n + 1) * 2 > h->cap && hmap_grow(h))
		return -ENOMEM;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		struct hmap_slot *s = &h->slots[i];

		if (s->val == NONE_IDX) {
			s->key = key;
			s->val = val;
			h->n++;
			return 0;
		}
		if (s->key == key) {
			s->val = val;
			if (h->last_valid && h->last_key == key)
				h->last_val = val;
			return 0;
		}
	}
}

void hmap_free(struct hmap *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

/* Grow *arr (of elem-sized items) to hold at least n + 1 items. */
int grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void **p = arr;
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	/* most per-channel arrays hold one or two: a first 8 was most of a channel's memory */
	ncap = *cap ? *cap * 2 : 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
	*p = np;
	*cap = ncap;
	return 0;
}
