/*
 * sigio_reader: signal-driven I/O. The reader marks its end of a pipe
 * O_ASYNC | O_NONBLOCK with F_SETOWN and F_SETSIG, so the kernel sends it
 * a real-time signal whenever data arrives; the handler drains the pipe
 * while the main loop does other work (async-nonblocking: the reads that
 * hit EAGAIN in the handler are not polling).
 *
 *   sudo ./ipctrace -- .output/demos/sigio_reader [WRITES [SIZE [GAP_MS]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char buf[65536];
static int rfd;
static volatile long got_bytes, got_reads, signals;

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void on_io(int sig, siginfo_t *si, void *uc)
{
	ssize_t n;

	(void)sig;
	(void)si;
	(void)uc;
	signals++;
	while ((n = read(rfd, buf, sizeof(buf))) > 0) {
		got_bytes += n;
		got_reads++;
	}
}

int main(int argc, char **argv)
{
	long writes = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 4096;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	struct sigaction sa = { .sa_sigaction = on_io, .sa_flags = SA_SIGINFO | SA_RESTART };
	long total = writes * size, done = 0, work = 0;
	int fds[2], status, sig = SIGRTMIN + 1;
	sigset_t set;
	pid_t child;

	if (writes < 1 || size < 1 || size > (long)sizeof(buf)) {
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
		prctl(PR_SET_NAME, "sigio-reader");
		close(fds[1]);
		rfd = fds[0];
		sigaction(sig, &sa, NULL);
		if (fcntl(rfd, F_SETOWN, getpid()) || fcntl(rfd, F_SETSIG, sig) ||
		    fcntl(rfd, F_SETFL, O_ASYNC | O_NONBLOCK)) {
			perror("fcntl O_ASYNC");
			return 1;
		}
		/* Data written before O_ASYNC was set would never be signalled. */
		raise(sig);
		/* The main loop's "other work" is sleeping in 1 ms steps. */
		while (got_bytes < total) {
			msleep(1);
			work++;
		}
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("sigio-reader (pid %d): read %ld bytes in %ld reads from %ld signals, %ld work "
		       "steps\n", getpid(), got_bytes, got_reads, signals, work);
		return 0;
	}
	prctl(PR_SET_NAME, "writer");
	close(fds[0]);
	memset(buf, 'w', size);
	for (long i = 0; i < writes; i++) {
		msleep(gap_ms);
		if (write(fds[1], buf, size) != size) {
			perror("write");
			return 1;
		}
		done += size;
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	printf("writer (pid %d): wrote %ld bytes in %ld writes\n", getpid(), done, writes);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
