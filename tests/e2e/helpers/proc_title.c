// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proc_title SECONDS: a server that titles itself as PostgreSQL and nginx
 * do, by writing over its argv ("ipct-title: master"). On SIGUSR1 it forks
 * a worker that titles itself "ipct-title: worker 1". Both then sleep
 * until SECONDS have passed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "title.h"

static volatile sig_atomic_t fork_now;

static void on_usr1(int sig)
{
	fork_now = sig;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 5);
	struct sigaction sa = { .sa_handler = on_usr1 };
	pid_t child = 0;

	if (argc < 3) {
		/* room for the titles: re-exec with a long padding argument */
		char *args[] = { argv[0], argc > 1 ? argv[1] : "5", "................................", NULL };
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = '\0';
			execv(self, args);
		}
		perror("proc_title: execv");
		return 1;
	}
	sigaction(SIGUSR1, &sa, NULL);
	set_title(argv, "ipct-title: master");
	printf("master (pid %d): titled ipct-title: master\n", getpid());
	fflush(stdout);
	while (now() < end) {
		if (fork_now && !child) {
			child = fork();
			if (child == 0) {
				set_title(argv, "ipct-title: worker 1");
				printf("worker (pid %d): titled ipct-title: worker 1\n", getpid());
				fflush(stdout);
				while (now() < end)
					usleep(20000);
				_exit(0);
			}
		}
		usleep(20000);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	return 0;
}
