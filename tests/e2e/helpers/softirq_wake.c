// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * softirq_wake [SYNCS]: two spinners (user-space loops that never make a
 * syscall, one per CPU) and a syncer that writes and fdatasyncs a file
 * SYNCS times. Disk completions wake the syncer from interrupt context,
 * on top of whatever runs: a spinner, which cannot wake anybody itself.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t spinner(int cpu)
{
	pid_t p = fork();

	if (p == 0) {
		volatile unsigned long x = 0;
		cpu_set_t s;

		CPU_ZERO(&s);
		CPU_SET(cpu, &s);
		sched_setaffinity(0, sizeof(s), &s);
		for (;;)
			x++;
	}
	return p;
}

int main(int argc, char **argv)
{
	int syncs = argc > 1 ? atoi(argv[1]) : 300;
	char path[64], buf[4096];
	pid_t a, b;
	int fd, done = 0;

	a = spinner(0);
	b = spinner(1);
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
	printf("spinner (pid %d): never made a syscall\n", a);
	printf("spinner (pid %d): never made a syscall\n", b);
	return 0;
}
