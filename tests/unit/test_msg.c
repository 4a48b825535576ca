// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <string.h>
#include "msg.h"

static const char *esc(const char *s, size_t len)
{
	static char buf[256];

	msg__escape(buf, len, s);
	return buf;
}

Test(msg, plain_text_unchanged)
{
	cr_assert_str_eq(esc("/tmp/a b.trace", 256), "/tmp/a b.trace");
	cr_assert_str_eq(esc("caf\xc3\xa9 \xe2\x86\x92", 256), "caf\xc3\xa9 \xe2\x86\x92");
}

Test(msg, controls_escaped)
{
	cr_assert_str_eq(esc("a\x1b[31mb\x07\n\x7f", 256), "a\\x1b[31mb\\x07\\x0a\\x7f");
}

Test(msg, c1_and_invalid_utf8_escaped)
{
	/* U+009B is CSI to a terminal; 0x9b alone is CSI to a Latin-1 one. */
	cr_assert_str_eq(esc("\xc2\x9b" "1m", 256), "\\xc2\\x9b1m");
	cr_assert_str_eq(esc("\x9b" "2J", 256), "\\x9b2J");
	cr_assert_str_eq(esc("\xe2\x82", 256), "\\xe2\\x82");
	cr_assert_str_eq(esc("\xc0\xaf", 256), "\\xc0\\xaf");
}

Test(msg, cut_at_a_whole_character)
{
	cr_assert_str_eq(esc("ab\x1b", 5), "ab");
	cr_assert_str_eq(esc("a\xc3\xa9", 3), "a");
	cr_assert_eq(msg__escape(NULL, 0, "x"), 0);
}
