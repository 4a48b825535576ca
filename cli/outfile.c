// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one output-file policy: written under a temporary name, renamed when complete. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "outpath.h"

int outfile__open(struct outfile *o, const char *path, mode_t mode, const char *what,
			 const char *flag)
{
	struct stat st;
	int fd, err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->mode = mode;
	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		errorf("cannot write %s %s: it is a directory: give a file name with %s", what, path,
		       flag);
		return -EISDIR;
	}
	if (outpath__tmp_template(path, &o->tmp))
		return -ENOMEM;
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		errorf("cannot write %s %s: %s: choose a writable path with %s", what, path,
		       strerror(-err), flag);
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		err = -errno;
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	return 0;
}

/* The temporary output a stop signal must not leave behind while it is written. */
static const char *volatile pending_tmp;

static void remove_pending_and_die(int sig)
{
	const char *tmp = pending_tmp;

	if (tmp)
		unlink(tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* From here a stop signal removes tmp, then ends ipctrace as it would have; NULL: default. */
void guard_tmp(const char *tmp)
{
	struct sigaction sa = { .sa_handler = tmp ? remove_pending_and_die : SIG_DFL };

	pending_tmp = tmp;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void outfile__abort(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp) {
		unlink(o->tmp);
		if (pending_tmp == o->tmp)
			guard_tmp(NULL);
		free(o->tmp);
	}
	o->f = NULL;
	o->tmp = NULL;
}

int outfile__commit(struct outfile *o, const char *what)
{
	mode_t mask;
	int err = 0;

	if (o->f == stdout) {
		if (fflush(stdout))
			err = -errno;
		o->f = NULL;
		if (err)
			errorf("writing %s to stdout failed: %s: check the pipe or disk", what,
			       strerror(-err));
		return err;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fileno(o->f), o->mode & ~mask))
		err = -errno;
	if (!err && o->uid != (uid_t)-1 && fchown(fileno(o->f), o->uid, o->gid))
		err = -errno;
	if (fflush(o->f) && !err)
		err = -errno;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err) {
		errorf("writing %s %s failed: %s: free disk space or choose another path", what,
		       o->path, strerror(-err));
		unlink(o->tmp);
	}
	if (pending_tmp == o->tmp)
		guard_tmp(NULL);
	free(o->tmp);
	o->tmp = NULL;
	return err;
}
