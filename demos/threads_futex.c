/*
 * threads_futex: two threads of one process talk through a global variable
 * guarded by a mutex and a condition variable (the seed's 1.1.1). The
 * producer thread hands ITEMS values over one by one; the consumer sleeps
 * in pthread_cond_wait, which is a futex wait woken by the producer's
 * futex wake.
 *
 *   sudo ./ipctrace -- .output/demos/threads_futex [ITEMS [GAP_MS]]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t start;
static long slot, full, items, gap_ms;
static volatile long consumer_tid;
static long contended; /* times the producer held the mutex while the consumer slept on it */

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *consumer(void *arg)
{
	long sum = 0;

	(void)arg;
	prctl(PR_SET_NAME, "consumer");
	consumer_tid = syscall(SYS_gettid);
	pthread_barrier_wait(&start);
	for (long i = 0; i < items; i++) {
		pthread_mutex_lock(&lock);
		while (!full)
			pthread_cond_wait(&changed, &lock);
		sum += slot;
		full = 0;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&lock);
	}
	printf("consumer (pid %d): thread %ld took %ld items, sum %ld\n", getpid(),
	       (long)syscall(SYS_gettid), items, sum);
	return NULL;
}

/* Whether the thread is inside futex() on the mutex's word: its /proc syscall line says so. */
static int waits_on_mutex(long tid)
{
	char path[64];
	long nr = -1;
	uintptr_t addr = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld %lx", &nr, &addr) != 2)
		nr = -1;
	fclose(f);
	return nr == SYS_futex && addr == (uintptr_t)&lock;
}

static void *producer(void *arg)
{
	long waited_ms = 0;

	(void)arg;
	prctl(PR_SET_NAME, "producer");
	/* hold the mutex until the consumer sleeps on it: one contended lock, certainly */
	pthread_mutex_lock(&lock);
	pthread_barrier_wait(&start);
	while (!waits_on_mutex(consumer_tid)) {
		if (++waited_ms > 10000) {
			fprintf(stderr, "threads_futex: the consumer never waited for the mutex in 10 s\n");
			exit(1);
		}
		msleep(1);
	}
	contended++;
	pthread_mutex_unlock(&lock);
	for (long i = 1; i <= items; i++) {
		msleep(gap_ms);
		pthread_mutex_lock(&lock);
		while (full)
			pthread_cond_wait(&changed, &lock);
		slot = i;
		full = 1;
		pthread_cond_signal(&changed);
		pthread_mutex_unlock(&lock);
	}
	printf("producer (pid %d): thread %ld gave %ld items, held the mutex while the consumer "
	       "waited for it %ld time%s\n", getpid(), (long)syscall(SYS_gettid), items, contended,
	       contended == 1 ? "" : "s");
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t p, c;

	items = argc > 1 ? atol(argv[1]) : 16;
	gap_ms = argc > 2 ? atol(argv[2]) : 5;
	if (items < 1) {
		fprintf(stderr, "usage: %s [ITEMS [GAP_MS]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "threads");
	pthread_barrier_init(&start, NULL, 2);
	if (pthread_create(&c, NULL, consumer, NULL) || pthread_create(&p, NULL, producer, NULL)) {
		perror("pthread_create");
		return 1;
	}
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	pthread_barrier_destroy(&start);
	/* the futex words are the mutex itself and words inside the condition variable */
	printf("threads (pid %d): mutex at %p, condition variable at %p (%zu bytes)\n", getpid(),
	       (void *)&lock, (void *)&changed, sizeof(changed));
	return 0;
}
