/*
 * epoll_server: one server process serves CLIENTS client processes, each
 * on its own unix stream socketpair. The server sleeps in epoll_wait until
 * some socket is readable, then reads the request and answers it
 * (async-blocking); each client sends REQUESTS requests and blocks in recv
 * for every reply (sync-blocking).
 *
 *   sudo ./ipctrace -- .output/demos/epoll_server [CLIENTS [REQUESTS [SIZE [GAP_MS]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAX_CLIENTS 16

static char buf[4096];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int run_client(int id, int fd, long requests, long size, long gap_ms)
{
	char name[24];
	long bytes = 0;

	snprintf(name, sizeof(name), "client-%d", id);
	prctl(PR_SET_NAME, name);
	memset(buf, 'a' + id, size);
	for (long i = 0; i < requests; i++) {
		msleep(gap_ms);
		if (send(fd, buf, size, 0) != size || recv(fd, buf, size, MSG_WAITALL) != size) {
			perror(name);
			return 1;
		}
		bytes += size;
	}
	printf("%s (pid %d): sent %ld bytes in %ld requests, received %ld bytes in %ld replies\n",
	       name, getpid(), bytes, requests, bytes, requests);
	return 0;
}

int main(int argc, char **argv)
{
	long clients = argc > 1 ? atol(argv[1]) : 3;
	long requests = argc > 2 ? atol(argv[2]) : 8;
	long size = argc > 3 ? atol(argv[3]) : 128;
	long gap_ms = argc > 4 ? atol(argv[4]) : 5;
	long served = 0, waits = 0, bytes = 0, open = 0;
	int sv[MAX_CLIENTS][2], ep, status, failed = 0;
	struct epoll_event ev, events[MAX_CLIENTS];

	if (clients < 1 || clients > MAX_CLIENTS || requests < 1 || size < 1 ||
	    size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [CLIENTS<=16 [REQUESTS [SIZE<=4096 [GAP_MS]]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "epoll-server");
	ep = epoll_create1(0);
	for (int i = 0; i < clients; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i])) {
			perror("socketpair");
			return 1;
		}
		switch (fork()) {
		case -1:
			perror("fork");
			return 1;
		case 0:
			for (int j = 0; j <= i; j++)
				close(sv[j][0]);
			return run_client(i + 1, sv[i][1], requests, size, gap_ms);
		}
		close(sv[i][1]);
		ev.events = EPOLLIN;
		ev.data.fd = sv[i][0];
		epoll_ctl(ep, EPOLL_CTL_ADD, sv[i][0], &ev);
		open++;
	}
	while (open > 0) {
		int n = epoll_wait(ep, events, MAX_CLIENTS, -1);

		waits++;
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			ssize_t got = recv(fd, buf, size, MSG_WAITALL);

			if (got <= 0) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				open--;
				continue;
			}
			bytes += got;
			served++;
			if (send(fd, buf, got, 0) != got)
				perror("send");
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	printf("epoll-server (pid %d): served %ld requests, %ld bytes each way, for %ld clients "
	       "in %ld epoll_wait calls\n", getpid(), served, bytes, clients, waits);
	return failed;
}
