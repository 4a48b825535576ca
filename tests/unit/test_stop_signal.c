// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The stop-signal policy, each case in a child process (signal dispositions are per process). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "stop_signal.h"

/* Runs fn in a child; its wait status. */
static int in_child(void (*fn)(const char *), const char *arg)
{
	int status = -1;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void finish_then_two_signals(const char *unused)
{
	int sig = 0;
	bool tty = true;

	(void)unused;
	stop_signal__finish();
	if (stop_signal__asked(NULL, NULL))
		_exit(10);
	raise(SIGTERM);
	if (!stop_signal__asked(&sig, &tty) || sig != SIGTERM || tty)
		_exit(11);
	raise(SIGHUP);              /* still caught: the recording finishes */
	if (!stop_signal__asked(&sig, NULL) || sig != SIGHUP)
		_exit(12);
	raise(SIGINT);              /* the first Ctrl-C is caught ... */
	raise(SIGINT);              /* ... a second kills at once */
	_exit(13);
}

Test(stop_signal, finish_catches_and_a_second_ctrl_c_kills)
{
	int status = in_child(finish_then_two_signals, NULL);

	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
		  "status %#x (exit %d)", status, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void discard_then_signal(const char *tmp)
{
	stop_signal__discard(tmp);
	if (stop_signal__discarding() != tmp)
		_exit(20);
	raise(SIGTERM);
	_exit(21);
}

/* fn, given a fresh temporary file, dies of sig; the file is then gone or still there. */
static void dies_of(void (*fn)(const char *), int sig, bool file_removed)
{
	char tmp[] = "/tmp/ipctrace-stop-XXXXXX";
	int fd = mkstemp(tmp);
	struct stat st;
	int status;

	cr_assert_geq(fd, 0);
	close(fd);
	status = in_child(fn, tmp);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == sig, "status %#x", status);
	if (file_removed)
		cr_assert_neq(stat(tmp, &st), 0, "%s left behind", tmp);
	else
		cr_assert_eq(stat(tmp, &st), 0, "%s removed", tmp);
	unlink(tmp);
}

Test(stop_signal, discard_removes_the_temporary_file_and_dies_of_the_signal)
{
	dies_of(discard_then_signal, SIGTERM, true);
}

static void default_after_discard(const char *tmp)
{
	stop_signal__discard(tmp);
	stop_signal__default();
	if (stop_signal__discarding())
		_exit(30);
	raise(SIGHUP);
	_exit(31);
}

Test(stop_signal, default_dies_and_leaves_files_alone)
{
	dies_of(default_after_discard, SIGHUP, false);
}
