// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"

static pid_t unused_pid(void)
{
	char path[64];
	pid_t pid = 4000000;

	for (;; pid++) {
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		if (access(path, F_OK))
			return pid;
	}
}

struct named_thread {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t tid;
	bool ready, stop;
};

static void *thread_main(void *arg)
{
	struct named_thread *t = arg;

	/* A name with spaces and a ')' tests the /proc/PID/stat parsing. */
	prctl(PR_SET_NAME, "w (x) y", 0, 0, 0);
	pthread_mutex_lock(&t->lock);
	t->tid = (pid_t)syscall(SYS_gettid);
	t->ready = true;
	pthread_cond_broadcast(&t->cond);
	while (!t->stop)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

Test(procfs, self_tgid_ppid_state)
{
	pid_t tgid = 0, ppid = -1;
	char state = 0;

	cr_assert_eq(procfs__tgid(getpid(), &tgid), 0);
	cr_assert_eq(tgid, getpid());
	cr_assert_eq(procfs__ppid(getpid(), &ppid), 0);
	cr_assert_eq(ppid, getppid());
	cr_assert_eq(procfs__state(getpid(), &state), 0);
	cr_assert_eq(state, 'R');
	cr_assert(procfs__alive(getpid()));
}

Test(procfs, missing_pid)
{
	pid_t pid = unused_pid(), out, *tids = (pid_t *)1;
	size_t n = 7;
	char comm[16];

	cr_assert_eq(procfs__tgid(pid, &out), -ENOENT);
	cr_assert_eq(procfs__ppid(pid, &out), -ENOENT);
	cr_assert_eq(procfs__comm(pid, pid, comm, sizeof(comm)), -ENOENT);
	cr_assert_eq(procfs__threads(pid, &tids, &n), -ENOENT);
	cr_assert_null(tids);
	cr_assert_eq(n, 0);
	cr_assert_not(procfs__alive(pid));
	cr_assert_eq(procfs__tgid(0, &out), -ENOENT);
	cr_assert_eq(procfs__tgid(-5, &out), -ENOENT);
}

Test(procfs, threads_and_comms)
{
	struct named_thread t = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false, false };
	pid_t *tids, tgid = 0, ppid = 0;
	char comm[16], small[4];
	pthread_t th;
	size_t n, i;
	bool found_main = false, found_thread = false;

	cr_assert_eq(pthread_create(&th, NULL, thread_main, &t), 0);
	pthread_mutex_lock(&t.lock);
	while (!t.ready)
		pthread_cond_wait(&t.cond, &t.lock);
	pthread_mutex_unlock(&t.lock);

	cr_assert_eq(procfs__threads(getpid(), &tids, &n), 0);
	cr_assert_geq(n, 2);
	for (i = 0; i < n; i++) {
		if (i)
			cr_assert_lt(tids[i - 1], tids[i], "thread ids are sorted");
		found_main |= tids[i] == getpid();
		found_thread |= tids[i] == t.tid;
	}
	free(tids);
	cr_assert(found_main && found_thread);

	cr_assert_eq(procfs__comm(getpid(), t.tid, comm, sizeof(comm)), 0);
	cr_assert_str_eq(comm, "w (x) y");
	cr_assert_eq(procfs__comm(getpid(), t.tid, small, sizeof(small)), 0);
	cr_assert_str_eq(small, "w (");
	/* A thread id maps to its process; its stat parses past the odd name. */
	cr_assert_eq(procfs__tgid(t.tid, &tgid), 0);
	cr_assert_eq(tgid, getpid());
	cr_assert_eq(procfs__ppid(t.tid, &ppid), 0);
	cr_assert_eq(ppid, getppid());

	pthread_mutex_lock(&t.lock);
	t.stop = true;
	pthread_cond_broadcast(&t.cond);
	pthread_mutex_unlock(&t.lock);
	pthread_join(th, NULL);
}

Test(procfs, zombie_is_not_alive)
{
	char state = 0;
	pid_t child;
	int status;

	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(0);
	/* Until reaped the child stays a zombie: exists, but not alive. */
	for (int i = 0; i < 1000 && (procfs__state(child, &state) || state != 'Z'); i++)
		usleep(1000);
	cr_assert_eq(state, 'Z');
	cr_assert_eq(kill(child, 0), 0);
	cr_assert_not(procfs__alive(child));
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_not(procfs__alive(child));
}

Test(procfs, cmdline_and_exe_of_a_child)
{
	char buf[256], exe[256];
	size_t n = 0;
	pid_t pid;
	int st;

	/* argv with a space inside one argument: only NULs separate arguments */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	/* exec switches the executable before it lays out the new argv: wait for both */
	for (int i = 0; i < 500; i++) {
		if (!procfs__exe(pid, exe, sizeof(exe)) && strstr(exe, "sleep") &&
		    !procfs__cmdline(pid, buf, sizeof(buf), &n) && n)
			break;
		usleep(10000);
	}
	cr_assert_eq(procfs__cmdline(pid, buf, sizeof(buf), &n), 0);
	cr_assert_eq(n, sizeof("sleep\0" "30"), "argv is %zu bytes", n);
	cr_assert(!memcmp(buf, "sleep\0" "30", n));
	cr_assert_eq(procfs__exe(pid, exe, sizeof(exe)), 0);
	cr_assert(strstr(exe, "sleep"), "exe %s", exe);
	/* cut at the buffer's size */
	cr_assert_eq(procfs__cmdline(pid, buf, 3, &n), 0);
	cr_assert_eq(n, 3);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	cr_assert_eq(procfs__cmdline(unused_pid(), buf, sizeof(buf), &n), -ENOENT);
	cr_assert_eq(n, 0);
	cr_assert_eq(procfs__exe(unused_pid(), exe, sizeof(exe)), -ENOENT);
}
