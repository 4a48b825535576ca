// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * thread_rename: the main thread names a worker (glibc writes
 * /proc/self/task/TID/comm, as memcached names its workers), then itself
 * with prctl(PR_SET_NAME); the worker blocks in a read until the main
 * thread writes. Each name is read back from /proc.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fds[2];
static pid_t worker_tid;

static void *worker(void *arg)
{
	char c;

	worker_tid = (pid_t)syscall(SYS_gettid);
	if (read(fds[0], &c, 1) != 1)
		perror("thread_rename: read");
	return arg;
}

static void comm_of(pid_t tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

int main(void)
{
	char name[32];
	pthread_t t;

	if (pipe(fds) || pthread_create(&t, NULL, worker, NULL)) {
		perror("thread_rename: pipe/pthread_create");
		return 1;
	}
	usleep(50000);
	pthread_setname_np(t, "my-worker");
	prctl(PR_SET_NAME, "renamed-main", 0, 0, 0);
	comm_of(worker_tid, name, sizeof(name));
	printf("worker (pid %d): thread %d is named %s\n", getpid(), (int)worker_tid, name);
	comm_of((pid_t)syscall(SYS_gettid), name, sizeof(name));
	printf("main (pid %d): thread %d is named %s\n", getpid(), getpid(), name);
	fflush(stdout);
	usleep(100000);
	if (write(fds[1], "x", 1) != 1)
		perror("thread_rename: write");
	pthread_join(t, NULL);
	return 0;
}
