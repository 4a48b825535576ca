/*
 * file_pair: the seed's first example of IPC. One process writes a message
 * into temp.txt; the other sleeps, then opens the file and reads it. The
 * file is the channel; the reader's sleep is its only synchronisation.
 *
 *   sudo ./ipctrace -- .output/demos/file_pair [SIZE [SLEEP_MS]]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[1 << 20];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long size = argc > 1 ? atol(argv[1]) : 18;
	long sleep_ms = argc > 2 ? atol(argv[2]) : 100;
	char dir[] = "/tmp/file_pair.XXXXXX", path[64];
	long done = 0, calls = 0;
	int fd, status;
	pid_t child;

	if (size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [SIZE<=1MiB [SLEEP_MS]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/temp.txt", dir);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "reader");
		msleep(sleep_ms);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror("open temp.txt");
			return 1;
		}
		for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0; calls++)
			done += n;
		close(fd);
		printf("reader (pid %d): read %ld bytes in %ld reads from %s\n", getpid(), done, calls,
		       path);
		return 0;
	}
	prctl(PR_SET_NAME, "writer");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("open temp.txt");
		return 1;
	}
	/* "Can you hear me? \n" repeated up to SIZE bytes, in one write. */
	for (long i = 0; i < size; i++)
		buf[i] = "Can you hear me? \n"[i % 18];
	if (write(fd, buf, size) != size) {
		perror("write");
		return 1;
	}
	close(fd);
	printf("writer (pid %d): wrote %ld bytes in 1 writes to %s\n", getpid(), size, path);
	waitpid(child, &status, 0);
	unlink(path);
	rmdir(dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
