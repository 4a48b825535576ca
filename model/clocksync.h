/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Two machines' clocks aligned from the messages they exchanged, by the
 * convex-hull method (Duda et al.; Trace Compass's trace synchronisation):
 * a message cannot arrive before it left, so each one bounds the line
 * ref = a * t + b that maps clock t (the other machine's) onto clock ref
 * from one side. Messages one way bound it from below, replies from above;
 * only the upper hull of the lower bounds and the lower hull of the upper
 * bounds matter. The slopes the two hulls allow form an interval; the fit
 * is the line half way between its two extreme lines (each taken half way
 * between its bounds), and the uncertainty at a time is the width of the
 * range of offsets every allowed line gives there.
 *
 *   struct clocksync *cs = clocksync__new();
 *   clocksync__add(cs, CLOCK_TO_OTHER, send_ts_on_ref, recv_ts_on_other);
 *   clocksync__add(cs, CLOCK_TO_REF, send_ts_on_other, recv_ts_on_ref);
 *   struct clock_fit f;  clocksync__fit(cs, 500e-6, &f);
 *   ref = clock_fit__map(&f, t);   clocksync__free(cs);
 */
#ifndef IPCTRACE_CLOCKSYNC_H
#define IPCTRACE_CLOCKSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum clock_way {
	CLOCK_TO_OTHER,  /* sent on the reference clock, received on the other */
	CLOCK_TO_REF,    /* sent on the other clock, received on the reference */
};

enum clock_fit_status {
	CLOCK_FIT_OK = 0,
	CLOCK_FIT_NO_MESSAGES,  /* nothing was exchanged */
	CLOCK_FIT_ONE_WAY,      /* messages went one way only: no bound from the other side */
	CLOCK_FIT_CROSSED,      /* no line lies between the bounds (gap_ns says by how much) */
};

/* ref = a * (t - x0) + y0 + b; t and ref in ns. */
struct clock_fit {
	enum clock_fit_status status;
	long double a, b;
	int64_t x0, y0;
	long double a_lo, a_hi;     /* the slopes the bounds allow */
	double gap_ns;              /* CROSSED: how far apart the closest bounds stay */
	size_t to_other, to_ref;    /* messages each way */
	int64_t first_t, last_t;    /* the other clock's span of the messages */
	/* vertices of the region of allowed (a, b): the uncertainty comes from them */
	long double *va, *vlo, *vhi;
	size_t nv;
};

struct clocksync;

struct clocksync *clocksync__new(void);
void clocksync__free(struct clocksync *cs);
/* One message; 0 or -ENOMEM. */
int clocksync__add(struct clocksync *cs, enum clock_way way, uint64_t send_ts, uint64_t recv_ts);
size_t clocksync__count(const struct clocksync *cs);
/*
 * Fit with the slope held within 1 +- max_drift (a clock is not off by more:
 * NTP slews at most 500 ppm). 0 (see f->status) or -ENOMEM. Free f with
 * clock_fit__release.
 */
int clocksync__fit(struct clocksync *cs, double max_drift, struct clock_fit *f);
void clock_fit__release(struct clock_fit *f);
/* The reference time of other-clock time t. */
long double clock_fit__map(const struct clock_fit *f, long double t);
/* Width in ns of the reference times every allowed line gives for t. */
double clock_fit__width(const struct clock_fit *f, long double t);
/* The narrowest width over the messages' span, and where (other clock). */
double clock_fit__min_width(const struct clock_fit *f, int64_t *at);
/* The widest over the messages' span (at one of its ends: the width is convex). */
double clock_fit__max_width(const struct clock_fit *f);

#endif /* IPCTRACE_CLOCKSYNC_H */
