/*
 * fifo_pair: a named pipe between two unrelated processes. The launcher
 * makes a FIFO in a temporary directory, then starts "fifo-writer" and
 * "fifo-reader" each in its own session (double fork + setsid + exec), so
 * neither is the other's parent and they meet only through the FIFO's path.
 *
 *   sudo ./ipctrace -- .output/demos/fifo_pair [WRITES [SIZE [GAP_MS]]]
 *
 * The launcher is a child subreaper so it can still wait for both and
 * remove the FIFO afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Static so that nothing is left to free (the demos also run under ASan). */
static char buf[4096];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int run_writer(const char *path, long writes, long size, long gap_ms)
{
	long done = 0, calls = 0;
	int fd;

	prctl(PR_SET_NAME, "fifo-writer");
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		perror("open fifo for writing");
		return 1;
	}
	memset(buf, 'f', size);
	for (long i = 0; i < writes; i++) {
		msleep(gap_ms);
		if (write(fd, buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
		calls++;
	}
	close(fd);
	printf("fifo-writer (pid %d): wrote %ld bytes in %ld writes to %s\n", getpid(), done,
	       calls, path);
	return 0;
}

static int run_reader(const char *path, long total, long size)
{
	long done = 0, calls = 0;
	int fd;

	prctl(PR_SET_NAME, "fifo-reader");
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror("open fifo for reading");
		return 1;
	}
	while (done < total) {
		ssize_t n = read(fd, buf, size);

		if (n <= 0) {
			perror("read");
			return 1;
		}
		done += n;
		calls++;
	}
	close(fd);
	printf("fifo-reader (pid %d): read %ld bytes in %ld reads from %s\n", getpid(), done,
	       calls, path);
	return 0;
}

/* Starts argv as a grandchild in a new session and lets the middle child exit. */
static int spawn_detached(char *const argv[])
{
	pid_t mid = fork();
	int status;

	if (mid < 0)
		return -errno;
	if (mid == 0) {
		setsid();
		if (fork() == 0) {
			execv("/proc/self/exe", argv);
			perror("execv /proc/self/exe");
			_exit(127);
		}
		_exit(0);
	}
	waitpid(mid, &status, 0);
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/fifo_pair.XXXXXX", path[64], w[24], s[24], g[24], t[24];
	long writes, size, gap_ms;
	int status, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "--writer"))
		return run_writer(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "--reader"))
		return run_reader(argv[2], atol(argv[3]), atol(argv[4]));

	writes = argc > 1 ? atol(argv[1]) : 16;
	size = argc > 2 ? atol(argv[2]) : 4096;
	gap_ms = argc > 3 ? atol(argv[3]) : 5;
	if (writes < 1 || size < 1 || size > 4096 || gap_ms < 0) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=4096 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	prctl(PR_SET_NAME, "fifo-launcher");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600)) {
		perror("mkfifo");
		return 1;
	}
	snprintf(w, sizeof(w), "%ld", writes);
	snprintf(s, sizeof(s), "%ld", size);
	snprintf(g, sizeof(g), "%ld", gap_ms);
	snprintf(t, sizeof(t), "%ld", writes * size);
	{
		char *reader[] = { "fifo-reader", "--reader", path, t, s, NULL };
		char *writer[] = { "fifo-writer", "--writer", path, w, s, g, NULL };

		if (spawn_detached(reader) || spawn_detached(writer)) {
			perror("fork");
			return 1;
		}
	}
	/* Both orphans were reparented to us (subreaper): reap until none is left. */
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	unlink(path);
	rmdir(dir);
	printf("fifo-launcher (pid %d): made %s for two unrelated processes\n", getpid(), path);
	return failed;
}
