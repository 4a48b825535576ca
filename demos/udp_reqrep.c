/*
 * udp_reqrep: DNS-like request and reply over UDP. The server is bound to
 * the loopback address and answers each datagram to the address it came
 * from; the client never binds nor connects: it sendto()s the server and
 * recvfrom()s the reply, as resolvers and statsd clients do. One udp
 * channel between the two, half-duplex (one datagram each way in turn).
 * With "fresh" the client makes a new socket for each request, as stub
 * resolvers do: one channel per request (each has its own port).
 *
 *   sudo ./ipctrace -- .output/demos/udp_reqrep [REQUESTS [v4|v6 [fresh]]]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define REQUEST 40
#define REPLY 120

int main(int argc, char **argv)
{
	long requests = argc > 1 ? atol(argv[1]) : 20;
	int v6 = argc > 2 && !strcmp(argv[2], "v6");
	int fresh = argc > 3 && !strcmp(argv[3], "fresh");
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	long in = 0, out = 0, n = 0;
	char buf[2048];
	int server, status;
	pid_t child;

	if (requests < 1 || (argc > 2 && !v6 && strcmp(argv[2], "v4")) || (argc > 3 && !fresh)) {
		fprintf(stderr, "usage: %s [REQUESTS [v4|v6 [fresh]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	server = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (server < 0 || bind(server, (struct sockaddr *)&ss, sl) ||
	    getsockname(server, (struct sockaddr *)&ss, &sl)) {
		perror("udp server socket on the loopback address");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

		prctl(PR_SET_NAME, "udp-client");
		close(server);
		if (fd < 0) {
			perror("socket");
			return 1;
		}
		for (long i = 0; i < requests; i++) {
			ssize_t r;

			if (fresh && i) {
				close(fd);
				fd = socket(ss.ss_family, SOCK_DGRAM, 0);
				if (fd < 0) {
					perror("socket");
					return 1;
				}
			}
			memset(buf, 'Q', REQUEST);
			if (sendto(fd, buf, REQUEST, 0, (struct sockaddr *)&ss, sl) != REQUEST) {
				perror("sendto");
				return 1;
			}
			out += REQUEST;
			r = recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL);
			if (r <= 0) {
				perror("recvfrom");
				return 1;
			}
			in += r;
		}
		sendto(fd, "quit", 4, 0, (struct sockaddr *)&ss, sl);
		out += 4;
		printf("udp-client (pid %d): sent %ld bytes in %ld requests (with a 4-byte quit), "
		       "received %ld bytes in %ld replies\n", getpid(), out, requests + 1, in, requests);
		return 0;
	}
	prctl(PR_SET_NAME, "udp-server");
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (r <= 0) {
			perror("recvfrom");
			return 1;
		}
		in += r;
		if (r == 4 && !memcmp(buf, "quit", 4))
			break;
		memset(buf, 'R', REPLY);
		if (sendto(server, buf, REPLY, 0, (struct sockaddr *)&from, fl) != REPLY) {
			perror("sendto");
			return 1;
		}
		out += REPLY;
		n++;
	}
	waitpid(child, &status, 0);
	printf("udp-server (pid %d): received %ld bytes in %ld requests, sent %ld bytes in %ld replies "
	       "on port %d\n", getpid(), in, n + 1, out, n,
	       ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
