// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The recorder's watch on processes whose title may still come, against made-up processes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "title_watch.h"

#define MS (1000ull * 1000)

/* made-up processes: pid i has argv title[i] ("" = none to read) while alive[i] */
struct procs {
	const char *title[8];
	bool alive[8];
	int emitted[8];
	char last[8][64];
	int fail_emit;
};

static bool alive(void *ctx, pid_t pid)
{
	return ((struct procs *)ctx)->alive[pid];
}

static int read_args(void *ctx, pid_t pid, char *buf, size_t len, size_t *n)
{
	struct procs *p = ctx;

	*n = strlen(p->title[pid]);
	if (*n > len)
		*n = len;
	memcpy(buf, p->title[pid], *n);
	return 0;
}

static int emit(void *ctx, pid_t pid, const char *args, size_t n, uint64_t now)
{
	struct procs *p = ctx;

	if (p->fail_emit)
		return p->fail_emit;
	p->emitted[pid]++;
	snprintf(p->last[pid], sizeof(p->last[pid]), "%.*s", (int)n, args);
	return 0;
}

static const struct title_watch_ops ops = { alive, read_args, emit };

Test(title_watch, a_title_set_after_the_first_read_is_read_at_a_later_tick)
{
	struct procs p = { .title = { [1] = "server" }, .alive = { [1] = true } };
	struct title_watch w = { 0 };

	cr_assert_eq(title_watch__add(&w, 1, 0, NULL, 0), 0);
	/* the first tick finds the parent's argv: recorded, still watched */
	cr_assert_eq(title_watch__tick(&w, 250 * MS, &ops, &p), 0);
	cr_assert_eq(p.emitted[1], 1);
	cr_assert_str_eq(p.last[1], "server");
	cr_assert_eq(title_watch__count(&w), 1);
	/* unchanged: nothing recorded */
	title_watch__tick(&w, 500 * MS, &ops, &p);
	cr_assert_eq(p.emitted[1], 1);
	/* the title comes: recorded, and the watch lets go */
	p.title[1] = "server: worker 1";
	title_watch__tick(&w, 750 * MS, &ops, &p);
	cr_assert_eq(p.emitted[1], 2);
	cr_assert_str_eq(p.last[1], "server: worker 1");
	cr_assert_eq(title_watch__count(&w), 0);
	title_watch__free(&w);
}

Test(title_watch, lets_go_when_settled_when_gone_and_reads_nothing_until_there_is_something)
{
	struct procs p = { .title = { [1] = "a", [2] = "b", [3] = "" },
			   .alive = { [1] = true, [2] = true, [3] = true } };
	struct title_watch w = { 0 };

	title_watch__add(&w, 1, 0, NULL, 0);
	title_watch__add(&w, 2, 0, NULL, 0);
	title_watch__add(&w, 3, 0, NULL, 0);
	title_watch__tick(&w, 250 * MS, &ops, &p);
	cr_assert_eq(p.emitted[1] + p.emitted[2], 2);
	cr_assert_eq(p.emitted[3], 0, "an empty read (a zombie, a kernel thread) is no title");
	p.alive[2] = false;
	title_watch__tick(&w, 500 * MS, &ops, &p);
	cr_assert_eq(title_watch__count(&w), 2, "the exited one is let go");
	/* 3's argv comes late: its first read is recorded, whatever it says */
	p.title[3] = "c";
	title_watch__tick(&w, 750 * MS, &ops, &p);
	cr_assert_eq(p.emitted[3], 1);
	/* past the settle time, the unchanged ones are let go */
	title_watch__tick(&w, TITLE_SETTLE_NS, &ops, &p);
	cr_assert_eq(title_watch__count(&w), 0);
	cr_assert_eq(p.emitted[1], 1);
	title_watch__free(&w);
}

Test(title_watch, a_rename_restarts_the_watch_and_what_it_read_is_not_recorded_twice)
{
	struct procs p = { .title = { [1] = "nginx: master" }, .alive = { [1] = true } };
	struct title_watch w = { 0 };

	title_watch__add(&w, 1, 0, NULL, 0);
	/* renamed at 1.9 s: the recorder recorded its argv then, and watches from there */
	title_watch__add(&w, 1, 1900 * MS, "nginx: master", strlen("nginx: master"));
	cr_assert_eq(title_watch__count(&w), 1);
	title_watch__tick(&w, TITLE_SETTLE_NS + 100 * MS, &ops, &p);
	cr_assert_eq(p.emitted[1], 0, "the argv read at the rename, again");
	cr_assert_eq(title_watch__count(&w), 1, "watched 2 s from the rename, not the fork");
	title_watch__tick(&w, 1900 * MS + TITLE_SETTLE_NS, &ops, &p);
	cr_assert_eq(title_watch__count(&w), 0);
	title_watch__free(&w);
}

Test(title_watch, a_fork_storm_keeps_the_newest_and_a_failed_record_stops_the_tick)
{
	struct procs p = { .title = { [1] = "x" }, .alive = { [1] = true } };
	struct title_watch w = { 0 };

	for (pid_t pid = 1; pid <= TITLE_WATCH_MAX + 10; pid++)
		cr_assert_eq(title_watch__add(&w, pid, 0, NULL, 0), 0);
	cr_assert_eq(title_watch__count(&w), TITLE_WATCH_MAX);
	cr_assert_eq(w.w[0].pid, 11, "the longest watched made room");
	title_watch__free(&w);

	title_watch__add(&w, 1, 0, NULL, 0);
	p.fail_emit = -ENOSPC;
	cr_assert_eq(title_watch__tick(&w, 250 * MS, &ops, &p), -ENOSPC);
	title_watch__free(&w);
}
