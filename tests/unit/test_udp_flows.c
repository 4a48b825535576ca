// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unconnected UDP (DNS, statsd): each (socket, remote address) a socket
 * sends to or receives from is a flow; the two flows of one 4-tuple are
 * one udp channel with both endpoints, even when one end's local address
 * is the wildcard. A receive that does not ask where the datagram came
 * from belongs to the flow its socket last sent on (request/reply).
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "model.h"
#include "synth.h"

#define SRV_SOCK 0x600
#define CLI_SOCK 0x601
#define CLI2_SOCK 0x602
#define SRV_FLOW(n) (0x700 + (n))
#define CLI_FLOW(n) (0x800 + (n))

/* A UDP socket's CHAN (ino = its inode), or one of its flows (IPCT_F_FLOW). */
static void udp_chan(struct model *m, uint64_t ts, uint32_t pid, uint64_t chan, uint64_t ino,
		     bool flow, const char *saddr, uint16_t sport, const char *daddr, uint16_t dport)
{
	struct ipct_chan e = { 0 };

	hdr(&e.h, IPCT_EV_CHAN, ts, pid, pid);
	e.h.flags = flow ? IPCT_F_FLOW : 0;
	e.chan = chan;
	e.kind = IPCT_KIND_UDP;
	e.ino = ino;
	e.family = strchr(saddr, ':') ? AF_INET6 : AF_INET;
	inet_pton(e.family, saddr, e.saddr);
	if (daddr)
		inet_pton(e.family, daddr, e.daddr);
	e.sport = sport;
	e.dport = dport;
	model__add(m, &e.h);
}

/* n request/reply rounds between a server bound to srv:5353 and an unbound client on port cport */
static void dns_rounds(struct model *m, int n, const char *any, const char *lo, uint32_t cpid,
		       uint64_t csock, uint64_t cino, uint16_t cport, int k, uint64_t t0)
{
	udp_chan(m, t0, cpid, csock, cino, false, any, 0, NULL, 0);
	for (int i = 0; i < n; i++) {
		uint64_t t = t0 + 1000 + i * 1000;

		if (!i)
			udp_chan(m, t + 5, cpid, CLI_FLOW(k), cino, true, any, cport, lo, 5353);
		ev_sys(m, cpid, cpid, t, t + 10, IPCT_OP_SEND, CLI_FLOW(k), 40, 0);
		if (!i)
			udp_chan(m, t + 95, 10, SRV_FLOW(k), 900, true, lo, 5353, lo, cport);
		ev_sys(m, 10, 10, t - 500, t + 100, IPCT_OP_RECV, SRV_FLOW(k), 40, 0);
		ev_sys(m, 10, 10, t + 200, t + 210, IPCT_OP_SEND, SRV_FLOW(k), 120, 0);
		/* recvfrom(fd, buf, len, 0, NULL, NULL): the socket, not a flow */
		ev_sys(m, cpid, cpid, t + 20, t + 300, IPCT_OP_RECV, csock, 120, 0);
	}
}

static const struct model_channel *only_udp(const struct model *m)
{
	cr_assert_eq(m->nchannels, 1, "%zu channels", m->nchannels);
	cr_assert_eq(m->channels[0].kind, IPCT_KIND_UDP);
	return &m->channels[0];
}

static void server(struct model *m, const char *addr)
{
	ev_task(m, 1000, 10, 10, "udp-server");
	udp_chan(m, 1000, 10, SRV_SOCK, 900, false, addr, 5353, NULL, 0);
}

static void check_request_reply(const struct model_channel *c, struct sink *k, uint32_t cpid, int n)
{
	const struct model_endpoint *s = synth_ep(c, 10), *cl = synth_ep(c, cpid);

	cr_assert_eq(c->nendpoints, 2);
	cr_assert(s && cl);
	cr_assert_eq(cl->sends, n);
	cr_assert_eq(cl->bytes_sent, 40 * n);
	cr_assert_eq(cl->recvs, n);
	cr_assert_eq(cl->bytes_received, 120 * n, "the reply read without an address is on the flow");
	cr_assert_eq(s->bytes_received, 40 * n);
	cr_assert_eq(s->bytes_sent, 120 * n);
	cr_assert_eq(c->direction, DIR_HALF_DUPLEX);
	cr_assert_eq(k->ntransfers, 2 * n, "each datagram an arrow");
	cr_assert_eq(k->transfer_bytes, 160 * n);
	cr_assert(!c->remote);
}

