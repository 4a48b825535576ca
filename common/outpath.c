// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "outpath.h"

#define SUFFIX ".tmp.XXXXXX"

int outpath__tmp_template(const char *path, char **tmp)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int n;

	if (strlen(base) + strlen(SUFFIX) <= NAME_MAX)
		n = asprintf(tmp, "%s" SUFFIX, path);
	else
		n = asprintf(tmp, "%.*s.ipctrace.XXXXXX", (int)(base - path), path);
	if (n < 0) {
		*tmp = NULL;
		return -ENOMEM;
	}
	return 0;
}
