// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"

static int read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = -errno;
	close(fd);
	if (n < 0)
		return err;
	buf[n] = '\0';
	return 0;
}

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

/* Fields after "(comm)": comm may hold spaces and parentheses, so find the last ')'. */
static int read_stat_tail(pid_t pid, char *buf, size_t len, char **tail)
{
	char path[64], *p;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = read_small(path, buf, len);
	if (err)
		return err;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EPROTO;
	*tail = p + 2;
	return 0;
}

int procfs__tgid(pid_t pid, pid_t *tgid)
{
	char path[64], buf[4096], *p;
	int err;

	if (pid <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	err = read_small(path, buf, sizeof(buf));
	if (err)
		return err;
	p = strstr(buf, "\nTgid:");
	if (!p)
		return -EPROTO;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	*tgid = (pid_t)strtol(p, NULL, 10);
	return *tgid > 0 ? 0 : -EPROTO;
}

int procfs__state(pid_t pid, char *state)
{
	char buf[1024], *tail;
	int err;

	if (pid <= 0)
		return -ENOENT;
	err = read_stat_tail(pid, buf, sizeof(buf), &tail);
	if (err)
		return err;
	*state = tail[0];
	return 0;
}

int procfs__ppid(pid_t pid, pid_t *ppid)
{
	char buf[1024], *tail, *end;
	long v;
	int err;

	if (pid <= 0)
		return -ENOENT;
	err = read_stat_tail(pid, buf, sizeof(buf), &tail);
	if (err)
		return err;
	/* tail: "S 1234 ..." : state, then ppid */
	if (!tail[0] || tail[1] != ' ')
		return -EPROTO;
	v = strtol(tail + 2, &end, 10);
	if (end == tail + 2 || v < 0)
		return -EPROTO;
	*ppid = (pid_t)v;
	return 0;
}

bool procfs__alive(pid_t pid)
{
	char state;

	if (procfs__state(pid, &state))
		return false;
	return state != 'Z' && state != 'X' && state != 'x';
}

int procfs__comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64], tmp[64];
	size_t n;
	int err;

	if (pid <= 0 || tid <= 0 || !len)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	err = read_small(path, tmp, sizeof(tmp));
	if (err)
		return err;
	n = strcspn(tmp, "\n");
	tmp[n] = '\0';
	snprintf(buf, len, "%s", tmp);
	return 0;
}

int procfs__cmdline(pid_t pid, char *buf, size_t len, size_t *n)
{
	char path[64];
	ssize_t got;
	size_t used = 0;
	int fd, err = 0;

	*n = 0;
	if (pid <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used < len) {
		got = read(fd, buf + used, len - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		used += got;
	}
	close(fd);
	*n = used;
	return err;
}

int procfs__exe(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t got;

	if (pid <= 0 || !len)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	got = readlink(path, buf, len - 1);
	if (got < 0)
		return -errno;
	buf[got] = '\0';
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int procfs__threads(pid_t pid, pid_t **tids, size_t *ntids)
{
	char path[64];
	struct dirent *de;
	pid_t *v = NULL, *nv, tid;
	size_t n = 0, cap = 0;
	DIR *d;

	*tids = NULL;
	*ntids = 0;
	if (pid <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, &tid))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = tid;
	}
	closedir(d);
	if (!n) {
		free(v);
		return -ENOENT;
	}
	qsort(v, n, sizeof(*v), cmp_pid);
	*tids = v;
	*ntids = n;
	return 0;
}
