// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The convex-hull clock fit (clocksync.h). Times are centred on the first
 * message before any arithmetic, so long double keeps well under a
 * nanosecond over days of trace. With a the slope and b the offset at the
 * centre, a message to the other clock received at x and sent at y needs
 * b >= y - a x, a reply sent at x and received at y needs b <= y - a x:
 * L(a) = max over the first kind, U(a) = min over the second, both piecewise
 * linear with breaks at the hull edges' slopes, and the allowed slopes are
 * where U - L >= 0 (a concave function, so one interval).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "clocksync.h"

struct cpt {
	int64_t x, y;   /* other clock, reference clock */
};

struct clocksync {
	struct cpt *lo, *hi;   /* bounds from below (to other), from above (to ref) */
	size_t nlo, nhi, clo, chi;
};

struct lpt {
	long double x, y;
};

struct clocksync *clocksync__new(void)
{
	return calloc(1, sizeof(struct clocksync));
}

void clocksync__free(struct clocksync *cs)
{
	if (!cs)
		return;
	free(cs->lo);
	free(cs->hi);
	free(cs);
}

static int push(struct cpt **arr, size_t *n, size_t *cap, struct cpt p)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct cpt *na = realloc(*arr, nc * sizeof(*na));

		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = nc;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

int clocksync__add(struct clocksync *cs, enum clock_way way, uint64_t send_ts, uint64_t recv_ts)
{
	if (way == CLOCK_TO_OTHER)
		return push(&cs->lo, &cs->nlo, &cs->clo,
			    (struct cpt){ .x = (int64_t)recv_ts, .y = (int64_t)send_ts });
	return push(&cs->hi, &cs->nhi, &cs->chi,
		    (struct cpt){ .x = (int64_t)send_ts, .y = (int64_t)recv_ts });
}

size_t clocksync__count(const struct clocksync *cs)
{
	return cs->nlo + cs->nhi;
}

