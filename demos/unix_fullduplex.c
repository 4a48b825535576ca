/*
 * unix_fullduplex: two processes on one unix stream socketpair, each with
 * a sending thread and a receiving thread, streaming BYTES both ways at
 * the same time: transfers in flight in both directions (full-duplex).
 *
 *   sudo ./ipctrace -- .output/demos/unix_fullduplex [BYTES [CHUNK]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

struct side {
	const char *name;
	int fd;
	long total, chunk;
	long sent, sends, received, recvs;
	char rname[16];
	char sbuf[65536], rbuf[65536];
};

static void *receiver(void *arg)
{
	struct side *s = arg;

	prctl(PR_SET_NAME, s->rname);
	while (s->received < s->total) {
		ssize_t n = recv(s->fd, s->rbuf, sizeof(s->rbuf), 0);

		if (n <= 0) {
			perror("recv");
			exit(1);
		}
		s->received += n;
		s->recvs++;
	}
	return NULL;
}

/* The main thread sends while a second thread receives. */
static int run_side(struct side *s)
{
	pthread_t t;

	prctl(PR_SET_NAME, s->name);
	snprintf(s->rname, sizeof(s->rname), "%s-recv", s->name);
	memset(s->sbuf, s->name[5], sizeof(s->sbuf));
	if (pthread_create(&t, NULL, receiver, s))
		return 1;
	while (s->sent < s->total) {
		long want = s->total - s->sent < s->chunk ? s->total - s->sent : s->chunk;
		ssize_t n = send(s->fd, s->sbuf, want, 0);

		if (n <= 0) {
			perror("send");
			return 1;
		}
		s->sent += n;
		s->sends++;
	}
	pthread_join(t, NULL);
	printf("%s (pid %d): sent %ld bytes in %ld sends, received %ld bytes in %ld recvs\n",
	       s->name, getpid(), s->sent, s->sends, s->received, s->recvs);
	return 0;
}

static struct side side;

int main(int argc, char **argv)
{
	long total = argc > 1 ? atol(argv[1]) : 8 << 20;
	long chunk = argc > 2 ? atol(argv[2]) : 16384;
	int sv[2], status, err;
	pid_t child;

	if (total < 1 || chunk < 1 || chunk > (long)sizeof(side.sbuf)) {
		fprintf(stderr, "usage: %s [BYTES [CHUNK<=65536]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("socketpair");
		return 1;
	}
	side.total = total;
	side.chunk = chunk;
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		close(sv[0]);
		side.name = "side-b";
		side.fd = sv[1];
		return run_side(&side);
	}
	close(sv[1]);
	side.name = "side-a";
	side.fd = sv[0];
	err = run_side(&side);
	waitpid(child, &status, 0);
	return err || !WIFEXITED(status) || WEXITSTATUS(status);
}
