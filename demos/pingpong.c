/*
 * pingpong: two processes bounce one byte back and forth over two pipes,
 * ROUNDS times: the smallest possible IPC round trip, and the workload
 * `make bench` uses to measure ipctrace's overhead.
 *
 *   sudo ./ipctrace -- .output/demos/pingpong [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 10000;
	int to_pong[2], to_ping[2], status;
	long long start, ns;
	char c = 'p';
	pid_t child;

	if (rounds < 1) {
		fprintf(stderr, "usage: %s [ROUNDS]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(to_pong) || pipe(to_ping)) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "pong");
		close(to_pong[1]);
		close(to_ping[0]);
		for (long i = 0; i < rounds; i++) {
			if (read(to_pong[0], &c, 1) != 1 || write(to_ping[1], &c, 1) != 1) {
				perror("pong");
				return 1;
			}
		}
		printf("pong (pid %d): read %ld bytes in %ld reads, wrote %ld bytes in %ld writes\n",
		       getpid(), rounds, rounds, rounds, rounds);
		return 0;
	}
	prctl(PR_SET_NAME, "ping");
	close(to_pong[0]);
	close(to_ping[1]);
	start = now_ns();
	for (long i = 0; i < rounds; i++) {
		if (write(to_pong[1], &c, 1) != 1 || read(to_ping[0], &c, 1) != 1) {
			perror("ping");
			return 1;
		}
	}
	ns = now_ns() - start;
	waitpid(child, &status, 0);
	printf("ping (pid %d): wrote %ld bytes in %ld writes, read %ld bytes in %ld reads\n",
	       getpid(), rounds, rounds, rounds, rounds);
	printf("ping (pid %d): %ld round trips in %lld ns, %lld ns per round trip\n", getpid(),
	       rounds, ns, ns / rounds);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
