// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The convex-hull clock fit on synthetic exchanges whose true clocks are known. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "clocksync.h"

/* The other machine's clock: off_ns ahead of the reference at 0, running drift faster. */
struct truth {
	double off_ns, drift;
};

static int64_t other_clock(const struct truth *tr, double ref)
{
	return (int64_t)llround(ref + tr->off_ns + tr->drift * ref);
}

static double ref_of(const struct truth *tr, double other)
{
	return (other - tr->off_ns) / (1 + tr->drift);
}

/* Round trips from the reference machine every gap_ns; returns the smallest round trip. */
static double round_trips(struct clocksync *cs, const struct truth *tr, int n, double start,
			  double gap_ns, unsigned seed)
{
	double min_rtt = INFINITY;

	srand(seed);
	for (int i = 0; i < n; i++) {
		double send = start + i * gap_ns + rand() % 1000;
		double lat1 = 8000 + rand() % 30000, proc = 2000 + rand() % 20000;
		double lat2 = 8000 + rand() % 30000;
		double arrive = send + lat1, reply = arrive + proc, back = reply + lat2;

		cr_assert_eq(clocksync__add(cs, CLOCK_TO_OTHER, (uint64_t)send,
					    (uint64_t)other_clock(tr, arrive)), 0);
		cr_assert_eq(clocksync__add(cs, CLOCK_TO_REF, (uint64_t)other_clock(tr, reply),
					    (uint64_t)back), 0);
		if (back - send < min_rtt)
			min_rtt = back - send;
	}
	return min_rtt;
}

Test(clocksync, recovers_offset_and_drift_within_its_width)
{
	static const struct truth cases[] = {
		{ 2.5e9, 25e-6 }, { -7e9, -40e-6 }, { 123456789, 0 }, { 1e12, 90e-6 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct truth *tr = &cases[c];
		struct clocksync *cs = clocksync__new();
		struct clock_fit f;
		double start = 5e12, min_rtt, w;
		int64_t at;

		min_rtt = round_trips(cs, tr, 400, start, 25e6, 7 + c);
		cr_assert_eq(clocksync__fit(cs, 500e-6, &f), 0);
		cr_assert_eq(f.status, CLOCK_FIT_OK, "case %zu: status %d", c, f.status);
		cr_assert_eq(f.to_other, 400);
		cr_assert_eq(f.to_ref, 400);
		/* the estimate lies within the reported width everywhere the messages went */
		for (int k = 0; k <= 20; k++) {
			double ref = start + k * (400 * 25e6 / 20);
			int64_t t = other_clock(tr, ref);
			double err = fabs((double)clock_fit__map(&f, t) - ref_of(tr, t));

			w = clock_fit__width(&f, t);
			cr_assert_leq(err, w + 1, "case %zu at %d: error %.0f ns, width %.0f ns",
				      c, k, err, w);
		}
		w = clock_fit__min_width(&f, &at);
		cr_assert_leq(w, min_rtt, "case %zu: narrowest %.0f ns, round trip %.0f ns", c, w,
			      min_rtt);
		cr_assert_leq(fabs((double)(1 / f.a - 1) - tr->drift), 0.5e-6,
			      "case %zu: drift %.3f ppm, true %.3f ppm", c,
			      (double)(1 / f.a - 1) * 1e6, tr->drift * 1e6);
		clock_fit__release(&f);
		clocksync__free(cs);
	}
}

Test(clocksync, a_single_round_trip_bounds_the_offset_within_the_round_trip)
{
	struct truth tr = { 3e9, 0 };
	struct clocksync *cs = clocksync__new();
	struct clock_fit f;
	double rtt = round_trips(cs, &tr, 1, 1e9, 0, 3);
	int64_t t = other_clock(&tr, 1e9);

	cr_assert_eq(clocksync__fit(cs, 500e-6, &f), 0);
	cr_assert_eq(f.status, CLOCK_FIT_OK);
	cr_assert_leq(fabs((double)clock_fit__map(&f, t) - 1e9), clock_fit__width(&f, t));
	cr_assert_leq(clock_fit__min_width(&f, NULL), rtt);
	clock_fit__release(&f);
	clocksync__free(cs);
}

Test(clocksync, messages_one_way_only_do_not_bound_the_clock)
{
	struct clocksync *cs = clocksync__new();
	struct clock_fit f;

	cr_assert_eq(clocksync__fit(cs, 500e-6, &f), 0);
	cr_assert_eq(f.status, CLOCK_FIT_NO_MESSAGES);
	for (int i = 0; i < 10; i++)
		clocksync__add(cs, CLOCK_TO_OTHER, 1000000 * i, 1000000 * i + 5000);
	cr_assert_eq(clocksync__fit(cs, 500e-6, &f), 0);
	cr_assert_eq(f.status, CLOCK_FIT_ONE_WAY);
	clocksync__free(cs);
}

Test(clocksync, bounds_that_cross_are_reported_with_their_gap)
{
	struct clocksync *cs = clocksync__new();
	struct clock_fit f;

	/* each way a message arrives 10 us before the other end's clock says it left */
	clocksync__add(cs, CLOCK_TO_OTHER, 1000000, 990000);
	clocksync__add(cs, CLOCK_TO_REF, 1005000, 995000);
	cr_assert_eq(clocksync__fit(cs, 500e-6, &f), 0);
	cr_assert_eq(f.status, CLOCK_FIT_CROSSED);
	/* the offset must be >= +10 us and <= -10 us: 20 us apart, less what a 500 ppm slope gives */
	cr_assert_float_eq(f.gap_ns, 20000.0, 10.0, "gap %.1f", f.gap_ns);
	clocksync__free(cs);
}

Test(clocksync, only_the_hulls_matter)
{
	struct truth tr = { 1e9, 30e-6 };
	struct clocksync *all = clocksync__new(), *tight = clocksync__new();
	struct clock_fit fa, ft;

	/* slow messages inside the bounds of fast ones change nothing */
	round_trips(all, &tr, 50, 1e12, 1e8, 11);
	round_trips(tight, &tr, 50, 1e12, 1e8, 11);
	for (int i = 0; i < 200; i++) {
		double send = 1e12 + i * 2.5e7, arrive = send + 5e6;

		clocksync__add(all, CLOCK_TO_OTHER, (uint64_t)send, (uint64_t)other_clock(&tr, arrive));
	}
	cr_assert_eq(clocksync__fit(all, 500e-6, &fa), 0);
	cr_assert_eq(clocksync__fit(tight, 500e-6, &ft), 0);
	cr_assert_eq(fa.status, CLOCK_FIT_OK);
	cr_assert_float_eq((double)fa.a, (double)ft.a, 1e-12);
	cr_assert_float_eq((double)(fa.b + fa.y0 - fa.a * fa.x0),
			   (double)(ft.b + ft.y0 - ft.a * ft.x0), 1.0);
	clock_fit__release(&fa);
	clock_fit__release(&ft);
	clocksync__free(all);
	clocksync__free(tight);
}
