// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What each process is and holds: its command line and executable (read
 * at attach, exec and stop, inherited by forked children), its threads'
 * names after renames, and the shared memory it holds (mapped, found by
 * the attach scan, inherited across fork, dropped at exec).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "synth.h"

#define SHM_ANON 0x500
#define SHM_NAMED 0x501
#define FILE_MAP 0x502

static const char pg_title[] = "postgres: checkpointer \0\0\0\0\0\0";
static const char py_argv[] = "/usr/bin/python3\0-c\0import time; time.sleep(60)";

Test(processes, cmdline_from_attach_and_its_role)
{
	struct model *m = synth_model(NULL, false);
	const struct model_process *pg, *py;

	ev_task(m, 1000, 10, 10, "postgres");
	ev_task(m, 1000, 20, 20, "python3");
	ev_cmdline(m, 1000, 10, "/usr/lib/postgresql/15/bin/postgres", pg_title, sizeof(pg_title) - 1);
	ev_cmdline(m, 1000, 20, "/usr/bin/python3.11", py_argv, sizeof(py_argv));
	model__finish(m);

	pg = model__process(m, 10);
	py = model__process(m, 20);
	cr_assert_str_eq(pg->cmdline, "postgres: checkpointer", "padding dropped: '%s'", pg->cmdline);
	cr_assert_str_eq(pg->exe, "/usr/lib/postgresql/15/bin/postgres");
	cr_assert(pg->titled);
	cr_assert_str_eq(model__process_role(pg), "postgres: checkpointer");
	cr_assert_str_eq(py->cmdline, "/usr/bin/python3 -c import time; time.sleep(60)");
	cr_assert_not(py->titled, "a plain argv is no title");
	cr_assert_str_eq(model__process_role(py), "python3");
	model__free(m);
}

Test(processes, forked_child_has_its_parents_exe_and_cmdline_until_it_execs)
{
	struct model *m = synth_model(NULL, false);
	static const char nginx_master[] = "nginx: master process /usr/sbin/nginx";
	static const char nginx_worker[] = "nginx: worker process\0\0\0\0";
	static const char ls_argv[] = "ls\0-l";

	ev_task(m, 1000, 10, 10, "nginx");
	ev_cmdline(m, 1000, 10, "/usr/sbin/nginx", nginx_master, sizeof(nginx_master) - 1);
	ev_fork(m, 2000, 10, 10, 11, 11, "nginx");
	ev_fork(m, 2100, 10, 10, 12, 12, "nginx");
	/* the worker retitles itself; read at the stop */
	ev_cmdline(m, 9000, 11, NULL, nginx_worker, sizeof(nginx_worker) - 1);
	ev_exec(m, 3000, 12, "ls", "/usr/bin/ls");
	ev_cmdline(m, 3000, 12, NULL, ls_argv, sizeof(ls_argv));
	model__finish(m);

	cr_assert_str_eq(model__process(m, 11)->exe, "/usr/sbin/nginx", "a fork runs its parent's program");
	cr_assert_str_eq(model__process(m, 11)->cmdline, "nginx: worker process");
	cr_assert_str_eq(model__process_role(model__process(m, 11)), "nginx: worker process");
	cr_assert_str_eq(model__process_role(model__process(m, 10)), "nginx: master process /usr/sbin/nginx");
	cr_assert_str_eq(model__process(m, 12)->exe, "/usr/bin/ls");
	cr_assert_str_eq(model__process(m, 12)->cmdline, "ls -l");
	cr_assert_not(model__process(m, 12)->titled, "exec dropped the parent's title");
	model__free(m);
}

Test(processes, thread_renamed_by_another_thread_takes_its_new_name)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "memcached");
	ev_fork(m, 1100, 10, 10, 10, 11, "memcached");
	/* pthread_setname_np from the main thread: the kernel renames task 11 */
	ev_comm(m, 1200, 10, 11, "mc-worker", sizeof("mc-worker"));
	model__finish(m);

	cr_assert_str_eq(model__thread(m, 11)->comm, "mc-worker");
	cr_assert_str_eq(model__thread(m, 10)->comm, "memcached");
	cr_assert_str_eq(model__process(m, 10)->comm, "memcached");
	model__free(m);
}

static void shm_chans(struct model *m)
{
	ev_chan(m, 1000, 10, SHM_ANON, IPCT_KIND_SHM, 0, 4242, NULL);
	ev_chan(m, 1000, 10, SHM_NAMED, IPCT_KIND_SHM, 0, 4343, "/dev/shm/buffers");
	ev_chan(m, 1000, 10, FILE_MAP, IPCT_KIND_MMAP, 0, 4444, "/var/lib/db/data");
}

