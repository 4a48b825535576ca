/*
 * pipe_full: the other side of blocking. A fast writer fills a pipe that a
 * slow reader empties, so the writer sleeps in write() whenever the 64 KiB
 * pipe buffer is full, and each read wakes it up (sync-blocking on the
 * sending side; data still flows one way: simplex). Each side counts the
 * calls that slept (its own voluntary context switches): under load the
 * reader may find the pipe empty and the writer find it with room.
 *
 *   sudo ./ipctrace -- .output/demos/pipe_full [BYTES [CHUNK [GAP_MS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char buf[1 << 20];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* This thread's voluntary context switches: each sleep in a call is one. */
static long sleeps(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nvcsw;
}

int main(int argc, char **argv)
{
	long total = argc > 1 ? atol(argv[1]) : 256 << 10;
	long chunk = argc > 2 ? atol(argv[2]) : 16384;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	long done = 0, calls = 0, slept = 0, before;
	int fds[2], status;
	pid_t child;

	if (total < 1 || chunk < 1 || chunk > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [BYTES [CHUNK<=1MiB [GAP_MS]]]\n", argv[0]);
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
		prctl(PR_SET_NAME, "slow-reader");
		close(fds[1]);
		while (done < total) {
			ssize_t n;

			msleep(gap_ms);
			before = sleeps();
			n = read(fds[0], buf, chunk);
			slept += sleeps() > before;
			if (n <= 0) {
				perror("read");
				return 1;
			}
			done += n;
			calls++;
		}
		printf("slow-reader (pid %d): read %ld bytes in %ld reads, %ld of them slept\n", getpid(),
		       done, calls, slept);
		return 0;
	}
	prctl(PR_SET_NAME, "writer");
	close(fds[0]);
	memset(buf, 'w', chunk);
	/* Blocking writes of a pipe return only when all bytes are in. */
	while (done < total) {
		long n = total - done < chunk ? total - done : chunk;

		before = sleeps();
		if (write(fds[1], buf, n) != n) {
			perror("write");
			return 1;
		}
		slept += sleeps() > before;
		done += n;
		calls++;
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	printf("writer (pid %d): wrote %ld bytes in %ld writes, %ld of them slept\n", getpid(), done,
	       calls, slept);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
