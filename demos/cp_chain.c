/*
 * cp_chain: a chain of waits with known lengths, for `ipctrace critical-path`.
 * Three processes over a pipe, a unix stream socket and a process-shared
 * POSIX semaphore (in shared memory: its waits are futexes):
 *
 *   cp-source  sleeps SOURCE_MS, writes a byte to the pipe              (each round)
 *   cp-relay   reads the pipe, sleeps RELAY_MS, sends on the socket,
 *              sleeps POST_MS, posts the semaphore
 *   cp-sink    receives from the socket, waits on the semaphore
 *
 * The sink's waits are explained, round after round, by: the relay asleep
 * RELAY_MS (through the socket), the relay asleep POST_MS (through the
 * semaphore's futex) and the source asleep in nanosleep until its byte
 * (through the pipe) for SOURCE_MS - RELAY_MS - POST_MS.
 *
 *   sudo ./ipctrace -- .output/demos/cp_chain [ROUNDS [SOURCE_MS [RELAY_MS [POST_MS]]]]
 *   ipctrace critical-path --tid SINK_PID ipctrace.trace
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

static long arg(int argc, char **argv, int i, long def)
{
	return argc > i ? strtol(argv[i], NULL, 0) : def;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long rounds = arg(argc, argv, 1, 8);
	long source_ms = arg(argc, argv, 2, 60);
	long relay_ms = arg(argc, argv, 3, 20);
	long post_ms = arg(argc, argv, 4, 10);
	int pfd[2], sfd[2], status = 0, bad = 0;
	char name[64], b = 'x';
	pid_t source, relay;
	sem_t *sem;
	int shm;

	if (rounds < 1 || source_ms <= relay_ms + post_ms || relay_ms < 1 || post_ms < 1) {
		fprintf(stderr, "usage: %s [ROUNDS [SOURCE_MS [RELAY_MS [POST_MS]]]]"
			" (SOURCE_MS > RELAY_MS + POST_MS)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "/ipctrace-cp-%d", getpid());
	shm = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (shm < 0 || ftruncate(shm, sizeof(sem_t))) {
		perror("shm_open");
		return 1;
	}
	sem = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
	close(shm);
	shm_unlink(name);
	if (sem == MAP_FAILED || sem_init(sem, 1, 0) || pipe(pfd) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sfd)) {
		perror("setup");
		return 1;
	}
	source = fork();
	if (source == 0) {
		prctl(PR_SET_NAME, "cp-source");
		for (long i = 0; i < rounds; i++) {
			msleep(source_ms);
			if (write(pfd[1], &b, 1) != 1)
				return 1;
		}
		printf("cp-source (pid %d): slept %ld ms then wrote the pipe, %ld rounds\n", getpid(),
		       source_ms, rounds);
		return 0;
	}
	relay = fork();
	if (relay == 0) {
		prctl(PR_SET_NAME, "cp-relay");
		for (long i = 0; i < rounds; i++) {
			if (read(pfd[0], &b, 1) != 1)
				return 1;
			msleep(relay_ms);
			if (send(sfd[0], &b, 1, 0) != 1)
				return 1;
			msleep(post_ms);
			sem_post(sem);
		}
		printf("cp-relay (pid %d): slept %ld ms before each send, %ld ms before each post, %ld rounds\n",
		       getpid(), relay_ms, post_ms, rounds);
		return 0;
	}
	prctl(PR_SET_NAME, "cp-sink");
	for (long i = 0; i < rounds; i++) {
		if (recv(sfd[1], &b, 1, 0) != 1 || sem_wait(sem))
			bad = 1;
	}
	printf("cp-sink (pid %d): received and waited %ld rounds\n", getpid(), rounds);
	waitpid(source, &status, 0);
	bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	waitpid(relay, &status, 0);
	bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	return bad;
}