static int cmp_lpt(const void *a, const void *b)
{
	const struct lpt *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

static long double cross(struct lpt o, struct lpt a, struct lpt b)
{
	return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* Upper (upper = true) or lower hull of pts, sorted in place; returns the hull size, in pts. */
static size_t hull(struct lpt *pts, size_t n, bool upper)
{
	size_t h = 0;

	qsort(pts, n, sizeof(*pts), cmp_lpt);
	for (size_t i = 0; i < n; i++) {
		while (h >= 2) {
			long double c = cross(pts[h - 2], pts[h - 1], pts[i]);

			if (upper ? c < 0 : c > 0)
				break;
			h--;
		}
		pts[h++] = pts[i];
	}
	return h;
}

static long double env_lo(const struct lpt *p, size_t n, long double a)
{
	long double best = -INFINITY;

	for (size_t i = 0; i < n; i++)
		if (p[i].y - a * p[i].x > best)
			best = p[i].y - a * p[i].x;
	return best;
}

static long double env_hi(const struct lpt *p, size_t n, long double a)
{
	long double best = INFINITY;

	for (size_t i = 0; i < n; i++)
		if (p[i].y - a * p[i].x < best)
			best = p[i].y - a * p[i].x;
	return best;
}

static int cmp_ld(const void *a, const void *b)
{
	long double x = *(const long double *)a, y = *(const long double *)b;

	return (x > y) - (x < y);
}

static struct lpt *centred(const struct cpt *src, size_t n, int64_t x0, int64_t y0)
{
	struct lpt *p = malloc((n ? n : 1) * sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct lpt){ .x = (long double)(src[i].x - x0), .y = (long double)(src[i].y - y0) };
	return p;
}

/* Edge slopes of a hull within (amin, amax), appended to s. */
static size_t add_slopes(long double *s, size_t k, const struct lpt *h, size_t n,
			 long double amin, long double amax)
{
	for (size_t i = 0; i + 1 < n; i++) {
		long double dx = h[i + 1].x - h[i].x, sl;

		if (dx <= 0)
			continue;
		sl = (h[i + 1].y - h[i].y) / dx;
		if (sl > amin && sl < amax)
			s[k++] = sl;
	}
	return k;
}

int clocksync__fit(struct clocksync *cs, double max_drift, struct clock_fit *f)
{
	struct lpt *lo = NULL, *hi = NULL;
	long double *cand = NULL, *g = NULL, amin = 1.0L - max_drift, amax = 1.0L + max_drift;
	long double best = -INFINITY;
	size_t nlo, nhi, nc = 0, first = SIZE_MAX, last = 0;
	int err = -ENOMEM;

	memset(f, 0, sizeof(*f));
	f->to_other = cs->nlo;
	f->to_ref = cs->nhi;
	if (!cs->nlo && !cs->nhi) {
		f->status = CLOCK_FIT_NO_MESSAGES;
		return 0;
	}
	if (!cs->nlo || !cs->nhi) {
		f->status = CLOCK_FIT_ONE_WAY;
		return 0;
	}
	f->x0 = cs->lo[0].x;
	f->y0 = cs->lo[0].y;
	f->first_t = f->last_t = f->x0;
	for (size_t i = 0; i < cs->nlo; i++) {
		if (cs->lo[i].x < f->first_t)
			f->first_t = cs->lo[i].x;
		if (cs->lo[i].x > f->last_t)
			f->last_t = cs->lo[i].x;
	}
	for (size_t i = 0; i < cs->nhi; i++) {
		if (cs->hi[i].x < f->first_t)
			f->first_t = cs->hi[i].x;
		if (cs->hi[i].x > f->last_t)
			f->last_t = cs->hi[i].x;
	}
	lo = centred(cs->lo, cs->nlo, f->x0, f->y0);
	hi = centred(cs->hi, cs->nhi, f->x0, f->y0);
	if (!lo || !hi)
		goto out;
	nlo = hull(lo, cs->nlo, true);
	nhi = hull(hi, cs->nhi, false);
	cand = malloc((nlo + nhi + 2) * sizeof(*cand));
	g = malloc((nlo + nhi + 2) * sizeof(*g));
	if (!cand || !g)
		goto out;
	cand[nc++] = amin;
	cand[nc++] = amax;
	nc = add_slopes(cand, nc, lo, nlo, amin, amax);
	nc = add_slopes(cand, nc, hi, nhi, amin, amax);
	qsort(cand, nc, sizeof(*cand), cmp_ld);
	for (size_t i = 0; i < nc; i++) {
		g[i] = env_hi(hi, nhi, cand[i]) - env_lo(lo, nlo, cand[i]);
		if (g[i] > best)
			best = g[i];
		if (g[i] >= 0) {
			if (first == SIZE_MAX)
				first = i;
			last = i;
		}
	}
	err = 0;
	if (first == SIZE_MAX) {
		f->status = CLOCK_FIT_CROSSED;
		f->gap_ns = (double)-best;
		goto out;
	}
	/* g is linear between candidates: the allowed interval's ends by interpolation */
	f->a_lo = cand[first];
	if (first > 0 && g[first] > 0)
		f->a_lo = cand[first - 1] + (cand[first] - cand[first - 1]) * (-g[first - 1]) /
					    (g[first] - g[first - 1]);
	f->a_hi = cand[last];
	if (last + 1 < nc && g[last] > 0)
		f->a_hi = cand[last] + (cand[last + 1] - cand[last]) * g[last] / (g[last] - g[last + 1]);
	f->va = malloc((last - first + 3) * sizeof(*f->va));
	f->vlo = malloc((last - first + 3) * sizeof(*f->vlo));
	f->vhi = malloc((last - first + 3) * sizeof(*f->vhi));
	if (!f->va || !f->vlo || !f->vhi) {
		clock_fit__release(f);
		err = -ENOMEM;
		goto out;
	}
	f->va[f->nv++] = f->a_lo;
	for (size_t i = first; i <= last; i++)
		if (cand[i] > f->a_lo && cand[i] < f->a_hi)
			f->va[f->nv++] = cand[i];
	if (f->a_hi > f->a_lo)
		f->va[f->nv++] = f->a_hi;
	for (size_t i = 0; i < f->nv; i++) {
		f->vlo[i] = env_lo(lo, nlo, f->va[i]);
		f->vhi[i] = env_hi(hi, nhi, f->va[i]);
	}
	f->a = (f->a_lo + f->a_hi) / 2;
	f->b = (env_lo(lo, nlo, f->a) + env_hi(hi, nhi, f->a)) / 2;
	f->status = CLOCK_FIT_OK;
out:
	free(lo);
	free(hi);
	free(cand);
	free(g);
	return err;
}

void clock_fit__release(struct clock_fit *f)
{
	free(f->va);
	free(f->vlo);
	free(f->vhi);
	f->va = f->vlo = f->vhi = NULL;
	f->nv = 0;
}

long double clock_fit__map(const struct clock_fit *f, long double t)
{
	return f->a * (t - f->x0) + f->b + f->y0;
}

double clock_fit__width(const struct clock_fit *f, long double t)
{
	long double x = t - f->x0, top = -INFINITY, bot = INFINITY;

	for (size_t i = 0; i < f->nv; i++) {
		long double h = f->va[i] * x + f->vhi[i], l = f->va[i] * x + f->vlo[i];

		if (h > top)
			top = h;
		if (l < bot)
			bot = l;
	}
	return f->nv ? (double)(top - bot) : INFINITY;
}

double clock_fit__min_width(const struct clock_fit *f, int64_t *at)
{
	long double lo = f->first_t, hi = f->last_t;

	/* convex in t: a ternary search finds its lowest point */
	for (int i = 0; i < 200 && hi - lo > 0.5L; i++) {
		long double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;

		if (clock_fit__width(f, m1) <= clock_fit__width(f, m2))
			hi = m2;
		else
			lo = m1;
	}
	if (at)
		*at = (int64_t)llroundl((lo + hi) / 2);
	return clock_fit__width(f, (lo + hi) / 2);
}

double clock_fit__max_width(const struct clock_fit *f)
{
	double a = clock_fit__width(f, f->first_t), b = clock_fit__width(f, f->last_t);

	return a > b ? a : b;
}
