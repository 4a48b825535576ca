/*
 * signal_pair: signals as messages. The signaller sends SIGUSR1 to its
 * child with kill(); the child's handler counts it and answers with
 * SIGUSR2 to the parent, which waits for each answer in sigwaitinfo()
 * before sending the next one, so no signal is merged with another. An
 * answer can arrive before sigwaitinfo() is called (then it does not
 * sleep): the signaller counts the waits that slept, by its own
 * voluntary context switches.
 *
 *   sudo ./ipctrace -- .output/demos/signal_pair [SIGNALS [GAP_MS]]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static volatile sig_atomic_t received;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* This thread's voluntary context switches: each sleep in a call is one. */
static long sleeps(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nvcsw;
}

static void on_usr1(int sig)
{
	(void)sig;
	received++;
	kill(getppid(), SIGUSR2);
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 16;
	long gap_ms = argc > 2 ? atol(argv[2]) : 2;
	long waited = 0, before;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set, old;
	int status;
	pid_t child;

	if (count < 1) {
		fprintf(stderr, "usage: %s [SIGNALS [GAP_MS]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	/* Blocked before fork so no signal can arrive before its handler or wait is ready. */
	sigprocmask(SIG_BLOCK, &set, &old);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "signalled");
		sigaction(SIGUSR1, &sa, NULL);
		while (received < count) {
			before = sleeps();
			sigsuspend(&old);
			waited += sleeps() > before;
		}
		printf("signalled (pid %d): handled %ld SIGUSR1, sent %ld SIGUSR2 to pid %d, "
		       "slept waiting for %ld of them\n", getpid(), (long)received, (long)received,
		       getppid(), waited);
		return 0;
	}
	prctl(PR_SET_NAME, "signaller");
	sigdelset(&set, SIGUSR1);
	for (long i = 0; i < count; i++) {
		msleep(gap_ms);
		if (kill(child, SIGUSR1)) {
			perror("signaller: kill");
			return 1;
		}
		before = sleeps();
		if (sigwaitinfo(&set, NULL) != SIGUSR2) {
			perror("signaller: sigwaitinfo");
			return 1;
		}
		waited += sleeps() > before;
	}
	waitpid(child, &status, 0);
	printf("signaller (pid %d): sent %ld SIGUSR1 to pid %d, got %ld SIGUSR2 back, "
	       "slept waiting for %ld of them\n", getpid(), count, child, count, waited);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
