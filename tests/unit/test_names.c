// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Every channel's name tells it apart from its siblings: futexes by mapping and offset, or by
 * process and address; accepted unix connections by server path and client, as ss shows them. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "synth.h"

#define FUTEX_A 0x900
#define FUTEX_B 0x901
#define LISTEN 0xa00
#define SRV(n) (0xb00 + (n))
#define CLI(n) (0xc00 + (n))

static void futex_chan(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, uint64_t ino,
		       uint32_t off, uint64_t uaddr)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, ts, pid, pid);
	e.chan = chan;
	e.kind = IPCT_KIND_FUTEX;
	e.ino = ino;
	e.dev = off;
	e.uaddr = uaddr;
	model__add(m, &e.h);
}

static void futex_waits(struct model *m, uint64_t chan, uint64_t t)
{
	ev_sleep(m, 10, 10, t + 10, t + 500, t + 510, 1, IPCT_OP_FUTEX_WAIT, chan, 20, chan);
	ev_sys(m, 10, 10, t, t + 520, IPCT_OP_FUTEX_WAIT, chan, 0, 0);
	ev_sys(m, 20, 20, t + 400, t + 600, IPCT_OP_FUTEX_WAKE, chan, 1, 0);
}

static const struct model_channel *named(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nchannels; i++)
		if (!strcmp(m->channels[i].name, name))
			return &m->channels[i];
	for (size_t i = 0; i < m->nchannels; i++)
		fprintf(stderr, "channel %d: %s\n", m->channels[i].id, m->channels[i].name);
	cr_assert_fail("no channel named %s", name);
	return NULL;
}

/* -p: the semaphores live in shared memory mapped before the attach, no channel of its own */
Test(names, futexes_in_an_unseen_mapping_are_named_by_inode_and_offset)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "postgres");
	ev_task(m, 1000, 20, 20, "postgres");
	futex_chan(m, 1500, 10, FUTEX_A, 42781, 0x1a0, 0);
	futex_chan(m, 1500, 10, FUTEX_B, 42781, 0x2c0, 0);
	futex_waits(m, FUTEX_A, 2000);
	futex_waits(m, FUTEX_B, 4000);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	named(m, "futex in inode 42781 +0x1a0");
	named(m, "futex in inode 42781 +0x2c0");
	model__free(m);
}

Test(names, private_futexes_are_named_by_process_and_address)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "node");
	ev_task(m, 1000, 10, 20, "node-worker");
	futex_chan(m, 1500, 10, FUTEX_A, 0, 0, 0x7f3a1c0008a0ull);
	futex_chan(m, 1500, 10, FUTEX_B, 0, 0, 0x7f3a1c000900ull);
	futex_waits(m, FUTEX_A, 2000);
	futex_waits(m, FUTEX_B, 4000);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2);
	named(m, "futex in pid 10 @0x7f3a1c0008a0");
	named(m, "futex in pid 10 @0x7f3a1c000900");
	model__free(m);
}

/* One end of a unix connection, as the recorder announces it: the client knows its peer's
 * address and pid but not the inode of a socket not yet accepted (peer_ino 0). */
static void peer_end(struct model *m, uint64_t t, uint32_t pid, uint64_t chan, uint64_t peer,
		     uint64_t ino, uint32_t peer_pid, uint64_t peer_ino, bool client)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, t, pid, pid);
	e.h.flags = client ? IPCT_F_PEER_NAME : 0;
	e.chan = chan;
	e.kind = IPCT_KIND_UNIX_STREAM;
	e.peer = peer;
	e.ino = ino;
	e.peer_pid = peer_pid;
	e.peer_ino = peer_ino;
	strcpy(e.name, "/run/postgresql/.s.PGSQL.5433");
	model__add(m, &e.h);
}

static void unix_end(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, uint64_t peer,
		     uint64_t ino, bool client)
{
	peer_end(m, ts, pid, chan, peer, ino, 0, 0, client);
}

