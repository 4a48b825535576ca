// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The language tables: complete, and safe to hand to printf in place of English. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "lang.h"

#define MAX_ARGS 16

/*
 * The printf arguments a format takes, as "length+conversion" per argument
 * position ("zu", "s", "ld"...), positional "%2$s" conversions placed where
 * they say. Returns the number of arguments, or -1 for a malformed format.
 */
static int format_args(const char *f, char args[MAX_ARGS][8])
{
	int n = 0, next = 0;

	memset(args, 0, MAX_ARGS * 8);
	for (; *f; f++) {
		int pos = -1, k = 0;
		char spec[8] = "";

		if (*f != '%')
			continue;
		f++;
		if (*f == '%')
			continue;
		if (isdigit((unsigned char)*f)) {
			const char *p = f;
			int v = 0;

			while (isdigit((unsigned char)*p))
				v = v * 10 + (*p++ - '0');
			if (*p == '$') {
				pos = v - 1;
				f = p + 1;
			}
		}
		while (*f && strchr("-+ #0", *f))
			f++;
		while (isdigit((unsigned char)*f))
			f++;
		if (*f == '.') {
			f++;
			while (isdigit((unsigned char)*f))
				f++;
		}
		while (*f && strchr("hlLqjzt", *f) && k < 4)
			spec[k++] = *f++;
		if (!*f || !strchr("diouxXeEfgGcsp", *f))
			return -1;
		spec[k++] = *f;
		spec[k] = '\0';
		if (pos < 0)
			pos = next++;
		if (pos >= MAX_ARGS)
			return -1;
		strcpy(args[pos], spec);
		if (pos + 1 > n)
			n = pos + 1;
	}
	return n;
}

Test(lang, every_language_has_every_text)
{
	const struct lang *langs[] = { &lang_en, &lang_ko };

	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		for (int id = 0; id < T_COUNT; id++)
			cr_expect_not_null(langs[i]->text[id], "%s lacks text %d", langs[i]->code, id);
}

Test(lang, translations_take_the_arguments_of_english)
{
	const struct lang *l = &lang_ko;

	for (int id = 0; id < T_COUNT; id++) {
		char en[MAX_ARGS][8], tr_[MAX_ARGS][8];
		int ne = format_args(lang_en.text[id], en), nt = format_args(l->text[id], tr_);

		cr_assert_geq(ne, 0, "English text %d is not a valid format", id);
		cr_assert_eq(ne, nt, "%s text %d takes %d arguments, English %d: \"%s\"", l->code, id, nt, ne,
			     l->text[id]);
		for (int a = 0; a < ne; a++)
			cr_assert_str_eq(tr_[a], en[a], "%s text %d argument %d is %%%s, English %%%s", l->code,
					 id, a + 1, tr_[a], en[a]);
	}
}

Test(lang, format_checker_sees_positional_and_mismatched_arguments)
{
	char a[MAX_ARGS][8];

	cr_assert_eq(format_args("%2$s and %1$zu", a), 2);
	cr_assert_str_eq(a[0], "zu");
	cr_assert_str_eq(a[1], "s");
	cr_assert_eq(format_args("100%% of %" "lu", a), 1);
	cr_assert_str_eq(a[0], "lu");
	cr_assert_eq(format_args("%y", a), -1);
}

/* Report table specs: the same columns, right-aligned and capped alike. */
Test(lang, report_columns_match_english)
{
	static const enum text_id cols[] = {
		T_REPORT_CHANNELS_COLS, T_REPORT_ENDPOINTS_COLS, T_REPORT_WAKEUPS_COLS, T_REPORT_THREADS_COLS,
	};

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		char en[256], ko[256];
		char *se, *sk, *e, *k;

		snprintf(en, sizeof(en), "%s", lang_en.text[cols[i]]);
		snprintf(ko, sizeof(ko), "%s", lang_ko.text[cols[i]]);
		e = strtok_r(en, "|", &se);
		k = strtok_r(ko, "|", &sk);
		while (e && k) {
			char me = e[strlen(e) - 1], mk = k[strlen(k) - 1];

			cr_assert_eq(me == '>' || me == '~' ? me : 0, mk == '>' || mk == '~' ? mk : 0,
				     "column %s / %s", e, k);
			e = strtok_r(NULL, "|", &se);
			k = strtok_r(NULL, "|", &sk);
		}
		cr_assert(!e && !k, "column counts differ in text %d", cols[i]);
	}
}

/* English shows the identifier words, so the report reads like its JSON. */
Test(lang, english_vocabulary_is_the_json_vocabulary)
{
	for (int md = 0; md < MEDIUM_COUNT; md++)
		cr_assert_str_eq(tr_medium(&lang_en, md), medium_name(md));
	for (int u = 0; u < UNIT_COUNT; u++)
		cr_assert_str_eq(tr_unit(&lang_en, u), unit_name(u));
	for (int sc = 0; sc < SCOPE_COUNT; sc++)
		cr_assert_str_eq(tr_scope(&lang_en, sc), scope_name(sc));
	for (int mo = 0; mo < MODE_COUNT; mo++)
		cr_assert_str_eq(tr_mode(&lang_en, mo), mode_name(mo));
}

Test(lang, codes_and_the_note_s_terms)
{
	struct model_channel c = { .kind = IPCT_KIND_PIPE, .direction = DIR_HALF_DUPLEX };

	cr_assert_eq(lang_find("ko"), &lang_ko);
	cr_assert_eq(lang_find("en"), &lang_en);
	cr_assert_null(lang_find("fr"));
	cr_assert_null(lang_find(NULL));
	cr_assert_str_eq(tr(NULL, T_LEGEND_HEAD), "Legend", "no language is English");
	/* the course note's words (seed 2.1, 4) */
	cr_assert_str_eq(tr_direction(&lang_ko, &c), "\xeb\xb0\x98\xec\x96\x91\xeb\xb0\xa9\xed\x96\xa5");
	cr_assert_str_eq(tr(&lang_ko, T_COL_MEDIUM), "\xea\xb3\xb5\xec\x9c\xa0 \xeb\xa7\xa4\xea\xb0\x9c\xec\xb2\xb4");
	cr_assert_str_eq(tr_medium(&lang_ko, MEDIUM_FILE_MEMORY), "\xed\x8c\x8c\xec\x9d\xbc+\xeb\xa9\x94\xeb\xaa\xa8\xeb\xa6\xac");
	c.kind = IPCT_KIND_SHM;
	c.direction = DIR_NONE;
	cr_assert_str_eq(tr_direction(&lang_en, &c), "unseen (memory)");
	c.kind = IPCT_KIND_MQUEUE;
	cr_assert_str_eq(tr_direction(&lang_en, &c), "none", "a queue that moved nothing shows none");
}
