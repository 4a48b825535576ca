/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Outputs are written under a temporary name beside the final one, so that
 * rename() makes them appear whole: "PATH.tmp.XXXXXX" for mkostemp, or, when
 * PATH's last component leaves no room for the suffix, "DIR/.ipctrace.XXXXXX".
 *
 *   char *tmp;
 *   if (outpath__tmp_template(path, &tmp) == 0) fd = mkostemp(tmp, O_CLOEXEC);
 */
#ifndef IPCTRACE_OUTPATH_H
#define IPCTRACE_OUTPATH_H

/* *tmp is malloc'd, free it. 0 or -ENOMEM. */
int outpath__tmp_template(const char *path, char **tmp);

#endif /* IPCTRACE_OUTPATH_H */
