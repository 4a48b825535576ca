/*
 * posix_aio: POSIX AIO (async-nonblocking). A writer sends chunks down a
 * pipe; the reader never calls read() itself: it hands each read to
 * aio_read() with SIGEV_SIGNAL, goes on with its own work (a 1 ms nap per
 * unit) and learns of the completion from a SIGUSR1. glibc does the read on
 * a helper thread of the reader, which then signals the reader's process.
 *
 *   sudo ./ipctrace -- .output/demos/posix_aio [CHUNKS [SIZE [GAP_MS]]]
 */
#include <aio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[65536];
static volatile sig_atomic_t completed;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void on_done(int sig)
{
	(void)sig;
	completed = 1;
}

static int reader(int fd, long total)
{
	struct sigaction sa = { .sa_handler = on_done };
	struct aiocb cb;
	long done = 0, reads = 0, work = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		perror("sigaction");
		return 1;
	}
	while (done < total) {
		ssize_t n;

		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = fd;
		cb.aio_buf = buf;
		cb.aio_nbytes = sizeof(buf);
		cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
		cb.aio_sigevent.sigev_signo = SIGUSR1;
		completed = 0;
		if (aio_read(&cb)) {
			perror("aio_read");
			return 1;
		}
		/* our own work goes on while the read is in flight */
		while (!completed) {
			msleep(1);
			work++;
		}
		if (aio_error(&cb) != 0 || (n = aio_return(&cb)) <= 0) {
			fprintf(stderr, "aio read failed\n");
			return 1;
		}
		done += n;
		reads++;
	}
	printf("aio-reader (pid %d): read %ld bytes in %ld reads, %ld units of work meanwhile\n",
	       getpid(), done, reads, work);
	return 0;
}

int main(int argc, char **argv)
{
	long chunks = argc > 1 ? atol(argv[1]) : 8;
	long size = argc > 2 ? atol(argv[2]) : 4096;
	long gap_ms = argc > 3 ? atol(argv[3]) : 20;
	long done = 0;
	int fds[2], status;
	pid_t child;

	if (chunks < 1 || size < 1 || size > (long)sizeof(buf) || gap_ms < 0) {
		fprintf(stderr, "usage: %s [CHUNKS [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
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
		prctl(PR_SET_NAME, "aio-reader");
		close(fds[1]);
		return reader(fds[0], chunks * size);
	}
	prctl(PR_SET_NAME, "pipe-writer");
	close(fds[0]);
	memset(buf, 'a', size);
	for (long i = 0; i < chunks; i++) {
		/* one chunk per wait: each aio_read completes with exactly one */
		msleep(gap_ms);
		if (write(fds[1], buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	printf("pipe-writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), done, chunks);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
