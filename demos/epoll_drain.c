/*
 * epoll_drain: the event-loop pattern of nginx, PostgreSQL, libevent and
 * libuv. The reader sleeps in epoll_wait (edge-triggered) on an O_NONBLOCK
 * pipe, then reads until read() says EAGAIN: every EAGAIN is followed by a
 * sleep in epoll_wait, never by a retry, so this is Async-Blocking and not
 * busy-waiting (compare pipe_nonblock_poll).
 *
 *   sudo ./ipctrace -- .output/demos/epoll_drain [WRITES [SIZE [GAP_MS]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
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
	long writes = argc > 1 ? atol(argv[1]) : 50;
	long size = argc > 2 ? atol(argv[2]) : 5;
	long gap_ms = argc > 3 ? atol(argv[3]) : 10;
	long bytes = 0, reads = 0, eagain = 0, waits = 0;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fds[2], ep, status, eof = 0;
	pid_t child;

	if (writes < 1 || size < 1 || size > (long)sizeof(buf) || gap_ms < 0) {
		fprintf(stderr, "usage: %s [WRITES [SIZE<=65536 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds)) {
		perror("pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "writer");
		close(fds[0]);
		memset(buf, 'd', size);
		for (long i = 0; i < writes; i++) {
			if (write(fds[1], buf, size) != size) {
				perror("write");
				return 1;
			}
			bytes += size;
			msleep(gap_ms);
		}
		printf("writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), bytes, writes);
		return 0;
	}
	prctl(PR_SET_NAME, "drainer");
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	ep = epoll_create1(0);
	ev.data.fd = fds[0];
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev)) {
		perror("epoll");
		return 1;
	}
	while (!eof) {
		if (epoll_wait(ep, &ev, 1, -1) < 0 && errno != EINTR) {
			perror("epoll_wait");
			return 1;
		}
		waits++;
		for (;;) {
			ssize_t n = read(fds[0], buf, sizeof(buf));

			if (n > 0) {
				bytes += n;
				reads++;
				continue;
			}
			if (n == 0)
				eof = 1;
			else if (errno == EAGAIN)
				eagain++;
			else {
				perror("read");
				return 1;
			}
			break;
		}
	}
	waitpid(child, &status, 0);
	printf("drainer (pid %d): read %ld bytes in %ld reads, %ld EAGAIN, %ld epoll_waits\n",
	       getpid(), bytes, reads, eagain, waits);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
