/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where an output goes: one policy for the trace, the SVG and every export.
 *
 * - a path that does not exist, a regular file, or a symlink to one: written
 *   under a temporary name beside it ("PATH.tmp.XXXXXX", or "DIR/.ipctrace.XXXXXX"
 *   when the name leaves no room) and renamed over PATH when complete, so
 *   it appears whole; a symlink is replaced, never followed into its file;
 * - a character device or a FIFO (/dev/null, a named pipe, /dev/stdout on a
 *   terminal or a pipe): written into directly, never replaced;
 * - /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N on a socket: that
 *   descriptor itself;
 * - a directory, a block device or another socket: refused.
 *
 *   struct outpath o;
 *   if (outpath__open(&o, path, 0600, &why) == 0) { write(o.fd, ...); outpath__commit(&o); }
 *   else ... why says what is wrong with path;
 */
#ifndef IPCTRACE_OUTPATH_H
#define IPCTRACE_OUTPATH_H

#include <stdbool.h>
#include <sys/types.h>

struct outpath {
	char *path;      /* the target, as given */
	char *tmp;       /* temporary name beside it; NULL when written in place */
	int fd;          /* -1 once committed or discarded */
};

/*
 * Opens the target for writing with mode (for a new file; in-place targets
 * keep theirs). 0, or -errno with *why a static reason for a refusal
 * ("it is a directory") or NULL when strerror says it all.
 */
int outpath__open(struct outpath *o, const char *path, mode_t mode, const char **why);
/* The path a stop signal must remove now (the temporary file), or NULL. */
const char *outpath__pending(const struct outpath *o);
/* Closes fd (unless the caller already did: fd -1) and renames into place. 0 or -errno. */
int outpath__commit(struct outpath *o);
/* Closes fd and removes the temporary file; the target is untouched. */
void outpath__discard(struct outpath *o);
/* Frees the names (after commit or discard). */
void outpath__free(struct outpath *o);

/* The temporary name for path: *tmp is malloc'd, free it. 0 or -ENOMEM. */
int outpath__tmp_template(const char *path, char **tmp);

#endif /* IPCTRACE_OUTPATH_H */
