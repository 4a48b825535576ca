/*
 * udp_pair: UDP datagrams one way over the loopback interface. Both
 * sockets are bound to 127.0.0.1 and connected to each other, so each end
 * knows the other's address; the receiver blocks in recv (simplex).
 *
 *   sudo ./ipctrace -- .output/tools/udp_pair [DATAGRAMS [SIZE [GAP_MS]]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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

static int bound_socket(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, len) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 512;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	struct sockaddr_in saddr, raddr;
	long bytes = 0;
	int sfd, rfd, status;
	pid_t child;

	if (count < 1 || size < 1 || size > 8192) {
		fprintf(stderr, "usage: %s [DATAGRAMS [SIZE<=8192 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sfd = bound_socket(&saddr);
	rfd = bound_socket(&raddr);
	if (sfd < 0 || rfd < 0 || connect(sfd, (struct sockaddr *)&raddr, sizeof(raddr)) ||
	    connect(rfd, (struct sockaddr *)&saddr, sizeof(saddr))) {
		perror("udp sockets on 127.0.0.1");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "udp-receiver");
		close(sfd);
		for (long i = 0; i < count; i++) {
			ssize_t n = recv(rfd, buf, sizeof(buf), 0);

			if (n < 0) {
				perror("recv");
				return 1;
			}
			bytes += n;
		}
		printf("udp-receiver (pid %d): received %ld bytes in %ld datagrams on port %d\n",
		       getpid(), bytes, count, ntohs(raddr.sin_port));
		return 0;
	}
	prctl(PR_SET_NAME, "udp-sender");
	close(rfd);
	memset(buf, 'u', size);
	for (long i = 0; i < count; i++) {
		msleep(gap_ms);
		if (send(sfd, buf, size, 0) != size) {
			perror("send");
			return 1;
		}
		bytes += size;
	}
	waitpid(child, &status, 0);
	printf("udp-sender (pid %d): sent %ld bytes in %ld datagrams from port %d\n", getpid(), bytes,
	       count, ntohs(saddr.sin_port));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
