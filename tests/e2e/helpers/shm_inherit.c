// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * shm_inherit ROUNDS [PAUSE_MS]: a parent maps MAP_SHARED|MAP_ANONYMOUS
 * memory (a process-shared mutex and condition variable) and a shm_open
 * object (the payload), then forks: the child uses both without mapping
 * anything itself. They take turns ROUNDS times, the writer of each turn
 * pausing PAUSE_MS first. Each says what it holds, from its own maps.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ctl {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;
};

struct data {
	long counter;
	char buf[4096];
};

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 1000;
	int pause = argc > 2 ? atoi(argv[2]) : 0;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	struct data *d;
	struct ctl *c;
	char name[64];
	pid_t pid;
	int fd, me;

	snprintf(name, sizeof(name), "/ipctrace-inherit-%d", getpid());
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = shm_open(name, O_CREAT | O_RDWR, 0600);
	if (c == MAP_FAILED || fd < 0 || ftruncate(fd, sizeof(*d))) {
		perror("shm_inherit: mmap/shm_open");
		return 1;
	}
	d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (d == MAP_FAILED) {
		perror("shm_inherit: mmap");
		return 1;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&c->mu, &ma);
	pthread_cond_init(&c->cv, &ca);
	printf("parent (pid %d): mapped anonymous shared memory at %p and /dev/shm%s at %p\n",
	       getpid(), (void *)c, name, (void *)d);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("shm_inherit: fork");
		return 1;
	}
	me = pid == 0;
	if (me) {
		printf("child (pid %d): inherited both, mapped nothing\n", getpid());
		fflush(stdout);
	}
	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(&c->mu);
		while (c->turn != me)
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		pause_ms(pause);
		pthread_mutex_lock(&c->mu);
		d->counter++;
		memset(d->buf, 'a' + (int)(i % 26), sizeof(d->buf));
		c->turn = !me;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	if (me)
		_exit(0);
	waitpid(pid, NULL, 0);
	printf("parent (pid %d): %ld turns taken, %ld expected\n", getpid(), d->counter, 2 * rounds);
	shm_unlink(name);
	return 0;
}
