/*
 * deadlock: two processes that wait for each other forever. dl-a reads a
 * pipe that only dl-b writes; dl-b receives from a unix socket that only
 * dl-a sends on. They greet each other once (dl-b writes, dl-a answers),
 * then a protocol bug: each waits for the other to speak first. `ipctrace
 * report` lists both as stuck and names the cycle.
 *
 *   sudo ./ipctrace -d 1 -- .output/demos/deadlock [GIVE_UP_S [START]]
 *
 * Both give up (SIGALRM ends them) after GIVE_UP_S seconds (default 30), so a
 * forgotten run does not stay behind. START waits before the pipe and the
 * socket exist, so `ipctrace -p PID` can attach before the greeting: a number
 * of milliseconds, or - for a line on standard input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	long give_up = argc > 1 ? strtol(argv[1], NULL, 0) : 30;
	bool on_line = argc > 2 && !strcmp(argv[2], "-");
	long delay_ms = argc > 2 && !on_line ? strtol(argv[2], NULL, 0) : 0;
	struct timespec delay = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
	int pfd[2], sfd[2], status;
	pid_t b;
	char c, line[64];

	if (give_up < 1 || delay_ms < 0) {
		fprintf(stderr, "usage: %s [GIVE_UP_S [START_DELAY_MS | -]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (on_line && !fgets(line, sizeof(line), stdin))
		return 1;
	nanosleep(&delay, NULL);
	if (pipe(pfd) || socketpair(AF_UNIX, SOCK_STREAM, 0, sfd)) {
		perror("setup");
		return 1;
	}
	b = fork();
	if (b < 0) {
		perror("fork");
		return 1;
	}
	alarm(give_up);
	if (b == 0) {
		prctl(PR_SET_NAME, "dl-b");
		/* each keeps only its own ends: when one dies, the other sees end-of-file */
		close(pfd[0]);
		close(sfd[0]);
		c = 'h';
		if (write(pfd[1], &c, 1) != 1 || recv(sfd[1], &c, 1, 0) != 1)
			return 1;
		printf("dl-b (pid %d): greeted, now waits on the socket for dl-a\n", getpid());
		if (recv(sfd[1], &c, 1, 0) == 1 && write(pfd[1], &c, 1) != 1)
			return 1;
		return 0;
	}
	prctl(PR_SET_NAME, "dl-a");
	close(pfd[1]);
	close(sfd[1]);
	if (read(pfd[0], &c, 1) != 1 || send(sfd[0], &c, 1, 0) != 1)
		return 1;
	printf("dl-a (pid %d): greeted, now waits on the pipe for dl-b\n", getpid());
	if (read(pfd[0], &c, 1) == 1 && send(sfd[0], &c, 1, 0) != 1)
		return 1;
	waitpid(b, &status, 0);
	return 0;
}
