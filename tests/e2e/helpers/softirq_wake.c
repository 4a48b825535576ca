// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * softirq_wake [SYNCS [syscalls]]: two spinners (user-space loops that
 * never make a syscall, one per CPU) and a syncer that writes and
 * fdatasyncs a file SYNCS times. Disk completions wake the syncer from
 * interrupt context, on top of whatever runs: a spinner, which cannot wake
 * anybody itself. With "syscalls" the spinners loop on getppid() instead,
 * so the interrupts often land inside a syscall: still nobody's wakeup.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t spinner(int cpu, int syscalls)
{
	pid_t p = fork();

	if (p == 0) {
		volatile unsigned long x = 0;
		cpu_set_t s;

		CPU_ZERO(&s);
		CPU_SET(cpu, &s);
		sched_setaffinity(0, sizeof(s), &s);
		for (;;)
			x += syscalls ? (unsigned long)getppid() : 1;
	}
	return p;
}

int main(int argc, char **argv)
{
	int syncs = argc > 1 ? atoi(argv[1]) : 300;
	int syscalls = argc > 2 && !strcmp(argv[2], "syscalls");
	char path[64], buf[4096];
	pid_t a, b;
	int fd, done = 0;

	a = spinner(0, syscalls);
	b = spinner(1, syscalls);
	snprintf(path, sizeof(path), "/var/tmp/ipctrace-softirq-%d", getpid());
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0) {
		perror("softirq_wake: open");
		kill(a, SIGKILL);
		kill(b, SIGKILL);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < syncs; i++)
		if (pwrite(fd, buf, sizeof(buf), (i % 16) * 4096) == (ssize_t)sizeof(buf) && !fdatasync(fd))
			done++;
	close(fd);
	unlink(path);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	printf("syncer (pid %d): %d pwrite+fdatasync\n", getpid(), done);
	printf("spinner (pid %d): %s\n", a, syscalls ? "only getppid() calls" : "never made a syscall");
	printf("spinner (pid %d): %s\n", b, syscalls ? "only getppid() calls" : "never made a syscall");
	return 0;
}
