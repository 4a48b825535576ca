// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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

/* N for /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N; -1 for any other path. */
static int own_fd(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
	unsigned long n;
	char *end;
	size_t i;

	if (!strcmp(path, "/dev/stdout"))
		return 1;
	if (!strcmp(path, "/dev/stderr"))
		return 2;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t len = strlen(prefixes[i]);

		if (strncmp(path, prefixes[i], len) || !path[len])
			continue;
		errno = 0;
		n = strtoul(path + len, &end, 10);
		if (!errno && !*end && n <= INT_MAX)
			return (int)n;
	}
	return -1;
}

static int open_in_place(struct outpath *o, const struct stat *st, const char **why)
{
	int n;

	if (S_ISSOCK(st->st_mode)) {
		n = own_fd(o->path);
		if (n < 0) {
			*why = "it is a socket: give a file, a FIFO, or - for stdout";
			return -ENXIO;
		}
		o->fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
		return o->fd < 0 ? -errno : 0;
	}
	o->fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	return o->fd < 0 ? -errno : 0;
}

int outpath__open(struct outpath *o, const char *path, mode_t mode, const char **why)
{
	struct stat st;
	int err;

	*why = NULL;
	o->tmp = NULL;
	o->fd = -1;
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	/* stat follows links: /dev/stdout is a link to the descriptor's pipe or terminal. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			*why = "it is a directory: give a file name";
			err = -EISDIR;
		} else if (S_ISBLK(st.st_mode)) {
			*why = "it is a block device: ipctrace neither writes onto a disk nor replaces one";
			err = -EPERM;
		} else {
			err = open_in_place(o, &st, why);
		}
		if (err) {
			free(o->path);
			o->path = NULL;
		}
		return err;
	}
	if (outpath__tmp_template(path, &o->tmp)) {
		free(o->path);
		o->path = NULL;
		return -ENOMEM;
	}
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		err = -errno;
		outpath__free(o);
		return err;
	}
	if (fchmod(o->fd, mode)) {
		err = -errno;
		outpath__discard(o);
		outpath__free(o);
		return err;
	}
	return 0;
}

const char *outpath__pending(const struct outpath *o)
{
	return o->tmp;
}

int outpath__commit(struct outpath *o)
{
	int err = 0;

	if (o->fd >= 0 && close(o->fd))
		err = -errno;
	o->fd = -1;
	if (!o->tmp)
		return err;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	return err;
}

void outpath__discard(struct outpath *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
}

void outpath__free(struct outpath *o)
{
	free(o->path);
	free(o->tmp);
	o->path = NULL;
	o->tmp = NULL;
}
