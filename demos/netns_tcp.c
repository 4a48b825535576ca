/*
 * netns_tcp: TCP between two "computers": the server lives in another
 * network namespace (its own interfaces, addresses and routes, as another
 * host has), reached over a veth pair; the client stays in this one. The
 * course note's 1.1.3: processes that talk over a network, with sockets.
 * Request and reply in turn: half-duplex, sync-blocking on both sides.
 *
 * The namespace and the veth pair are made beforehand (root), e.g.
 *   sudo tools/netns-peer.sh up            ipct-peer at 10.77.0.2, see the script
 *   sudo ./ipctrace -- .output/demos/netns_tcp ipct-peer 10.77.0.2 [ROUNDS [SIZE]]
 *   sudo tools/netns-peer.sh down
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
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

/* A listening socket on addr in the namespace peer_ns; this process stays where it was. */
static int listen_in(int peer_ns, struct sockaddr_in *addr)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), lfd = -1;
	socklen_t alen = sizeof(*addr);

	if (home < 0 || setns(peer_ns, CLONE_NEWNET)) {
		perror("join the peer's network namespace (root?)");
		return -1;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)addr, sizeof(*addr)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)addr, &alen)) {
		perror("listen in the peer's namespace (is the address on its veth?)");
		lfd = -1;
	}
	if (setns(home, CLONE_NEWNET)) {
		perror("back to our network namespace");
		return -1;
	}
	close(home);
	return lfd;
}

int main(int argc, char **argv)
{
	const char *ns = argc > 1 ? argv[1] : NULL;
	long rounds = argc > 3 ? atol(argv[3]) : 8;
	long size = argc > 4 ? atol(argv[4]) : 256;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	long sent = 0, received = 0, sends = 0, recvs = 0, calls;
	int peer_ns, lfd, fd, one = 1, status;
	char path[256];
	pid_t child;

	if (argc < 3 || inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1 || rounds < 1 || size < 1 ||
	    size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s NETNS PEER_IPV4 [ROUNDS [SIZE<=65536]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	peer_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (peer_ns < 0) {
		perror(path);
		return 1;
	}
	lfd = listen_in(peer_ns, &addr);
	if (lfd < 0)
		return 1;
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		/* the server is a process of the other "host": all its networking is there */
		prctl(PR_SET_NAME, "peer-server");
		if (setns(peer_ns, CLONE_NEWNET)) {
			perror("peer-server: setns");
			return 1;
		}
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("accept");
			return 1;
		}
		close(lfd);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (long i = 0; i < rounds; i++) {
			if ((calls = recv_all(fd, size)) < 0 || send(fd, buf, size, 0) != size) {
				perror("peer-server");
				return 1;
			}
			recvs += calls;
			received += size;
			sends++;
			sent += size;
		}
		close(fd);
		printf("peer-server (pid %d): received %ld bytes in %ld recvs, sent %ld bytes in %ld sends "
		       "on %s:%d in network namespace %s\n", getpid(), received, recvs, sent, sends, argv[2],
		       ntohs(addr.sin_port), ns);
		return 0;
	}
	prctl(PR_SET_NAME, "client");
	close(lfd);
	close(peer_ns);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect to the peer namespace");
		kill(child, SIGTERM);
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(buf, 'n', size);
	for (long i = 0; i < rounds; i++) {
		msleep(2);
		if (send(fd, buf, size, 0) != size || (calls = recv_all(fd, size)) < 0) {
			perror("client");
			return 1;
		}
		sends++;
		sent += size;
		recvs += calls;
		received += size;
	}
	close(fd);
	waitpid(child, &status, 0);
	printf("client (pid %d): sent %ld bytes in %ld sends, received %ld bytes in %ld recvs to %s:%d\n",
	       getpid(), sent, sends, received, recvs, argv[2], ntohs(addr.sin_port));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
