// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The CLI's outputs (SVG, exports): common/outpath.h says where they go; this
 * adds the stdio stream, the messages that name the output, and the stop
 * signals that must not leave a temporary file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "stop_signal.h"

/* Every write goes through here, so a failure is known by its errno, not a bare EIO. */
static ssize_t outfile_write(void *cookie, const char *buf, size_t len)
{
	struct outfile *o = cookie;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(o->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!o->write_err)
				o->write_err = n < 0 ? errno : ENOSPC;
			return done;
		}
		done += n;
	}
	return done;
}

static void say_cannot_open(const char *what, const char *path, const char *flag, int err,
			    const char *why)
{
	if (why)
		errorf("cannot write %s %s: %s (with %s)", what, path, why, flag);
	else
		errorf("cannot write %s %s: %s: choose a writable path with %s", what, path,
		       strerror(-err), flag);
}

int outfile__check(const char *path, const char *what, const char *flag)
{
	struct outpath probe;
	const char *why;
	int err;

	if (!strcmp(path, "-"))
		return 0;
	err = outpath__open(&probe, path, 0600, &why);
	if (err) {
		say_cannot_open(what, path, flag, err, why);
		return err;
	}
	outpath__discard(&probe);
	outpath__free(&probe);
	return 0;
}

int outfile__open(struct outfile *o, const char *path, mode_t mode, const char *what,
		  const char *flag)
{
	static const cookie_io_functions_t io = { .write = outfile_write };
	const char *why;
	int err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->what = what;
	o->mode = mode;
	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	o->out.fd = -1;
	if (!strcmp(path, "-")) {
		fflush(stdout);
		o->fd = STDOUT_FILENO;
	} else {
		err = outpath__open(&o->out, path, 0600, &why);
		if (err) {
			say_cannot_open(what, path, flag, err, why);
			return err;
		}
		o->fd = o->out.fd;
		stop_signal__discard(outpath__pending(&o->out));
	}
	o->f = fopencookie(o, "w", io);
	if (!o->f) {
		err = -errno;
		outfile__abort(o);
		return err;
	}
	return 0;
}

static void release(struct outfile *o)
{
	if (o->out.tmp && stop_signal__discarding() == o->out.tmp)
		stop_signal__default();
	outpath__free(&o->out);
	o->f = NULL;
	o->fd = -1;
}

void outfile__abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	outpath__discard(&o->out);
	release(o);
}

/* Where the output is a new file: its mode under the umask and the sudo user as owner. */
static int settle_new_file(struct outfile *o)
{
	mode_t mask = umask(0);

	umask(mask);
	if (fchmod(o->fd, o->mode & ~mask))
		return -errno;
	if (o->uid != (uid_t)-1 && fchown(o->fd, o->uid, o->gid))
		return -errno;
	return 0;
}

static void say_write_failed(const struct outfile *o, int err)
{
	if (o->fd == STDOUT_FILENO && !o->out.path)
		errorf("writing %s to stdout failed: %s: check the pipe or disk", o->what,
		       strerror(-err));
	else
		errorf("writing %s %s failed: %s: free disk space or choose another path", o->what,
		       o->path, strerror(-err));
}

int outfile__commit(struct outfile *o)
{
	int err = 0;

	if (fflush(o->f))
		err = -(o->write_err ? o->write_err : errno);
	if (!err && o->write_err)
		err = -o->write_err;
	fclose(o->f);
	o->f = NULL;
	if (!err && o->out.tmp)
		err = settle_new_file(o);
	if (!err && o->out.path)
		err = outpath__commit(&o->out);
	if (err) {
		say_write_failed(o, err);
		outpath__discard(&o->out);
	}
	release(o);
	return err;
}

int outfile__failed(struct outfile *o, int err, const char *doing, const char *source)
{
	fflush(o->f);
	if (o->write_err) {
		err = -o->write_err;
		say_write_failed(o, err);
	} else {
		errorf("%s %s failed: %s: check the trace with ipctrace report", doing, source,
		       strerror(-err));
	}
	outfile__abort(o);
	return err;
}
