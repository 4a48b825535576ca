/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a stop signal (SIGINT, SIGTERM, SIGHUP) does: one policy for every
 * subcommand (DESIGN.md, "Stop signals").
 *
 * - while recording (stop_signal__finish): the first stops the recording, which
 *   then finishes and keeps the trace; a second Ctrl-C kills ipctrace at once;
 * - while an output is written under a temporary name (stop_signal__discard):
 *   the temporary file is removed and ipctrace dies of the signal, leaving
 *   whatever was at the output's path as it was;
 * - otherwise (stop_signal__default): the signal's default, dying.
 *
 *   stop_signal__finish();
 *   while (!stop_signal__asked(&sig, &from_tty)) ... record ...
 *   stop_signal__discard(tmp); ... write tmp, rename ...; stop_signal__default();
 */
#ifndef IPCTRACE_STOP_SIGNAL_H
#define IPCTRACE_STOP_SIGNAL_H

#include <signal.h>
#include <stdbool.h>

/* Catch stop signals to finish the recording; does nothing if they are caught already. */
void stop_signal__finish(void);
/* Whether a stop signal was caught since stop_signal__finish: which, and whether a
 * terminal sent it (Ctrl-C already reached the terminal's process group). */
bool stop_signal__asked(int *signo, bool *from_tty);
/* A stop signal removes tmp and kills; NULL is stop_signal__default. */
void stop_signal__discard(const char *tmp);
/* The temporary file a stop signal would remove now, or NULL. */
const char *stop_signal__discarding(void);
/* The signals' default action: dying. */
void stop_signal__default(void);
/* The set of stop signals (to block them around a fork). */
void stop_signal__set(sigset_t *set);

#endif
