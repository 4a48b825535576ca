/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What /proc says about a process: its tgid, parent, threads and names.
 * Every function returns 0 or a negative errno (-ENOENT: no such task).
 *
 *   pid_t *tids; size_t n;
 *   if (procfs__threads(pid, &tids, &n) == 0) ... free(tids);
 */
#ifndef IPCTRACE_PROCFS_H
#define IPCTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The process (tgid) a task id belongs to; a tgid maps to itself. */
int procfs__tgid(pid_t pid, pid_t *tgid);
/* Parent process id from /proc/PID/stat. */
int procfs__ppid(pid_t pid, pid_t *ppid);
/* One-letter state from /proc/PID/stat ('R', 'S', 'Z', ...). */
int procfs__state(pid_t pid, char *state);
/* True while the process exists and is not a zombie. */
bool procfs__alive(pid_t pid);
/* Name of thread tid of process pid, NUL-terminated, at most len-1 bytes. */
int procfs__comm(pid_t pid, pid_t tid, char *buf, size_t len);
/*
 * Process pid's argv as /proc/PID/cmdline gives it (NUL-separated; after
 * setproctitle, what the process wrote there), cut at len bytes; *n = bytes
 * stored. A kernel thread or a zombie has none: 0 with *n = 0.
 */
int procfs__cmdline(pid_t pid, char *buf, size_t len, size_t *n);
/* Path of process pid's executable (/proc/PID/exe), NUL-terminated, cut at len-1 bytes. */
int procfs__exe(pid_t pid, char *buf, size_t len);
/* Thread ids of process pid, sorted; *tids is malloc'd, free it. */
int procfs__threads(pid_t pid, pid_t **tids, size_t *ntids);

#endif /* IPCTRACE_PROCFS_H */
