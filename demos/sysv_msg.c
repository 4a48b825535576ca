/*
 * sysv_msg: a System V message queue (msgget/msgsnd/msgrcv); the receiver
 * blocks in msgrcv() until each message arrives (sync-blocking).
 *
 *   sudo ./ipctrace -- .output/demos/sysv_msg [MESSAGES [SIZE [GAP_MS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static struct {
	long mtype;
	char mtext[8192];
} msg;

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
	long bytes = 0, count = 0;
	int id, status;
	pid_t child;

	if (msgs < 1 || size < 1 || size > (long)sizeof(msg.mtext)) {
		fprintf(stderr, "usage: %s [MESSAGES [SIZE<=8192 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0) {
		perror("msgget");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "msg-receiver");
		while (count < msgs) {
			ssize_t n = msgrcv(id, &msg, sizeof(msg.mtext), 0, 0);

			if (n < 0) {
				perror("msgrcv");
				return 1;
			}
			bytes += n;
			count++;
		}
		printf("msg-receiver (pid %d): received %ld bytes in %ld messages from queue %d\n",
		       getpid(), bytes, count, id);
		return 0;
	}
	prctl(PR_SET_NAME, "msg-sender");
	msg.mtype = 1;
	memset(msg.mtext, 's', size);
	for (long i = 0; i < msgs; i++) {
		msleep(gap_ms);
		if (msgsnd(id, &msg, size, 0)) {
			perror("msgsnd");
			return 1;
		}
		bytes += size;
		count++;
	}
	waitpid(child, &status, 0);
	msgctl(id, IPC_RMID, NULL);
	printf("msg-sender (pid %d): sent %ld bytes in %ld messages to queue %d\n", getpid(), bytes,
	       count, id);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
