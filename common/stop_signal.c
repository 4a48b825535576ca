// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What a stop signal does: finish the recording, discard a half-written output, or die. */
#include <signal.h>
#include <unistd.h>
#include "stop_signal.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

enum mode { DEFAULT, FINISH, DISCARD };

static enum mode mode = DEFAULT;
static volatile sig_atomic_t asked_signo;
static volatile sig_atomic_t asked_from_tty;
/* The temporary output a stop signal must not leave behind while it is written. */
static const char *volatile pending_tmp;

static void install(void (*handler)(int), void (*action)(int, siginfo_t *, void *))
{
	struct sigaction sa = { 0 };

	if (action) {
		sa.sa_sigaction = action;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = handler;
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaction(stop_signals[i], &sa, NULL);
}

static void on_stop(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)uc;
	asked_from_tty = si && si->si_code == SI_KERNEL;
	asked_signo = sig;
	/* A second Ctrl-C kills ipctrace at once. */
	if (sig == SIGINT)
		sigaction(SIGINT, &dfl, NULL);
}

static void on_discard(int sig)
{
	const char *tmp = pending_tmp;

	if (tmp)
		unlink(tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

void stop_signal__finish(void)
{
	if (mode == FINISH)
		return;
	pending_tmp = NULL;
	mode = FINISH;
	install(NULL, on_stop);
}

bool stop_signal__asked(int *signo, bool *from_tty)
{
	int sig = asked_signo;

	if (signo)
		*signo = sig;
	if (from_tty)
		*from_tty = asked_from_tty;
	return sig != 0;
}

void stop_signal__discard(const char *tmp)
{
	if (!tmp) {
		stop_signal__default();
		return;
	}
	pending_tmp = tmp;
	mode = DISCARD;
	install(on_discard, NULL);
}

const char *stop_signal__discarding(void)
{
	return mode == DISCARD ? pending_tmp : NULL;
}

void stop_signal__default(void)
{
	pending_tmp = NULL;
	mode = DEFAULT;
	install(SIG_DFL, NULL);
}

void stop_signal__set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}