Test(processes, forked_children_share_their_parents_memory)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "postmaster");
	shm_chans(m);
	/* mmap(MAP_SHARED|MAP_ANONYMOUS), mmap of a shm_open object, of a file */
	ev_sys2(m, 10, 10, 1100, 1200, IPCT_OP_MMAP, SHM_ANON, 0, 0x7f0000000000, 3);
	ev_sys2(m, 10, 10, 1300, 1400, IPCT_OP_MMAP, SHM_NAMED, 0, 0x7f0000100000, 3);
	ev_sys2(m, 10, 10, 1500, 1600, IPCT_OP_MMAP, FILE_MAP, 0, 0x7f0000200000, 3);
	ev_fork(m, 2000, 10, 10, 11, 11, "postgres");
	ev_fork(m, 2100, 10, 10, 12, 12, "postgres");
	/* a grandchild inherits what its parent inherited */
	ev_fork(m, 2200, 11, 11, 13, 13, "postgres");
	model__finish(m);

	cr_assert_eq(m->nchannels, 3);
	for (size_t i = 0; i < m->nchannels; i++) {
		c = &m->channels[i];
		cr_assert_eq(c->nendpoints, 4, "channel %s: %zu endpoints", c->name, c->nendpoints);
		for (uint32_t pid = 10; pid <= 13; pid++)
			cr_assert_not_null(synth_ep(c, pid), "%s misses pid %u", c->name, pid);
	}
	model__free(m);
}

Test(processes, memory_held_before_attach_found_by_the_scan)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "postmaster");
	ev_task(m, 1000, 11, 11, "postgres");
	shm_chans(m);
	ev_map(m, 1000, 10, SHM_ANON, 3);
	ev_map(m, 1000, 11, SHM_ANON, 3);
	ev_map(m, 1000, 10, FILE_MAP, 3);
	ev_map(m, 1000, 11, FILE_MAP, 1);
	/* a child forked during the recording has what its parent had before it */
	ev_fork(m, 5000, 10, 10, 12, 12, "postgres");
	model__finish(m);

	cr_assert_eq(m->nchannels, 2, "the named shm nobody holds is no channel");
	for (size_t i = 0; i < m->nchannels; i++) {
		c = &m->channels[i];
		cr_assert_eq(c->nendpoints, 3, "%s: %zu endpoints", c->name, c->nendpoints);
	}
	model__free(m);
}

Test(processes, exec_munmap_and_vfork_hold_nothing)
{
	struct model *m = synth_model(NULL, false);
	struct ipct_task vf = { 0 };
	const struct model_channel *c;

	ev_task(m, 1000, 10, 10, "parent");
	shm_chans(m);
	ev_sys2(m, 10, 10, 1100, 1200, IPCT_OP_MMAP, SHM_ANON, 0, 0x7f0000000000, 3);
	ev_sys2(m, 10, 10, 1300, 1400, IPCT_OP_MMAP, SHM_NAMED, 0, 0x7f0000100000, 3);
	ev_sys2(m, 10, 10, 1500, 1600, IPCT_OP_MUNMAP, SHM_NAMED, 0, 0, 4096);
	/* a shell command: fork, then exec straight away */
	ev_fork(m, 2000, 10, 10, 11, 11, "child");
	ev_exec(m, 2500, 11, "sh", "/bin/sh");
	ev_fork(m, 3000, 11, 11, 12, 12, "sh");
	/* a vfork child borrows the parent's memory (an LSan tracer, posix_spawn) and exits */
	hdr(&vf.h, IPCT_EV_FORK, 3500, 10, 10);
	vf.h.flags = IPCT_F_SHARED_VM;
	vf.child_pid = vf.child_tid = 13;
	model__add(m, &vf.h);
	ev_exit(m, 3600, 13, 13, 0);
	/* a worker forked and kept it: it holds it, from its fork, exited or not */
	ev_fork(m, 4000, 10, 10, 14, 14, "worker");
	ev_exit(m, 5000, 14, 14, 0);
	ev_fork(m, 6000, 10, 10, 15, 15, "worker");
	model__finish(m);

	c = model__channel(m, 1);
	cr_assert_not_null(c);
	cr_assert_eq(c->kind, IPCT_KIND_SHM);
	cr_assert_null(synth_ep(c, 11), "a child that execs at once never used its parent's memory");
	cr_assert_null(synth_ep(c, 12), "after exec nothing is inherited");
	cr_assert_null(synth_ep(c, 13), "a vfork child holds nothing of its own");
	cr_assert_not_null(synth_ep(c, 14));
	cr_assert_eq(synth_ep(c, 14)->first_ts, 4000, "held since its fork");
	cr_assert_not_null(synth_ep(c, 15), "still alive at the end: held to the end");
	for (size_t i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].name, "/dev/shm/buffers"))
			cr_assert_null(synth_ep(&m->channels[i], 14), "unmapped before the fork");
	model__free(m);
}
