// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The three escaping rules of escape.h: terminal, XML, JSON. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"

/* What fn wrote for s, as a string the caller frees. */
static char *written(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

static void xml_all(FILE *f, const char *s)
{
	escape__xml(f, s, (size_t)-1);
}

static void json_all(FILE *f, const char *s)
{
	escape__json(f, s, SIZE_MAX);
}

Test(escape, terminal_escaping)
{
	char buf[ESCAPE_BUF(64)];

	escape__str(buf, sizeof(buf), "plain name", 64);
	cr_assert_str_eq(buf, "plain name");
	escape__str(buf, sizeof(buf), "caf\xc3\xa9 \xe2\x9c\x93", 64);
	cr_assert_str_eq(buf, "caf\xc3\xa9 \xe2\x9c\x93", "valid UTF-8 passes");
	cr_assert_eq(escape__width(buf), 6);
	escape__str(buf, sizeof(buf), "a\x1b[0m\tb\\", 64);
	cr_assert_str_eq(buf, "a\\x1b[0m\\x09b\\\\");
	escape__str(buf, sizeof(buf), "\xc2\x9b" "1m \xe2\x80\xae" "x \xc0\xaf \xed\xa0\x80", 64);
	cr_assert_str_eq(buf, "\\xc2\\x9b1m \\xe2\\x80\\xaex \\xc0\\xaf \\xed\\xa0\\x80",
			 "C1 controls, bidi overrides, overlong and surrogates escaped");
	escape__str(buf, sizeof(buf), "abc\xe2\x9c", 64);
	cr_assert_str_eq(buf, "abc\\xe2\\x9c", "truncated sequence");
	escape__str(buf, 5, "\x01\x02", 64);
	cr_assert_str_eq(buf, "\\x01", "truncates at a whole escape");
	escape__str(buf, sizeof(buf), "abcdef", 3);
	cr_assert_str_eq(buf, "abc", "stops at maxlen");
}

Test(escape, xml_markup_controls_and_bad_utf8)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	escape__xml(f, "a<b>&\"'\x01\x7f\xff\xc3(\xe2\x82\xac\xed\xa0\x80z", (size_t)-1);
	fclose(f);
	cr_assert_str_eq(buf, "a&lt;b&gt;&amp;&quot;&apos;\\x01\\x7f\xef\xbf\xbd\xef\xbf\xbd("
			      "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	free(buf);
	cr_assert_eq(utf8_chars("\xe2\x82\xac" "ab\xff"), 4);
}

Test(escape, bidi_controls_in_every_target)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE would show "evil\u202Etxt.exe" as "evilexe.txt" */
	const char *name = "evil\xe2\x80\xae" "txt.exe \xe2\x81\xa6" "x\xe2\x80\x8f";
	char term[ESCAPE_BUF(64)];
	char *s;

	escape__str(term, sizeof(term), name, 64);
	cr_assert_str_eq(term, "evil\\xe2\\x80\\xaetxt.exe \\xe2\\x81\\xa6x\\xe2\\x80\\x8f");
	s = written(xml_all, name);
	cr_assert_str_eq(s, "evil\\xe2\\x80\\xaetxt.exe \\xe2\\x81\\xa6x\\xe2\\x80\\x8f");
	cr_assert_eq(escape__xml_width(name), strlen(s), "the width counts what is written");
	free(s);
	s = written(json_all, name);
	cr_assert_str_eq(s, "\"evil\\u202etxt.exe \\u2066x\\u200f\"", "JSON keeps the code points, escaped");
	free(s);
}

Test(escape, xml_keeps_newlines_and_counts_wide_characters)
{
	char *s = written(xml_all, "a\nb");

	cr_assert_str_eq(s, "a\nb", "a newline breaks a tooltip line");
	free(s);
	/* Hangul is drawn about twice as wide as a Latin letter */
	cr_assert_eq(escape__xml_width("\xed\x95\x9c\xea\xb8\x80 ab"), 7);
	cr_assert_eq(escape__width("\xed\x95\x9c\xea\xb8\x80 ab"), 7, "two terminal cells each");
	cr_assert_eq(utf8_chars("\xed\x95\x9c\xea\xb8\x80 ab"), 5);
}

Test(escape, xml_truncates_at_a_whole_character)
{
	char *buf = NULL;
	size_t len = 0, left;
	FILE *f = open_memstream(&buf, &len);

	/* 3 columns: "a" and one Hangul syllable, not half of the second */
	left = escape__xml(f, "a\xed\x95\x9c\xea\xb8\x80", 4);
	fclose(f);
	cr_assert_str_eq(buf, "a\xed\x95\x9c");
	cr_assert_eq(left, 2);
	free(buf);
}

Test(escape, json_controls_and_bad_bytes)
{
	char *s = written(json_all, "q\"\\\x01\n\xff\xe2\x80\xa8\xc2\x9b\xc3\xa9");

	cr_assert_str_eq(s, "\"q\\\"\\\\\\u0001\\n\\u00ff\\u2028\\u009b\xc3\xa9\"");
	free(s);
}

static void xml_limited(FILE *f, const char *s)
{
	/* a limit no string reaches: the character-by-character path, the oracle of the runs */
	escape__xml(f, s, (size_t)-2);
}

Test(escape, xml_runs_of_plain_bytes_write_what_one_by_one_writes)
{
	static const char pool[] = "ab Z09~&<>\"'\n\t\x01\x7f\xff\xc3\xa9\xe2\x82\xac\xea\xb0\x80\xef\xbf\xbe";
	unsigned seed = 7;

	for (int i = 0; i < 2000; i++) {
		char s[64];
		size_t n = (size_t)(seed % 63);
		char *fast, *slow;

		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			s[j] = pool[(seed >> 16) % (sizeof(pool) - 1)];
		}
		s[n] = '\0';
		seed = seed * 1103515245 + 12345;
		fast = written(xml_all, s);
		slow = written(xml_limited, s);
		cr_assert_str_eq(fast, slow, "string %d", i);
		free(fast);
		free(slow);
	}
}
