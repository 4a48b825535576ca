/*
 * many_tasks: one collector reads a pipe written by many short-lived
 * tasks: CHILDREN forked processes and THREADS threads, each writing one
 * 8-byte message. It shows that every new process and thread is followed.
 *
 *   sudo ./ipctrace -- .output/demos/many_tasks [CHILDREN [THREADS]]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static int fds[2];

static void *writer_thread(void *arg)
{
	uint64_t id = (uintptr_t)arg;

	prctl(PR_SET_NAME, "task-thread");
	if (write(fds[1], &id, sizeof(id)) != sizeof(id))
		perror("write");
	return NULL;
}

int main(int argc, char **argv)
{
	long children = argc > 1 ? atol(argv[1]) : 100;
	long threads = argc > 2 ? atol(argv[2]) : 100;
	long total = children + threads, got = 0, failed = 0;
	pthread_t *tids;
	uint64_t id;
	int status;

	if (children < 0 || threads < 0 || total < 1 || total > 4096) {
		fprintf(stderr, "usage: %s [CHILDREN [THREADS]] (at most 4096 in all)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_NAME, "collector");
	tids = calloc(threads + 1, sizeof(*tids));
	if (!tids || pipe(fds)) {
		perror("pipe");
		return 1;
	}
	for (long i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			id = i;
			prctl(PR_SET_NAME, "task-child");
			_exit(write(fds[1], &id, sizeof(id)) == sizeof(id) ? 0 : 1);
		}
	}
	for (long i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, writer_thread, (void *)(uintptr_t)(children + i))) {
			perror("pthread_create");
			return 1;
		}
	while (got < total && read(fds[0], &id, sizeof(id)) == sizeof(id))
		got++;
	for (long i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	free(tids);
	printf("collector (pid %d): read %ld bytes from %ld children and %ld threads, %ld failed\n",
	       getpid(), got * 8, children, threads, failed);
	return failed != 0;
}