/* client pid connects on fd; the server (pid 10) accepts it as its fd 10 + n, a query and a reply */
static void connection(struct model *m, int n, uint32_t pid, int fd, uint64_t t)
{
	ev_sysfd(m, pid, pid, t, t + 10, IPCT_OP_SOCKET, 0, fd, fd, 0);
	unix_end(m, t + 20, pid, CLI(n), SRV(n), 5000 + 2 * n, true);
	ev_sysfd(m, pid, pid, t + 15, t + 30, IPCT_OP_CONNECT, CLI(n), fd, 0, 0);
	unix_end(m, t + 40, 10, SRV(n), CLI(n), 5001 + 2 * n, false);
	ev_sys2(m, 10, 10, t + 35, t + 50, IPCT_OP_ACCEPT, LISTEN, SRV(n), 10 + n, 0);
	ev_sysfd(m, pid, pid, t + 60, t + 70, IPCT_OP_SEND, CLI(n), fd, 30, 0);
	ev_sysfd(m, 10, 10, t + 80, t + 90, IPCT_OP_RECV, SRV(n), 10 + n, 30, 0);
	ev_sysfd(m, 10, 10, t + 100, t + 110, IPCT_OP_SEND, SRV(n), 10 + n, 200, 0);
	ev_sysfd(m, pid, pid, t + 120, t + 130, IPCT_OP_RECV, CLI(n), fd, 200, 0);
}

Test(names, accepted_unix_connections_are_named_by_server_path_and_client)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "postgres");
	ev_task(m, 1000, 20, 20, "pgbench");
	ev_task(m, 1000, 30, 30, "psql");
	unix_end(m, 1100, 10, LISTEN, 0, 4999, false);
	ev_sysfd(m, 10, 10, 1200, 1210, IPCT_OP_LISTEN, LISTEN, 3, 0, 128);
	connection(m, 0, 20, 5, 2000);
	connection(m, 1, 20, 6, 3000);
	connection(m, 2, 30, 5, 4000);
	model__finish(m);

	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 20 fd 5");
	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 20 fd 6");
	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 30 fd 5");
	cr_assert(named(m, "/run/postgresql/.s.PGSQL.5433")->listening, "the listening socket keeps the path");
	model__free(m);
}

/* -p on the server only: pgbench is not traced; the server's end says who connected (SO_PEERCRED) */
Test(names, connections_of_an_untraced_client_are_named_by_its_pid_and_socket)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "postgres");
	for (int n = 0; n < 3; n++) {
		struct ipct_chan e = { 0 };
		uint64_t t = 2000 + n * 1000;

		hdr(&e.h, IPCT_EV_CHAN, t, 10, 10);
		e.chan = SRV(n);
		e.kind = IPCT_KIND_UNIX_STREAM;
		e.peer = CLI(n);
		e.ino = 6000 + n;
		e.peer_pid = 77;
		e.peer_ino = 7000 + n;
		strcpy(e.name, "/run/postgresql/.s.PGSQL.5433");
		model__add(m, &e.h);
		ev_sysfd(m, 10, 10, t + 80, t + 90, IPCT_OP_RECV, SRV(n), 10 + n, 30, 0);
		ev_sysfd(m, 10, 10, t + 100, t + 110, IPCT_OP_SEND, SRV(n), 10 + n, 200, 0);
	}
	model__finish(m);

	cr_assert_eq(m->nchannels, 3);
	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 77 socket:[7000]");
	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 77 socket:[7001]");
	named(m, "/run/postgresql/.s.PGSQL.5433 <-> pid 77 socket:[7002]");
	model__free(m);
}

