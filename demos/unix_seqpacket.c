/*
 * unix_seqpacket: a server listening on an abstract unix address
 * (@ipctrace-seqpacket-PID) with SOCK_SEQPACKET, and a client that
 * connects to it by name and sends RECORDS records with sendmsg; the
 * server accepts and receives each whole record with recvmsg (simplex).
 *
 *   sudo ./ipctrace -- .output/demos/unix_seqpacket [RECORDS [SIZE [GAP_MS]]]
 */
#include <stddef.h>
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
	long records = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 256;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t alen;
	long bytes = 0;
	int lfd, fd, status;
	pid_t child;

	if (records < 1 || size < 1 || size > 16384) {
		fprintf(stderr, "usage: %s [RECORDS [SIZE<=16384 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* An abstract name starts with a NUL byte and lives in no directory. */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "ipctrace-seqpacket-%d", getpid());
	alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(addr.sun_path + 1);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, alen) || listen(lfd, 1)) {
		perror("listen");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "seq-client");
		close(lfd);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&addr, alen)) {
			perror("connect");
			return 1;
		}
		memset(buf, 'p', size);
		iov.iov_len = size;
		for (long i = 0; i < records; i++) {
			msleep(gap_ms);
			if (sendmsg(fd, &mh, 0) != size) {
				perror("sendmsg");
				return 1;
			}
			bytes += size;
		}
		shutdown(fd, SHUT_WR);
		close(fd);
		printf("seq-client (pid %d): sent %ld bytes in %ld records to @%s\n", getpid(), bytes,
		       records, addr.sun_path + 1);
		return 0;
	}
	prctl(PR_SET_NAME, "seq-server");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 1;
	}
	iov.iov_len = sizeof(buf);
	for (long i = 0; i < records; i++) {
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n <= 0) {
			perror("recvmsg");
			return 1;
		}
		bytes += n;
	}
	close(fd);
	close(lfd);
	waitpid(child, &status, 0);
	printf("seq-server (pid %d): received %ld bytes in %ld records on @%s\n", getpid(), bytes,
	       records, addr.sun_path + 1);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
