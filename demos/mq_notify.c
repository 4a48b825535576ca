/*
 * mq_notify: the receiver never waits for the queue. It asks for a signal
 * when a message arrives (mq_notify, SIGEV_SIGNAL) and drains the queue
 * with non-blocking receives inside the handler while its main loop does
 * other work (async-nonblocking).
 *
 *   sudo ./ipctrace -- .output/demos/mq_notify [MESSAGES [SIZE [GAP_MS]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[8192];
static mqd_t q;
static volatile sig_atomic_t got_msgs, got_bytes, notifications;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void arm(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };

	mq_notify(q, &sev);
}

/* Re-arms first: a notification fires only when an empty queue gets a message. */
static void on_message(int sig)
{
	ssize_t n;

	(void)sig;
	notifications++;
	arm();
	while ((n = mq_receive(q, buf, sizeof(buf), NULL)) >= 0) {
		got_msgs++;
		got_bytes += n;
	}
}

int main(int argc, char **argv)
{
	long msgs = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 256;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = sizeof(buf) };
	struct sigaction sa = { .sa_handler = on_message, .sa_flags = SA_RESTART };
	long bytes = 0, work = 0;
	char name[64];
	int status;
	pid_t child;

	if (msgs < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "usage: %s [MESSAGES [SIZE<=8192 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "/ipctrace-mqn-%d", getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &attr);
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
		sigset_t usr1;

		prctl(PR_SET_NAME, "mq-notified");
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigaction(SIGUSR1, &sa, NULL);
		arm();
		/* A message sent before the notification was armed would never be signalled. */
		raise(SIGUSR1);
		/* The main loop's "other work" is sleeping in 1 ms steps. */
		while (got_msgs < msgs) {
			msleep(1);
			work++;
		}
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		printf("mq-notified (pid %d): received %ld bytes in %ld messages from %s after %ld "
		       "notifications, %ld work steps\n", getpid(), (long)got_bytes, (long)got_msgs,
		       name, (long)notifications, work);
		return 0;
	}
	prctl(PR_SET_NAME, "mq-sender");
	memset(buf, 'n', size);
	for (long i = 0; i < msgs; i++) {
		msleep(gap_ms);
		while (mq_send(q, buf, size, 0)) {
			if (errno != EAGAIN) {
				perror("mq_send");
				return 1;
			}
			msleep(1);
		}
		bytes += size;
	}
	waitpid(child, &status, 0);
	mq_close(q);
	mq_unlink(name);
	printf("mq-sender (pid %d): sent %ld bytes in %ld messages to %s\n", getpid(), bytes, msgs,
	       name);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
