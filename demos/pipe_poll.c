/*
 * pipe_poll: the reader sleeps in poll() until the pipe is readable, then
 * reads (async-blocking: readiness multiplexing, as servers do). With
 * TIMEOUT_MS 0 it polls without ever sleeping instead, spinning on
 * zero-timeout polls: busy-waiting (sync-nonblocking).
 *
 *   sudo ./ipctrace -- .output/demos/pipe_poll [WRITES [SIZE [GAP_MS [TIMEOUT_MS]]]]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Static so that nothing is left to free (the demos also run under ASan). */
static char buf[1 << 20];

static long arg(int argc, char **argv, int i, long def)
{
	return argc > i ? strtol(argv[i], NULL, 0) : def;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long writes = arg(argc, argv, 1, 16);
	long size = arg(argc, argv, 2, 4096);
	long gap_ms = arg(argc, argv, 3, 5);
	int timeout_ms = arg(argc, argv, 4, -1);
	long total = writes * size, done = 0, calls = 0, polls = 0, empty = 0;
	int fds[2], status;
	pid_t child;

	if (writes < 1 || size < 1 || size > (1 << 20)) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=1MiB [GAP_MS [TIMEOUT_MS]]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds)) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

		prctl(PR_SET_NAME, "poll-reader");
		close(fds[1]);
		while (done < total) {
			ssize_t n;
			int ready = poll(&pfd, 1, timeout_ms);

			polls++;
			if (ready == 0) {
				empty++;
				continue;
			}
			if (ready != 1) {
				perror("poll");
				return 1;
			}
			n = read(fds[0], buf, size);
			if (n <= 0) {
				perror("read");
				return 1;
			}
			done += n;
			calls++;
		}
		printf("poll-reader (pid %d): read %ld bytes in %ld reads after %ld polls, %ld empty\n",
		       getpid(), done, calls, polls, empty);
		return 0;
	}
	prctl(PR_SET_NAME, "writer");
	close(fds[0]);
	memset(buf, 'w', size);
	for (long i = 0; i < writes; i++) {
		msleep(gap_ms);
		if (write(fds[1], buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
		calls++;
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	printf("writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), done, calls);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
