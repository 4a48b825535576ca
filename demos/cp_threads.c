/*
 * cp_threads: a chain of waits between the threads of one process, through
 * futexes (unnamed POSIX semaphores), for `ipctrace critical-path`:
 *
 *   cp-stage1  sleeps STAGE1_MS, posts semaphore 1                    (each round)
 *   cp-stage2  waits on semaphore 1, sleeps STAGE2_MS, posts semaphore 2
 *   cp-waiter  (the main thread) waits on semaphore 2
 *
 * The waiter's waits are explained by stage 2's sleep (through semaphore 2's
 * futex) and, before it, by stage 1's sleep (through semaphore 1's futex) for
 * STAGE1_MS - STAGE2_MS.
 *
 *   sudo ./ipctrace -- .output/demos/cp_threads [ROUNDS [STAGE1_MS [STAGE2_MS]]]
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static long rounds = 8, stage1_ms = 40, stage2_ms = 10;
static sem_t s1, s2;

static long arg(int argc, char **argv, int i, long def)
{
	return argc > i ? strtol(argv[i], NULL, 0) : def;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *stage1(void *arg_unused __attribute__((unused)))
{
	prctl(PR_SET_NAME, "cp-stage1");
	printf("cp-stage1 (pid %d): tid %ld, slept %ld ms before each post, %ld rounds\n", getpid(),
	       (long)syscall(SYS_gettid), stage1_ms, rounds);
	for (long i = 0; i < rounds; i++) {
		msleep(stage1_ms);
		sem_post(&s1);
	}
	return NULL;
}

static void *stage2(void *arg_unused __attribute__((unused)))
{
	prctl(PR_SET_NAME, "cp-stage2");
	printf("cp-stage2 (pid %d): tid %ld, slept %ld ms before each post, %ld rounds\n", getpid(),
	       (long)syscall(SYS_gettid), stage2_ms, rounds);
	for (long i = 0; i < rounds; i++) {
		while (sem_wait(&s1))
			;
		msleep(stage2_ms);
		sem_post(&s2);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t1, t2;

	rounds = arg(argc, argv, 1, rounds);
	stage1_ms = arg(argc, argv, 2, stage1_ms);
	stage2_ms = arg(argc, argv, 3, stage2_ms);
	if (rounds < 1 || stage2_ms < 1 || stage1_ms <= stage2_ms) {
		fprintf(stderr, "usage: %s [ROUNDS [STAGE1_MS [STAGE2_MS]]] (STAGE1_MS > STAGE2_MS)\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "cp-waiter");
	if (sem_init(&s1, 0, 0) || sem_init(&s2, 0, 0) ||
	    pthread_create(&t1, NULL, stage1, NULL) || pthread_create(&t2, NULL, stage2, NULL)) {
		perror("setup");
		return 1;
	}
	for (long i = 0; i < rounds; i++)
		while (sem_wait(&s2))
			;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("cp-waiter (pid %d): tid %d, waited %ld rounds\n", getpid(), getpid(), rounds);
	return 0;
}
