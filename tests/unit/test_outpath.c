// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "outpath.h"

static char *tmpl(const char *path)
{
	char *t = NULL;

	cr_assert_eq(outpath__tmp_template(path, &t), 0);
	cr_assert_not_null(t);
	return t;
}

Test(outpath, suffix_beside_the_file)
{
	char *t = tmpl("dir/sub/t.trace");

	cr_assert_str_eq(t, "dir/sub/t.trace.tmp.XXXXXX");
	free(t);
	t = tmpl("t.svg");
	cr_assert_str_eq(t, "t.svg.tmp.XXXXXX");
	free(t);
}

Test(outpath, long_name_gets_a_short_one_in_the_same_directory)
{
	char path[NAME_MAX + 16], *t;

	memset(path, 'a', sizeof(path));
	memcpy(path, "/x/", 3);
	path[3 + NAME_MAX - 5] = '\0'; /* a valid name, too long for the suffix */
	t = tmpl(path);
	cr_assert_str_eq(t, "/x/.ipctrace.XXXXXX");
	free(t);
	t = tmpl(path + 3);
	cr_assert_str_eq(t, ".ipctrace.XXXXXX");
	free(t);
}