/* pgbench -i, then the benchmark: the second connection's sockets reuse the first's addresses */
Test(names, a_connection_on_reused_socket_addresses_is_a_new_channel)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "postgres");
	ev_task(m, 1000, 20, 20, "pgbench");
	for (int n = 0; n < 2; n++) {
		uint64_t t = 2000 + n * 10000, sino = 5000 + 10 * n, cino = 5001 + 10 * n;
		struct ipct_chan s = { 0 }, c = { 0 };

		/* the server's end is seen first, naming its peer by the reused address */
		hdr(&s.h, IPCT_EV_CHAN, t, 10, 10);
		s.chan = SRV(0);
		s.kind = IPCT_KIND_UNIX_STREAM;
		s.peer = CLI(0);
		s.ino = sino;
		s.peer_pid = 20;
		s.peer_ino = cino;
		strcpy(s.name, "/run/postgresql/.s.PGSQL.5433");
		model__add(m, &s.h);
		hdr(&c.h, IPCT_EV_CHAN, t + 10, 20, 20);
		c.h.flags = IPCT_F_PEER_NAME;
		c.chan = CLI(0);
		c.kind = IPCT_KIND_UNIX_STREAM;
		c.peer = SRV(0);
		c.ino = cino;
		c.peer_pid = 10;
		c.peer_ino = sino;
		strcpy(c.name, "/run/postgresql/.s.PGSQL.5433");
		model__add(m, &c.h);
		ev_sysfd(m, 20, 20, t + 60, t + 70, IPCT_OP_SEND, CLI(0), 5, 30, 0);
		ev_sysfd(m, 10, 10, t + 80, t + 90, IPCT_OP_RECV, SRV(0), 9, 30, 0);
	}
	model__finish(m);

	cr_assert_eq(m->nchannels, 2, "two connections, one after the other");
	for (size_t i = 0; i < m->nchannels; i++) {
		cr_assert_eq(m->channels[i].nendpoints, 2);
		cr_assert_eq(m->channels[i].bytes, 30);
	}
	model__free(m);
}

/* pg_isready, then pgbench -i, then pgbench: the second client's socket takes the address of
 * the first connection's server end, the second server end the first client's, and the third
 * server end that address again (seen on a real run: all three were one channel) */
Test(names, a_connection_on_swapped_socket_addresses_is_a_new_channel)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "postgres");
	ev_task(m, 1000, 20, 20, "pg_isready");
	ev_task(m, 1000, 30, 30, "pgbench");
	/* first connection: client at A, server end at B */
	peer_end(m, 2000, 20, CLI(0), 0, 501, 0, 0, true);
	peer_end(m, 2010, 20, CLI(0), SRV(0), 501, 10, 0, true);
	peer_end(m, 2020, 10, SRV(0), CLI(0), 502, 20, 501, false);
	ev_sysfd(m, 20, 20, 2060, 2070, IPCT_OP_SEND, CLI(0), 3, 30, 0);
	ev_sysfd(m, 10, 10, 2080, 2090, IPCT_OP_RECV, SRV(0), 9, 30, 0);
	/* second connection: client at B, server end at A */
	peer_end(m, 12000, 30, SRV(0), 0, 601, 0, 0, true);
	peer_end(m, 12010, 30, SRV(0), CLI(0), 601, 10, 0, true);
	peer_end(m, 12020, 10, CLI(0), SRV(0), 602, 30, 601, false);
	ev_sysfd(m, 30, 30, 12060, 12070, IPCT_OP_SEND, SRV(0), 3, 30, 0);
	ev_sysfd(m, 10, 10, 12080, 12090, IPCT_OP_RECV, CLI(0), 10, 30, 0);
	/* third: the client at a new address, its server end at A again (joined to B above) */
	ev_task(m, 20000, 40, 40, "pgbench");
	peer_end(m, 22000, 40, CLI(1), 0, 701, 0, 0, true);
	peer_end(m, 22010, 40, CLI(1), CLI(0), 701, 10, 0, true);
	ev_sysfd(m, 40, 40, 22015, 22016, IPCT_OP_SEND, CLI(1), 3, 30, 0);
	peer_end(m, 22020, 10, CLI(0), CLI(1), 702, 40, 701, false);
	ev_sysfd(m, 10, 10, 22080, 22090, IPCT_OP_RECV, CLI(0), 11, 30, 0);
	model__finish(m);

	cr_assert_eq(m->nchannels, 3, "three connections, one after the other, not %zu", m->nchannels);
	for (size_t i = 0; i < m->nchannels; i++) {
		cr_assert_eq(m->channels[i].nendpoints, 2, "channel %d: %zu endpoints", m->channels[i].id,
			     m->channels[i].nendpoints);
		cr_assert_eq(m->channels[i].bytes, 30);
	}
	model__free(m);
}
