/*
 * unix_stream: a client and a server on a unix stream socketpair, taking
 * turns: the client sends a request and blocks until the reply comes back.
 * Data flows both ways but never at once (half-duplex).
 *
 *   sudo ./ipctrace -- .output/demos/unix_stream [ROUNDS [SIZE [GAP_MS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

static char buf[65536];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reads exactly len bytes; returns the number of recv calls it took, or -1. */
static long recv_all(int fd, long len)
{
	long calls = 0;

	for (long got = 0; got < len; calls++) {
		ssize_t n = recv(fd, buf, len - got, 0);

		if (n <= 0)
			return -1;
		got += n;
	}
	return calls;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 512;
	long gap_ms = argc > 3 ? atol(argv[3]) : 2;
	long sent = 0, received = 0, sends = 0, recvs = 0, calls;
	int sv[2], status;
	pid_t child;

	if (rounds < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [ROUNDS [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("socketpair");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "server");
		close(sv[0]);
		for (long i = 0; i < rounds; i++) {
			if ((calls = recv_all(sv[1], size)) < 0 || send(sv[1], buf, size, 0) != size) {
				perror("server");
				return 1;
			}
			recvs += calls;
			received += size;
			sends++;
			sent += size;
		}
		printf("server (pid %d): received %ld bytes in %ld recvs, sent %ld bytes in %ld sends\n",
		       getpid(), received, recvs, sent, sends);
		return 0;
	}
	prctl(PR_SET_NAME, "client");
	close(sv[1]);
	memset(buf, 'q', size);
	for (long i = 0; i < rounds; i++) {
		msleep(gap_ms);
		if (send(sv[0], buf, size, 0) != size || (calls = recv_all(sv[0], size)) < 0) {
			perror("client");
			return 1;
		}
		sends++;
		sent += size;
		recvs += calls;
		received += size;
	}
	close(sv[0]);
	waitpid(child, &status, 0);
	printf("client (pid %d): sent %ld bytes in %ld sends, received %ld bytes in %ld recvs\n",
	       getpid(), sent, sends, received, recvs);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
