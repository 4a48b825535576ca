// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>

#include "fmt.h"

static void window(uint64_t from, uint64_t to, const char *wa, const char *wb)
{
	char a[32], b[32];

	fmt_window(a, sizeof(a), b, sizeof(b), from, to);
	cr_assert_str_eq(a, wa, "from %llu: %s", (unsigned long long)from, a);
	cr_assert_str_eq(b, wb, "to %llu: %s", (unsigned long long)to, b);
}

Test(fmt, a_window_shows_its_two_ends_apart)
{
	window(115000000, 115300000, "115.0 ms", "115.3 ms");
	window(115000000, 115030000, "115.00 ms", "115.03 ms");
	window(2000000, 2000300, "2.0000 ms", "2.0003 ms");
	window(1500000000, 2500000000ull, "1.50 s", "2.50 s");
	window(0, 250000000, "0 ms", "250 ms");
	window(1999999000, 2000000000, "1.999999 s", "2.000000 s");
	window(700, 900, "700 ns", "900 ns");
	window(5000, 5001, "5.000 \xc2\xb5s", "5.001 \xc2\xb5s");
}
