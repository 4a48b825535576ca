// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * late_title SECONDS: a server titled "ipct-late: server" (over its argv, as
 * PostgreSQL and nginx do) forks a worker that titles itself "ipct-late:
 * worker" only 600 ms after its fork, later than a recorder's first look at
 * a new process, and exits at 1.5 s. The server waits for it and sleeps
 * until SECONDS have passed.
 *
 * The worker's argv starts 64 bytes before a page boundary (the helper
 * re-execs itself with the padding that puts it there) and, once titled, it
 * drops the page after the boundary (MADV_DONTNEED: zeros, as the title left
 * them, faulted in again on the next touch). A read of its first 128 bytes
 * that can fault (/proc's) reads the title; one that cannot (a BPF program's
 * at the worker's exit) fails, unless a read since faulted the page in.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "title.h"

#define BEFORE_BOUNDARY 64
#define PADDING 4400

static void sleep_until(double t)
{
	while (now() < t)
		usleep(10000);
}

/* execs this program again with argv[0], seconds, len bytes of padding and, if last, a last word */
static int again(char **argv, const char *seconds, size_t len, char *last)
{
	char *args[] = { argv[0], (char *)seconds, malloc(len + 1), last, NULL };
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0 && args[2]) {
		self[n] = '\0';
		memset(args[2], '.', len);
		args[2][len] = '\0';
		execv(self, args);
	}
	perror("late_title: execv");
	return 1;
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), want = page - BEFORE_BOUNDARY, at;
	double start = now(), end;
	pid_t worker;

	if (argc < 3)
		return again(argv, argc > 1 ? argv[1] : "3", PADDING, NULL);
	/* the strings lie below the stack's page-aligned top: their offsets repeat from exec to exec */
	at = (uintptr_t)argv[0] & (page - 1);
	if (argc == 3)
		return again(argv, argv[1], strlen(argv[2]) + (at - want + page) % page + page - 2, "2");
	if (at != want) {
		fprintf(stderr, "late_title: argv at %zu in its page, want %zu\n", at, want);
		return 1;
	}
	end = start + atof(argv[1]);
	set_title(argv, "ipct-late: server");
	printf("server (pid %d): titled ipct-late: server\n", getpid());
	fflush(stdout);
	worker = fork();
	if (worker < 0) {
		perror("late_title: fork");
		return 1;
	}
	if (worker == 0) {
		double born = now();

		sleep_until(born + 0.6);
		set_title(argv, "ipct-late: worker");
		if (madvise(argv[0] + BEFORE_BOUNDARY, page, MADV_DONTNEED)) {
			perror("late_title: madvise");
			_exit(1);
		}
		printf("worker (pid %d): titled ipct-late: worker\n", getpid());
		fflush(stdout);
		sleep_until(born + 1.5);
		_exit(0);
	}
	waitpid(worker, NULL, 0);
	sleep_until(end);
	return 0;
}
