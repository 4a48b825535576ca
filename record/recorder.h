/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The collector: loads the BPF programs, follows the chosen processes and
 * streams their events from the ring buffer into a trace file.
 *
 *   struct recorder *r = recorder__new(&opts, &err);   checks, loads, attaches
 *   err = recorder__run(r);                            until stop, trace renamed
 *   recorder__stats(r, &st);  recorder__free(r);
 *
 * Every failure is printed by the recorder itself as one line on stderr
 * ("ipctrace: <what failed>: <what to do>"); callers only map the error.
 */
#ifndef IPCTRACE_RECORDER_H
#define IPCTRACE_RECORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The ring buffer's default size. At 16 MiB the programs of a traced call
 * cost a quarter more than at 4 MiB, which still loses nothing at half a
 * million events a second (tests/bench/RESULTS.md, eleventh pass). Most
 * likely the pages written outran the TLB: 4,096 of them at 16 MiB, and
 * nested paging in a VM makes each walk dear.
 */
#define RECORDER_RING_MIB 4
/* The largest ring -b takes. */
#define RECORDER_RING_MIB_MAX 1024

struct recorder_opts {
	const pid_t *pids;        /* processes to attach to (-p) */
	size_t npids;
	char *const *argv;        /* command to run traced, NULL-terminated; NULL = none */
	uint64_t duration_ns;     /* stop after this long; 0 = no limit */
	const char *trace_path;   /* final trace file name */
	unsigned ring_mib;        /* ring buffer size, a power of two; 0 = RECORDER_RING_MIB */
	uint64_t wake_bytes;      /* wake the collector at this fill; 0 = ring / 8 */
	int zlevel;               /* compression level 0-9, -1 = default */
	bool ipc_only;            /* record only IPC syscalls, not every one */
	bool quiet;               /* no status line, no notes */
	int verbose;              /* >0: libbpf messages; >1: libbpf debug */
	const char *cmdline;      /* stored in the trace's header */
	uid_t owner_uid;          /* give the trace to this user (sudo's); -1 = keep */
	gid_t owner_gid;
};

struct recorder_stats {
	uint64_t events;          /* events written to the trace */
	uint64_t lost;            /* events the kernel dropped */
	uint64_t bytes;           /* trace file size */
	uint64_t duration_ns;     /* recording time */
	double cpu_user_s, cpu_sys_s; /* the recorder's own CPU time */
	uint64_t bad_events;      /* ring records of a wrong size, skipped */
	bool cmd_ran;             /* a command was started */
	bool cmd_exec_failed;     /* it could not be run (exit code 126/127) */
	int cmd_status;           /* its wait status, when cmd_ran */
	bool cmd_reaped;
};

struct recorder;

/*
 * Stop signals (common/stop_signal.h): recorder__new and recorder__run catch
 * them with stop_signal__finish (the caller may do so earlier, before creating
 * any output). A stop asked during setup makes them fail with -EINTR and
 * remove what they created; during recording the trace is closed properly.
 * They stay caught after recorder__run: the caller restores what it wants.
 */

/*
 * The checks that need nothing created: the pids exist, the privileges,
 * BTF. Prints the one-line error. 0, -ESRCH, -EPERM or -ENOTSUP.
 */
int recorder__check(const struct recorder_opts *opts);

/*
 * Runs recorder__check, checks the output path (its temporary file is
 * created here, before anything is attached), then opens, loads and
 * attaches the BPF programs. NULL on failure with *err = -errno, after one
 * line on stderr. -ESRCH: no such process; -EPERM: not privileged.
 */
struct recorder *recorder__new(const struct recorder_opts *opts, int *err);
/*
 * Starts tracing the pids and the command and collects until Ctrl-C,
 * SIGTERM, SIGHUP, the duration, or the exit of every traced process. On
 * success the trace is complete under its final name. 0 or -errno.
 */
int recorder__run(struct recorder *r);
void recorder__stats(const struct recorder *r, struct recorder_stats *st);
/* Exit code for ipctrace when a command ran: its status, 128+signal if killed. */
int recorder__exit_code(const struct recorder *r);
/* Removes the temporary trace if run did not complete. Accepts NULL. */
void recorder__free(struct recorder *r);

#endif /* IPCTRACE_RECORDER_H */
