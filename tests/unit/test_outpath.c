// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* A scratch directory per test, removed with what is in it. */
static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ipct-outpath.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *in_dir(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_all(struct outpath *o, const char *s)
{
	cr_assert_eq(write(o->fd, s, strlen(s)), (ssize_t)strlen(s));
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

Test(outpath, regular_file_appears_whole_under_its_name, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;
	struct stat st;
	char buf[16] = "";
	FILE *f;

	f = fopen(in_dir("out"), "w");
	fputs("old", f);
	fclose(f);
	cr_assert_eq(outpath__open(&o, in_dir("out"), 0600, &why), 0);
	cr_assert_not_null(outpath__pending(&o), "a regular file is written under a temporary name");
	write_all(&o, "new");
	f = fopen(in_dir("out"), "r");
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "old", "the old file stays until the new one is whole");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	f = fopen(in_dir("out"), "r");
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "new");
	cr_assert_eq(stat(in_dir("out"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(entries(), 1, "nothing but the output is left");
}

Test(outpath, fifo_is_written_into_not_replaced, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;
	struct stat st;
	char buf[16] = "";
	int rfd;

	cr_assert_eq(mkfifo(in_dir("fifo"), 0600), 0);
	rfd = open(in_dir("fifo"), O_RDONLY | O_NONBLOCK);
	cr_assert_geq(rfd, 0);
	cr_assert_eq(outpath__open(&o, in_dir("fifo"), 0600, &why), 0);
	cr_assert_null(outpath__pending(&o), "a FIFO has no temporary name");
	write_all(&o, "data");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	cr_assert_eq(read(rfd, buf, sizeof(buf) - 1), 4);
	cr_assert_str_eq(buf, "data", "the reader of the FIFO got the output");
	close(rfd);
	cr_assert_eq(lstat(in_dir("fifo"), &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
	cr_assert_eq(entries(), 1);
}

Test(outpath, character_device_is_written_into_not_replaced, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;
	struct stat st;

	if (geteuid() != 0)
		cr_skip_test("mknod of a character device needs root");
	/* The null device, made under another name: what `mknod` in a cwd would be. */
	cr_assert_eq(mknod(in_dir("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	cr_assert_eq(outpath__open(&o, in_dir("null"), 0600, &why), 0);
	cr_assert_null(outpath__pending(&o));
	write_all(&o, "gone");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	cr_assert_eq(lstat(in_dir("null"), &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "the device node is still a character device");
	cr_assert_eq(st.st_rdev, makedev(1, 3));
	cr_assert_eq(entries(), 1);
}

Test(outpath, full_device_says_no_space, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;
	struct stat st;

	if (geteuid() != 0)
		cr_skip_test("mknod of a character device needs root");
	cr_assert_eq(mknod(in_dir("full"), S_IFCHR | 0666, makedev(1, 7)), 0);
	cr_assert_eq(outpath__open(&o, in_dir("full"), 0600, &why), 0);
	cr_assert_eq(write(o.fd, "x", 1), -1);
	cr_assert_eq(errno, ENOSPC);
	outpath__discard(&o);
	outpath__free(&o);
	cr_assert_eq(lstat(in_dir("full"), &st), 0);
	cr_assert(S_ISCHR(st.st_mode));
}

Test(outpath, symlink_is_replaced_not_followed, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;
	struct stat st;
	char buf[16] = "";
	FILE *f;

	f = fopen(in_dir("victim"), "w");
	fputs("keep", f);
	fclose(f);
	cr_assert_eq(symlink("victim", in_dir("link")), 0);
	cr_assert_eq(outpath__open(&o, in_dir("link"), 0600, &why), 0);
	write_all(&o, "out");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	cr_assert_eq(lstat(in_dir("link"), &st), 0);
	cr_assert(S_ISREG(st.st_mode), "the link became the output file");
	f = fopen(in_dir("victim"), "r");
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "keep", "the file the link named is untouched");
}

Test(outpath, stdout_on_a_pipe_is_written_into)
{
	const char *why;
	struct outpath o;
	struct stat st;
	char buf[16] = "";
	int p[2], saved;

	cr_assert_eq(pipe(p), 0);
	saved = dup(1);
	cr_assert_eq(dup2(p[1], 1), 1);
	cr_assert_eq(outpath__open(&o, "/dev/stdout", 0600, &why), 0);
	cr_assert_null(outpath__pending(&o));
	write_all(&o, "piped");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	dup2(saved, 1);
	close(saved);
	close(p[1]);
	cr_assert_eq(read(p[0], buf, sizeof(buf) - 1), 5);
	cr_assert_str_eq(buf, "piped");
	close(p[0]);
	cr_assert_eq(lstat("/dev/stdout", &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "/dev/stdout is still the system's link");
}

Test(outpath, stdout_on_a_socket_is_the_descriptor)
{
	const char *why;
	struct outpath o;
	char buf[16] = "";
	int sv[2], saved;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	saved = dup(1);
	cr_assert_eq(dup2(sv[1], 1), 1);
	cr_assert_eq(outpath__open(&o, "/dev/stdout", 0600, &why), 0);
	write_all(&o, "sock");
	cr_assert_eq(outpath__commit(&o), 0);
	outpath__free(&o);
	dup2(saved, 1);
	close(saved);
	close(sv[1]);
	cr_assert_eq(read(sv[0], buf, sizeof(buf) - 1), 4);
	cr_assert_str_eq(buf, "sock");
	close(sv[0]);
}

Test(outpath, directory_and_block_device_are_refused, .init = make_dir, .fini = remove_dir)
{
	const char *why = NULL;
	struct outpath o;

	cr_assert_eq(outpath__open(&o, dir, 0600, &why), -EISDIR);
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "directory"));
	if (geteuid() != 0)
		return;
	/* A loop device's node: never written onto, never replaced. */
	cr_assert_eq(mknod(in_dir("blk"), S_IFBLK | 0600, makedev(7, 0)), 0);
	why = NULL;
	cr_assert_eq(outpath__open(&o, in_dir("blk"), 0600, &why), -EPERM);
	cr_assert_not_null(strstr(why, "block device"));
	cr_assert_eq(entries(), 1, "no temporary file was made");
}

Test(outpath, discard_leaves_nothing, .init = make_dir, .fini = remove_dir)
{
	const char *why;
	struct outpath o;

	cr_assert_eq(outpath__open(&o, in_dir("t.svg"), 0600, &why), 0);
	write_all(&o, "half");
	outpath__discard(&o);
	outpath__free(&o);
	cr_assert_eq(entries(), 0);
}
