// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The model's hash map: lookups after growth and replacement, and a remembered answer never stale. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "hmap.h"

Test(hmap, finds_every_key_after_growing)
{
	struct hmap h = { 0 };

	for (uint32_t i = 0; i < 5000; i++)
		cr_assert_eq(hmap_put(&h, (uint64_t)i * 0x10000 + 7, i), 0);
	for (uint32_t i = 0; i < 5000; i++)
		cr_assert_eq(hmap_get(&h, (uint64_t)i * 0x10000 + 7), i);
	cr_assert_eq(hmap_get(&h, 8), HMAP_NONE);
	cr_assert_eq(h.n, 5000);
	hmap_free(&h);
}

Test(hmap, key_zero_absent_from_an_empty_map)
{
	struct hmap h = { 0 };

	/* a zeroed map's memo (key 0, value 0) must not answer for key 0 */
	cr_assert_eq(hmap_get_memo(&h, 0), HMAP_NONE);
	cr_assert_eq(hmap_put(&h, 1, 5), 0);
	cr_assert_eq(hmap_get_memo(&h, 0), HMAP_NONE);
	hmap_free(&h);
}

Test(hmap, memo_follows_a_replaced_value)
{
	struct hmap h = { 0 };

	cr_assert_eq(hmap_put(&h, 42, 1), 0);
	cr_assert_eq(hmap_get_memo(&h, 42), 1);
	cr_assert_eq(hmap_put(&h, 42, 2), 0);
	cr_assert_eq(hmap_get_memo(&h, 42), 2);
	/* growing the table keeps the memo true */
	for (uint32_t i = 100; i < 400; i++)
		cr_assert_eq(hmap_put(&h, i, i), 0);
	cr_assert_eq(hmap_get_memo(&h, 42), 2);
	cr_assert_eq(hmap_put(&h, 42, 3), 0);
	cr_assert_eq(hmap_get_memo(&h, 42), 3);
	cr_assert_eq(hmap_get(&h, 42), 3);
	/* a miss leaves the last hit remembered, and answers none */
	cr_assert_eq(hmap_get_memo(&h, 7), HMAP_NONE);
	cr_assert_eq(hmap_get_memo(&h, 42), 3);
	hmap_free(&h);
	cr_assert_eq(hmap_get_memo(&h, 42), HMAP_NONE);
}