Test(udp_flows, unconnected_request_reply_is_one_half_duplex_channel)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;

	server(m, "127.0.0.1");
	ev_task(m, 1000, 20, 20, "udp-client");
	dns_rounds(m, 3, "0.0.0.0", "127.0.0.1", 20, CLI_SOCK, 901, 40000, 0, 2000);
	model__finish(m);

	c = only_udp(m);
	check_request_reply(c, &k, 20, 3);
	cr_assert_str_eq(c->name, "127.0.0.1:40000 <-> 127.0.0.1:5353",
			 "the client's wildcard address is the one the server saw");
	model__free(m);
}

Test(udp_flows, a_server_bound_to_the_wildcard_meets_its_clients)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	server(m, "0.0.0.0");
	ev_task(m, 1000, 20, 20, "udp-client");
	dns_rounds(m, 2, "0.0.0.0", "127.0.0.1", 20, CLI_SOCK, 901, 40000, 0, 2000);
	model__finish(m);

	check_request_reply(only_udp(m), &k, 20, 2);
	model__free(m);
}

Test(udp_flows, ipv6_request_reply_is_one_channel)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	const struct model_channel *c;

	server(m, "::1");
	ev_task(m, 1000, 20, 20, "udp-client");
	dns_rounds(m, 3, "::", "::1", 20, CLI_SOCK, 901, 40001, 0, 2000);
	model__finish(m);

	c = only_udp(m);
	check_request_reply(c, &k, 20, 3);
	cr_assert_str_eq(c->name, "[::1]:40001 <-> [::1]:5353");
	model__free(m);
}

Test(udp_flows, two_clients_of_one_server_are_two_channels)
{
	struct sink k;
	struct model *m = synth_model(&k, false);

	server(m, "127.0.0.1");
	ev_task(m, 1000, 20, 20, "client-a");
	ev_task(m, 1000, 30, 30, "client-b");
	dns_rounds(m, 2, "0.0.0.0", "127.0.0.1", 20, CLI_SOCK, 901, 40000, 0, 2000);
	dns_rounds(m, 2, "0.0.0.0", "127.0.0.1", 30, CLI2_SOCK, 902, 40002, 1, 9000);
	model__finish(m);

	cr_assert_eq(m->nchannels, 2, "one per 4-tuple");
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(m->channels[i].nendpoints, 2);
		cr_assert(synth_ep(&m->channels[i], 10));
		cr_assert_eq(synth_ep(&m->channels[i], 10)->bytes_sent, 240);
	}
	cr_assert(synth_ep(&m->channels[0], 20) && synth_ep(&m->channels[1], 30));
	model__free(m);
}

Test(udp_flows, a_query_to_a_remote_server_is_one_remote_channel)
{
	struct model *m = synth_model(NULL, false);
	const struct model_channel *c;

	ev_task(m, 1000, 20, 20, "resolver");
	udp_chan(m, 1000, 20, CLI_SOCK, 901, false, "0.0.0.0", 0, NULL, 0);
	udp_chan(m, 1500, 20, CLI_FLOW(0), 901, true, "0.0.0.0", 41000, "192.0.2.53", 53);
	ev_sys(m, 20, 20, 1400, 1510, IPCT_OP_SEND, CLI_FLOW(0), 40, 0);
	ev_sys(m, 20, 20, 1600, 5000, IPCT_OP_RECV, CLI_SOCK, 200, 0);
	model__finish(m);

	c = only_udp(m);
	cr_assert_eq(c->nendpoints, 1);
	cr_assert(c->remote);
	cr_assert_eq(synth_ep(c, 20)->bytes_received, 200);
	cr_assert_str_eq(c->name, "0.0.0.0:41000 <-> 192.0.2.53:53");
	model__free(m);
}
