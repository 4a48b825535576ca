/*
 * mq_pair: a POSIX message queue between a sender and a receiver that
 * blocks in mq_receive() until each message arrives (sync-blocking).
 *
 *   sudo ./ipctrace -- .output/demos/mq_pair [MESSAGES [SIZE [GAP_MS]]]
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[8192];

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long msgs = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 256;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = sizeof(buf) };
	long bytes = 0, count = 0;
	char name[64];
	int status;
	pid_t child;
	mqd_t q;

	if (msgs < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [MESSAGES [SIZE<=8192 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "/ipctrace-mq-%d", getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1) {
		perror("mq_open");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "mq-receiver");
		while (count < msgs) {
			ssize_t n = mq_receive(q, buf, sizeof(buf), NULL);

			if (n < 0) {
				perror("mq_receive");
				return 1;
			}
			bytes += n;
			count++;
		}
		printf("mq-receiver (pid %d): received %ld bytes in %ld messages from %s\n",
		       getpid(), bytes, count, name);
		return 0;
	}
	prctl(PR_SET_NAME, "mq-sender");
	memset(buf, 'm', size);
	for (long i = 0; i < msgs; i++) {
		msleep(gap_ms);
		if (mq_send(q, buf, size, 0)) {
			perror("mq_send");
			return 1;
		}
		bytes += size;
		count++;
	}
	waitpid(child, &status, 0);
	mq_close(q);
	mq_unlink(name);
	printf("mq-sender (pid %d): sent %ld bytes in %ld messages to %s\n", getpid(), bytes, count,
	       name);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
