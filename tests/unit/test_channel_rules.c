// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Which channels exist: every reported channel has an endpoint; a file is a channel when one
 * process reads what another wrote. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "model.h"
#include "synth.h"

#define SIGCH 0x400
#define LOG 0x500
#define TMPF 0x501

static void ev_wakeup(struct model *m, uint64_t ts, uint32_t pid, uint32_t wakee, unsigned op,
		      uint64_t chan)
{
	struct ipct_wakeup e = { 0 };

	hdr(&e.h, IPCT_EV_WAKEUP, ts, pid, pid);
	e.wakee_pid = wakee;
	e.wakee_tid = wakee;
	e.op = op;
	e.chan = chan;
	model__add(m, &e.h);
}

Test(channel_rules, a_wakeup_during_a_kill_of_an_untraced_process_makes_no_empty_channel)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "killer");
	ev_chan(m, 1000, 10, SIGCH, IPCT_KIND_SIGNAL, 0, 99, NULL);
	/* the kill wakes pid 99, which is not traced, before the kill returns */
	ev_wakeup(m, 2000, 10, 99, IPCT_OP_KILL, 0);
	ev_sys2(m, 10, 10, 1900, 2100, IPCT_OP_KILL, SIGCH, 0, 0, 99);
	model__finish(m);

	for (size_t i = 0; i < m->nchannels; i++)
		cr_assert_gt(m->channels[i].nendpoints, 0, "channel %d (%s) has no endpoint",
			     m->channels[i].id, m->channels[i].name);
	cr_assert_eq(m->nchannels, 1, "only the channel the kill was sent on");
	for (size_t i = 0; i < m->nwakeups; i++)
		cr_assert(!m->wakeups[i].chan || model__channel(m, m->wakeups[i].chan),
			  "wakeup names channel %d, which is not reported", m->wakeups[i].chan);
	model__free(m);
}

/* `make demo > log`: two processes write their shared stdout, nobody reads it */
Test(channel_rules, two_processes_appending_to_one_log_make_no_file_channel)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "reader");
	ev_chan(m, 1000, 10, LOG, IPCT_KIND_FILE, 0, 5, "/tmp/demo.log");
	for (int i = 0; i < 3; i++) {
		ev_sys(m, 10, 10, 2000 + i * 100, 2010 + i * 100, IPCT_OP_WRITE, LOG, 40, 0);
		ev_sys(m, 20, 20, 2050 + i * 100, 2060 + i * 100, IPCT_OP_WRITE, LOG, 30, 0);
	}
	model__finish(m);

	cr_assert_eq(m->nchannels, 0, "a log both append to carries nothing between them");
	model__free(m);
}

Test(channel_rules, a_file_one_process_reads_after_another_wrote_it_is_a_channel)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "reader");
	ev_chan(m, 1000, 10, TMPF, IPCT_KIND_FILE, 0, 6, "temp.txt");
	ev_sys(m, 10, 10, 2000, 2010, IPCT_OP_WRITE, TMPF, 100, 0);
	ev_sys(m, 20, 20, 3000, 3010, IPCT_OP_READ, TMPF, 100, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 1);
	c = &m->channels[0];
	cr_assert_eq(c->kind, IPCT_KIND_FILE);
	cr_assert_str_eq(c->name, "temp.txt");
	cr_assert_eq(c->direction, DIR_SIMPLEX);
	cr_assert_eq(c->nendpoints, 2);
	model__free(m);
}

Test(channel_rules, a_file_a_process_reads_back_alone_is_no_channel)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "writer");
	ev_task(m, 1000, 20, 20, "other");
	ev_chan(m, 1000, 10, TMPF, IPCT_KIND_FILE, 0, 6, "scratch");
	ev_sys(m, 10, 10, 2000, 2010, IPCT_OP_WRITE, TMPF, 100, 0);
	ev_sys(m, 10, 10, 3000, 3010, IPCT_OP_READ, TMPF, 100, 0);
	ev_sys(m, 20, 20, 3100, 3110, IPCT_OP_WRITE, TMPF, 10, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 0, "it read back its own data; the other only wrote");
	model__free(m);
}
