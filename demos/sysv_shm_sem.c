/*
 * sysv_shm_sem: the System V version of shm_sem: a segment from shmget,
 * attached by each process with shmat, and a set of two System V
 * semaphores (semget/semop) saying "full" and "empty".
 *
 *   sudo ./ipctrace -- .output/demos/sysv_shm_sem [ITEMS [SIZE [GAP_MS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

enum { FULL, EMPTY };

struct slot {
	long len;
	char data[4096];
};

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int sem_add(int semid, unsigned short which, short delta)
{
	struct sembuf op = { .sem_num = which, .sem_op = delta };

	return semop(semid, &op, 1);
}

int main(int argc, char **argv)
{
	long items = argc > 1 ? atol(argv[1]) : 16;
	long size = argc > 2 ? atol(argv[2]) : 1024;
	long gap_ms = argc > 3 ? atol(argv[3]) : 5;
	unsigned short init[2] = { [FULL] = 0, [EMPTY] = 1 };
	long bytes = 0;
	int shmid, semid, status;
	char copy[4096];
	struct slot *s;
	pid_t child;

	if (items < 1 || size < 1 || size > (long)sizeof(s->data)) {
		fprintf(stderr, "usage: %s [ITEMS [SIZE<=4096 [GAP_MS]]]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	shmid = shmget(IPC_PRIVATE, sizeof(*s), IPC_CREAT | 0600);
	semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (shmid < 0 || semid < 0 || semctl(semid, 0, SETALL, init)) {
		perror("shmget/semget");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	/* Each side attaches after the fork, so both attachments are visible. */
	s = shmat(shmid, NULL, 0);
	if (s == (void *)-1) {
		perror("shmat");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "consumer");
		for (long i = 0; i < items; i++) {
			sem_add(semid, FULL, -1);
			memcpy(copy, s->data, s->len);
			bytes += s->len;
			sem_add(semid, EMPTY, 1);
		}
		shmdt(s);
		printf("consumer (pid %d): took %ld items, %ld bytes, from segment %d\n", getpid(),
		       items, bytes, shmid);
		return 0;
	}
	prctl(PR_SET_NAME, "producer");
	for (long i = 0; i < items; i++) {
		msleep(gap_ms);
		sem_add(semid, EMPTY, -1);
		memset(s->data, 'a' + i % 26, size);
		s->len = size;
		bytes += size;
		sem_add(semid, FULL, 1);
	}
	waitpid(child, &status, 0);
	shmdt(s);
	shmctl(shmid, IPC_RMID, NULL);
	semctl(semid, 0, IPC_RMID);
	printf("producer (pid %d): put %ld items, %ld bytes, into segment %d (semaphores %d)\n",
	       getpid(), items, bytes, shmid, semid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
