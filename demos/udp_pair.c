/*
 * udp_pair: UDP datagrams one way over the loopback interface. Both
 * sockets are bound to 127.0.0.1 and connected to each other, so each end
 * knows the other's address; the receiver blocks in recv (simplex). With
 * "mmsg" both sides move up to BATCH datagrams per system call with
 * sendmmsg / recvmmsg.
 *
 *   sudo ./ipctrace -- .output/demos/udp_pair [DATAGRAMS [SIZE [GAP_MS [one|mmsg]]]]
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

#define BATCH 4

static char buf[BATCH * 8192];
static struct iovec iov[BATCH];
static struct mmsghdr msgs[BATCH];

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
	int batched = argc > 4 && !strcmp(argv[4], "mmsg");
	struct sockaddr_in saddr, raddr;
	long bytes = 0, calls = 0;
	int sfd, rfd, status;
	pid_t child;

	if (count < 1 || size < 1 || size > 8192 || (argc > 4 && !batched && strcmp(argv[4], "one"))) {
		fprintf(stderr, "usage: %s [DATAGRAMS [SIZE<=8192 [GAP_MS [one|mmsg]]]]\n", argv[0]);
		return 2;
	}
	for (int j = 0; j < BATCH; j++) {
		iov[j].iov_base = buf + j * 8192;
		iov[j].iov_len = batched ? 8192 : size;
		msgs[j].msg_hdr.msg_iov = &iov[j];
		msgs[j].msg_hdr.msg_iovlen = 1;
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
		for (long got = 0; got < count; calls++) {
			ssize_t n;

			if (!batched) {
				n = recv(rfd, buf, 8192, 0);
				bytes += n;
				got++;
			} else {
				/* Sleeps for the first datagram only, then takes what is queued. */
				n = recvmmsg(rfd, msgs, BATCH, MSG_WAITFORONE, NULL);
				for (int j = 0; j < n; j++)
					bytes += msgs[j].msg_len;
				got += n;
			}
			if (n < 0) {
				perror("recv");
				return 1;
			}
		}
		printf("udp-receiver (pid %d): received %ld bytes in %ld datagrams in %ld calls on port "
		       "%d\n", getpid(), bytes, count, calls, ntohs(raddr.sin_port));
		return 0;
	}
	prctl(PR_SET_NAME, "udp-sender");
	close(rfd);
	memset(buf, 'u', sizeof(buf));
	for (int j = 0; j < BATCH; j++)
		iov[j].iov_len = size;
	for (long i = 0; i < count; calls++) {
		int n = count - i < BATCH ? count - i : BATCH;

		msleep(gap_ms);
		if (batched ? sendmmsg(sfd, msgs, n, 0) != n : send(sfd, buf, size, 0) != size) {
			perror("send");
			return 1;
		}
		n = batched ? n : 1;
		bytes += n * size;
		i += n;
	}
	waitpid(child, &status, 0);
	printf("udp-sender (pid %d): sent %ld bytes in %ld datagrams in %ld calls from port %d\n",
	       getpid(), bytes, count, calls, ntohs(saddr.sin_port));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
