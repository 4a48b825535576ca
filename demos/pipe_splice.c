/*
 * pipe_splice: a relay in the middle of two pipes moves the data with
 * splice(), inside the kernel, never copying it to user space: writer ->
 * pipe 1 -> splicer -> pipe 2 -> reader. The splicer receives on one pipe
 * and sends on the other in the same system call.
 *
 *   sudo ./ipctrace -- .output/demos/pipe_splice [WRITES [SIZE [GAP_MS]]]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[65536];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long writes = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 4096;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	long total = writes * size, done = 0, calls = 0;
	int in[2], out[2], status, failed = 0;
	pid_t splicer, reader;

	if (writes < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(in) || pipe(out)) {
		perror("pipe");
		return 1;
	}
	splicer = fork();
	if (splicer == 0) {
		prctl(PR_SET_NAME, "splicer");
		close(in[1]);
		close(out[0]);
		while (done < total) {
			ssize_t n = splice(in[0], NULL, out[1], NULL, total - done, 0);

			if (n <= 0) {
				perror("splice");
				return 1;
			}
			done += n;
			calls++;
		}
		printf("splicer (pid %d): moved %ld bytes in %ld splices\n", getpid(), done, calls);
		return 0;
	}
	reader = fork();
	if (reader == 0) {
		prctl(PR_SET_NAME, "reader");
		close(in[0]);
		close(in[1]);
		close(out[1]);
		while (done < total) {
			ssize_t n = read(out[0], buf, sizeof(buf));

			if (n <= 0) {
				perror("read");
				return 1;
			}
			done += n;
			calls++;
		}
		printf("reader (pid %d): read %ld bytes in %ld reads\n", getpid(), done, calls);
		return 0;
	}
	if (splicer < 0 || reader < 0) {
		perror("fork");
		return 1;
	}
	prctl(PR_SET_NAME, "writer");
	close(in[0]);
	close(out[0]);
	close(out[1]);
	memset(buf, 'w', size);
	for (long i = 0; i < writes; i++) {
		msleep(gap_ms);
		if (write(in[1], buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
		calls++;
	}
	close(in[1]);
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	printf("writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), done, calls);
	return failed;
}
