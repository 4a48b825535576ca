/*
 * tcp_echo: an echo server and a client over TCP on the loopback
 * interface. The server listens on an ephemeral port of 127.0.0.1; the
 * client connects, sends ROUNDS requests and waits for each echo
 * (half-duplex, sync-blocking on both sides).
 *
 *   sudo ./ipctrace -- .output/demos/tcp_echo [ROUNDS [SIZE [GAP_MS]]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	long sent = 0, received = 0, sends = 0, recvs = 0, calls;
	int lfd, fd, one = 1, status;
	pid_t child;

	if (rounds < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [ROUNDS [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen)) {
		perror("listen on 127.0.0.1");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "tcp-server");
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("accept");
			return 1;
		}
		close(lfd);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (long i = 0; i < rounds; i++) {
			if ((calls = recv_all(fd, size)) < 0 || send(fd, buf, size, 0) != size) {
				perror("tcp-server");
				return 1;
			}
			recvs += calls;
			received += size;
			sends++;
			sent += size;
		}
		close(fd);
		printf("tcp-server (pid %d): received %ld bytes in %ld recvs, sent %ld bytes in %ld "
		       "sends on port %d\n", getpid(), received, recvs, sent, sends,
		       ntohs(addr.sin_port));
		return 0;
	}
	prctl(PR_SET_NAME, "tcp-client");
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(buf, 't', size);
	for (long i = 0; i < rounds; i++) {
		msleep(gap_ms);
		if (send(fd, buf, size, 0) != size || (calls = recv_all(fd, size)) < 0) {
			perror("tcp-client");
			return 1;
		}
		sends++;
		sent += size;
		recvs += calls;
		received += size;
	}
	close(fd);
	waitpid(child, &status, 0);
	printf("tcp-client (pid %d): sent %ld bytes in %ld sends, received %ld bytes in %ld recvs "
	       "to port %d\n", getpid(), sent, sends, received, recvs, ntohs(addr.sin_port));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
