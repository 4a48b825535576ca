/*
 * shm_sem: POSIX shared memory (shm_open + mmap) holding a one-slot buffer
 * and two process-shared POSIX semaphores. The producer fills the slot and
 * posts "full"; the consumer waits on "full", copies the slot out and posts
 * "empty". The data moves by plain loads and stores; what the kernel sees
 * is the mapping and the futex waits and wakes of the semaphores.
 *
 *   sudo ./ipctrace -- .output/demos/shm_sem [ITEMS [SIZE [GAP_MS]]]
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

struct slot {
	sem_t full;
	sem_t empty;
	long len;
	char data[4096];
};

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Each process opens and maps the object by name, as unrelated programs would. */
static struct slot *map_slot(const char *name, int flags)
{
	int fd = shm_open(name, flags, 0600);
	struct slot *s;

	if (fd < 0)
		return NULL;
	if ((flags & O_CREAT) && ftruncate(fd, sizeof(*s))) {
		close(fd);
		return NULL;
	}
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return s == MAP_FAILED ? NULL : s;
}

int main(int argc, char **argv)
{
	long items = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 1024;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	long bytes = 0;
	char name[64], copy[4096];
	struct slot *s;
	int status;
	pid_t child;

	if (items < 1 || size < 1 || size > (long)sizeof(s->data)) {
		fprintf(stderr, "usage: %s [ITEMS [SIZE<=4096 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "/ipctrace-shm-%d", getpid());
	s = map_slot(name, O_CREAT | O_EXCL | O_RDWR);
	if (!s || sem_init(&s->full, 1, 0) || sem_init(&s->empty, 1, 1)) {
		perror("shm_open/mmap/sem_init");
		return 1;
	}
	munmap(s, sizeof(*s));
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "consumer");
		s = map_slot(name, O_RDWR);
		if (!s) {
			perror("consumer: shm_open");
			return 1;
		}
		for (long i = 0; i < items; i++) {
			sem_wait(&s->full);
			memcpy(copy, s->data, s->len);
			bytes += s->len;
			sem_post(&s->empty);
		}
		munmap(s, sizeof(*s));
		printf("consumer (pid %d): took %ld items, %ld bytes, from %s\n", getpid(), items,
		       bytes, name);
		return 0;
	}
	prctl(PR_SET_NAME, "producer");
	s = map_slot(name, O_RDWR);
	if (!s) {
		perror("producer: shm_open");
		return 1;
	}
	for (long i = 0; i < items; i++) {
		msleep(gap_ms);
		sem_wait(&s->empty);
		memset(s->data, 'a' + i % 26, size);
		s->len = size;
		bytes += size;
		sem_post(&s->full);
	}
	waitpid(child, &status, 0);
	munmap(s, sizeof(*s));
	shm_unlink(name);
	printf("producer (pid %d): put %ld items, %ld bytes, into %s\n", getpid(), items, bytes,
	       name);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
