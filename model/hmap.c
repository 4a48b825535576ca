// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The model's containers: an open-addressing u64 -> u32 map and growable arrays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model_priv.h"

uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint32_t hmap_get(const struct hmap *h, uint64_t key)
{
	if (!h->cap)
		return NONE_IDX;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->vals[i] == NONE_IDX)
			return NONE_IDX;
		if (h->keys[i] == key)
			return h->vals[i];
	}
}

static int hmap_grow(struct hmap *h)
{
	struct hmap nh = { .cap = h->cap ? h->cap * 2 : 64 };

	nh.keys = malloc(nh.cap * sizeof(*nh.keys));
	nh.vals = malloc(nh.cap * sizeof(*nh.vals));
	if (!nh.keys || !nh.vals) {
		free(nh.keys);
		free(nh.vals);
		return -ENOMEM;
	}
	memset(nh.vals, 0xff, nh.cap * sizeof(*nh.vals));
	for (size_t i = 0; i < h->cap; i++)
		if (h->vals[i] != NONE_IDX)
			hmap_put(&nh, h->keys[i], h->vals[i]);
	free(h->keys);
	free(h->vals);
	*h = nh;
	return 0;
}

/* Insert or replace. */
int hmap_put(struct hmap *h, uint64_t key, uint32_t val)
{
	if ((h->n + 1) * 2 > h->cap && hmap_grow(h))
		return -ENOMEM;
	for (size_t i = mix64(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->vals[i] == NONE_IDX) {
			h->keys[i] = key;
			h->vals[i] = val;
			h->n++;
			return 0;
		}
		if (h->keys[i] == key) {
			h->vals[i] = val;
			return 0;
		}
	}
}

void hmap_free(struct hmap *h)
{
	free(h->keys);
	free(h->vals);
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
