/*
 * unix_dgram: unix datagrams one way only: each send is one message,
 * received whole by a receiver blocked in recv (simplex). By default the
 * two ends are a socketpair; with "path" the receiver binds a socket to a
 * file name in a temporary directory and the sender, a socket of its own,
 * connects to that name, as unrelated programs (syslog) do; with "sendto"
 * the sender never connects and names the receiver's path in each sendto.
 *
 *   sudo ./ipctrace -- .output/demos/unix_dgram [DATAGRAMS [SIZE [GAP_MS [pair|path|sendto]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static char buf[65536];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 512;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	int unconnected = argc > 4 && !strcmp(argv[4], "sendto");
	int named = unconnected || (argc > 4 && !strcmp(argv[4], "path"));
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/unix_dgram.XXXXXX";
	long bytes = 0;
	int sv[2], status;
	pid_t child;

	if (count < 1 || size < 1 || size > 16384 || (argc > 4 && !named && strcmp(argv[4], "pair"))) {
		fprintf(stderr, "usage: %s [DATAGRAMS [SIZE<=16384 [GAP_MS [pair|path|sendto]]]]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (named) {
		/* The receiver's socket has a name; the sender's is anonymous until it connects. */
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/sock", dir);
		sv[0] = socket(AF_UNIX, SOCK_DGRAM, 0);
		sv[1] = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (sv[0] < 0 || sv[1] < 0 || bind(sv[1], (struct sockaddr *)&addr, sizeof(addr))) {
			perror("bind");
			return 1;
		}
	} else if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		perror("socketpair");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "dgram-receiver");
		close(sv[0]);
		for (long i = 0; i < count; i++) {
			ssize_t n = recv(sv[1], buf, sizeof(buf), 0);

			if (n < 0) {
				perror("recv");
				return 1;
			}
			bytes += n;
		}
		printf("dgram-receiver (pid %d): received %ld bytes in %ld datagrams%s%s\n", getpid(),
		       bytes, count, named ? " on " : "", named ? addr.sun_path : "");
		return 0;
	}
	prctl(PR_SET_NAME, "dgram-sender");
	close(sv[1]);
	if (named && !unconnected && connect(sv[0], (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect");
		return 1;
	}
	memset(buf, 'd', size);
	for (long i = 0; i < count; i++) {
		msleep(gap_ms);
		if (sendto(sv[0], buf, size, 0, unconnected ? (struct sockaddr *)&addr : NULL,
			   unconnected ? sizeof(addr) : 0) != size) {
			perror("send");
			return 1;
		}
		bytes += size;
	}
	waitpid(child, &status, 0);
	if (named) {
		unlink(addr.sun_path);
		rmdir(dir);
	}
	printf("dgram-sender (pid %d): sent %ld bytes in %ld datagrams\n", getpid(), bytes, count);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
