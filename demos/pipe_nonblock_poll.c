/*
 * pipe_nonblock_poll: the reader sets O_NONBLOCK and retries read() on
 * EAGAIN in a loop: busy-waiting (sync-nonblocking), the opposite of
 * pipe_blocking's sleeping reader.
 *
 *   sudo ./ipctrace -- .output/demos/pipe_nonblock_poll [WRITES [SIZE [GAP_MS [SPIN_US]]]]
 *
 * Between two retries the reader spins SPIN_US microseconds on the CPU, as
 * a real poller doing a little work would, which also keeps the event rate
 * sane.
 */
#include <errno.h>
#include <fcntl.h>
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

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void spin_us(long us)
{
	long long end = now_ns() + us * 1000LL;

	while (now_ns() < end)
		;
}

int main(int argc, char **argv)
{
	long writes = arg(argc, argv, 1, 8);
	long size = arg(argc, argv, 2, 4096);
	long gap_ms = arg(argc, argv, 3, 10);
	long spin = arg(argc, argv, 4, 20);
	long total = writes * size, done = 0, calls = 0, eagain = 0;
	int fds[2], status;
	pid_t child;

	if (writes < 1 || size < 1 || size > (1 << 20) || spin < 0) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=1MiB [GAP_MS [SPIN_US]]]]\n", argv[0]);
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
		prctl(PR_SET_NAME, "poller");
		close(fds[1]);
		fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
		while (done < total) {
			ssize_t n = read(fds[0], buf, size);

			if (n < 0 && errno == EAGAIN) {
				eagain++;
				spin_us(spin);
				continue;
			}
			if (n <= 0) {
				perror("read");
				return 1;
			}
			done += n;
			calls++;
		}
		printf("poller (pid %d): read %ld bytes in %ld reads, %ld EAGAIN retries\n",
		       getpid(), done, calls, eagain);
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
