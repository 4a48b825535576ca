// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What merging needs: the header's host fields, the recorder's reading of them, host-aware pairing. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <sys/stat.h>

#include "hostinfo.h"
#include "svg.h"
#include "outputs_of.h"
#include "synth.h"
#include "trace.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* A header as ipctrace wrote it before fields existed, plus extra bytes before the CRC, and an end record. */
static size_t v1_header(uint8_t *buf, const uint8_t *extra, size_t nextra)
{
	static const char *strs[] = { "6.1.0", "oldhost", "sleep 1", "x86_64" };
	size_t len = 36;

	memcpy(buf, "IPCTRACE", 8);
	put32(buf + 8, 1);
	put64(buf + 16, 1000);
	put64(buf + 24, 2000);
	put32(buf + 32, 0);
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(strs[i]);

		buf[len] = n;
		buf[len + 1] = 0;
		memcpy(buf + len + 2, strs[i], n);
		len += 2 + n;
	}
	if (nextra)
		memcpy(buf + len, extra, nextra);
	len += nextra;
	put32(buf + 12, len + 4);
	put32(buf + len, crc32(0, buf, len));
	len += 4;
	memcpy(buf + len, "END1", 4);
	put32(buf + len + 4, 12);
	put64(buf + len + 8, 0);
	put32(buf + len + 16, crc32(0, buf + len + 4, 12));
	return len + 20;
}

Test(hosts, a_header_without_fields_reads_with_them_empty)
{
	uint8_t buf[256];
	size_t len = v1_header(buf, NULL, 0);
	const char *msg = NULL;
	int err = 0;
	struct trace_reader *r = trace_reader__open_mem(buf, len, &err, &msg);
	const struct trace_meta *m;

	cr_assert_not_null(r, "%s", msg);
	m = trace_reader__meta(r);
	cr_assert_str_eq(m->host, "oldhost");
	cr_assert_str_eq(m->boot_id, "");
	cr_assert_eq(m->nnetns, 0);
	cr_assert_eq(m->naddrs, 0);
	cr_assert_eq(m->nhosts, 0);
	cr_assert_null(trace_reader__next(r));
	cr_assert_eq(trace_reader__status(r), TRACE_OK);
	trace_reader__free(r);
}

Test(hosts, an_unknown_field_is_skipped_and_a_broken_one_refused)
{
	/* tag 77 (from a later ipctrace), then a boot id */
	static const uint8_t fields[] = { 77, 0, 3, 0, 0, 0, 'x', 'y', 'z',
					  1, 0, 2, 0, 0, 0, 'i', 'd' };
	static const uint8_t broken[] = { 1, 0, 200, 0, 0, 0, 'i', 'd' };
	uint8_t buf[256];
	size_t len = v1_header(buf, fields, sizeof(fields));
	const char *msg = NULL;
	int err = 0;
	struct trace_reader *r = trace_reader__open_mem(buf, len, &err, &msg);

	cr_assert_not_null(r, "%s", msg);
	cr_assert_str_eq(trace_reader__meta(r)->boot_id, "id");
	trace_reader__free(r);
	len = v1_header(buf, broken, sizeof(broken));
	r = trace_reader__open_mem(buf, len, &err, &msg);
	cr_assert_null(r);
	cr_assert(strstr(msg, "corrupt"), "%s", msg);
}

Test(hosts, host_fields_round_trip)
{
	static struct trace_meta in, *out;
	int fd = memfd_create("t", 0);
	struct trace_writer *w;
	struct trace_reader *r;
	const char *msg = NULL;
	int err = 0;

	snprintf(in.host, sizeof(in.host), "a, b");
	snprintf(in.boot_id, sizeof(in.boot_id), "09fb96ed-eb0f-4651-bc2b-d83d7a87ddd4");
	in.nnetns = 2;
	in.netns[0] = 4026531840;
	in.netns[1] = 4026532999;
	in.naddrs = 2;
	in.addrs[0].family = AF_INET;
	inet_pton(AF_INET, "10.1.2.3", in.addrs[0].addr);
	in.addrs[1].family = AF_INET6;
	inet_pton(AF_INET6, "fd00::2", in.addrs[1].addr);
	in.nhosts = 2;
	snprintf(in.hosts[0].name, sizeof(in.hosts[0].name), "a");
	snprintf(in.hosts[1].name, sizeof(in.hosts[1].name), "b\n<x>");
	in.hosts[1].offset_ns = -2500000123;
	in.hosts[1].drift_ppm = 39.6908;
	in.hosts[1].drift_uncertainty_ppm = 0.25;
	in.hosts[1].uncertainty_ns = 23330;
	in.hosts[1].uncertainty_at_ns = 1136981603437;
	in.hosts[1].max_uncertainty_ns = 54176;
	in.hosts[1].messages = 480;
	in.hosts[1].aligned_to = 0;
	w = trace_writer__open_fd(fd, &in, 1);
	cr_assert_not_null(w);
	cr_assert_eq(trace_writer__close(w), 0);
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r = trace_reader__open_path(path, &err, &msg);
	}
	cr_assert_not_null(r, "%s", msg);
	out = (struct trace_meta *)trace_reader__meta(r);
	cr_assert_str_eq(out->boot_id, in.boot_id);
	cr_assert_eq(out->nnetns, 2);
	cr_assert_eq(out->netns[1], 4026532999);
	cr_assert_eq(out->naddrs, 2);
	cr_assert_eq(memcmp(&out->addrs[1], &in.addrs[1], sizeof(in.addrs[1])), 0);
	cr_assert_eq(out->nhosts, 2);
	cr_assert_str_eq(out->hosts[1].name, "b\n<x>");
	cr_assert_eq(out->hosts[1].offset_ns, -2500000123);
	cr_assert_float_eq(out->hosts[1].drift_ppm, 39.6908, 1e-12);
	cr_assert_float_eq(out->hosts[1].drift_uncertainty_ppm, 0.25, 1e-12);
	cr_assert_eq(out->hosts[1].uncertainty_ns, 23330);
	cr_assert_eq(out->hosts[1].uncertainty_at_ns, 1136981603437);
	cr_assert_eq(out->hosts[1].max_uncertainty_ns, 54176);
	cr_assert_eq(out->hosts[1].messages, 480);
	trace_reader__free(r);
	close(fd);
}

static FILE *text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

Test(hosts, the_local_addresses_of_fib_trie_and_if_inet6)
{
	static const char fib[] =
		"Main:\n"
		"  +-- 0.0.0.0/0 3 0 5\n"
		"     |-- 0.0.0.0\n"
		"        /0 universe UNICAST\n"
		"     +-- 10.231.1.0/24 2 0 2\n"
		"        |-- 10.231.1.0\n"
		"           /24 link UNICAST\n"
		"        |-- 10.231.1.2\n"
		"           /32 host LOCAL\n"
		"        |-- 10.231.1.255\n"
		"           /32 link BROADCAST\n"
		"Local:\n"
		"        |-- 10.231.1.2\n"
		"           /32 host LOCAL\n"
		"        |-- 127.0.0.1\n"
		"           /32 host LOCAL\n";
	static const char inet6[] =
		"fd000000000000000000000000000002 04 40 00 82     eth0\n"
		"00000000000000000000000000000001 01 80 10 80       lo\n";
	static struct trace_meta m;
	char a[64];
	FILE *f = text(fib);

	hostinfo__parse_fib_trie(f, &m);
	fclose(f);
	cr_assert_eq(m.naddrs, 2, "%u addresses", m.naddrs);
	cr_assert_str_eq(inet_ntop(AF_INET, m.addrs[0].addr, a, sizeof(a)), "10.231.1.2");
	cr_assert_str_eq(inet_ntop(AF_INET, m.addrs[1].addr, a, sizeof(a)), "127.0.0.1");
	f = text(inet6);
	hostinfo__parse_if_inet6(f, &m);
	fclose(f);
	cr_assert_eq(m.naddrs, 4);
	cr_assert_eq(m.addrs[2].family, AF_INET6);
	cr_assert_str_eq(inet_ntop(AF_INET6, m.addrs[2].addr, a, sizeof(a)), "fd00::2");
	cr_assert_str_eq(inet_ntop(AF_INET6, m.addrs[3].addr, a, sizeof(a)), "::1");
}

Test(hosts, this_machine_has_a_boot_id_a_netns_and_loopback)
{
	static struct trace_meta m;
	bool lo = false;

	hostinfo__fill(&m, NULL, 0, true);
	cr_assert_eq(strlen(m.boot_id), 36, "boot id '%s'", m.boot_id);
	cr_assert_eq(m.nnetns, 1);
	cr_assert_neq(m.netns[0], 0);
	for (uint32_t i = 0; i < m.naddrs; i++)
		lo |= m.addrs[i].family == AF_INET && m.addrs[i].addr[0] == 127;
	cr_assert(lo, "127.0.0.1 not among %u addresses", m.naddrs);
}

Test(hosts, loopback_ends_on_two_machines_of_a_merged_trace_stay_apart)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	uint32_t b = 1u << TRACE_HOST_SHIFT | 20;

	/* each machine's own 127.0.0.1 connection, with the same ports */
	ev_inet(m, 1000, 10, 0x300, IPCT_KIND_TCP, "127.0.0.1", 40312, "127.0.0.1", 5000);
	ev_inet(m, 1001, b, 0x301, IPCT_KIND_TCP, "127.0.0.1", 5000, "127.0.0.1", 40312);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_SEND, 0x300, 1000, 0);
	ev_sys(m, b, b, 1300, 1400, IPCT_OP_RECV, 0x301, 1000, 0);
	model__finish(m);
	cr_assert_eq(m->nchannels, 2);
	cr_assert_eq(k.ntransfers, 0);
	cr_assert_not(m->channels[0].across_hosts);
	model__free(m);
}

Test(hosts, udp_ends_meeting_by_ports_stay_on_their_machine)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	uint32_t b = 1u << TRACE_HOST_SHIFT | 20;

	/* a wildcard-bound client on one machine, a loopback server on another, same ports */
	ev_inet(m, 1000, 10, 0x400, IPCT_KIND_UDP, "0.0.0.0", 40000, "127.0.0.1", 53);
	ev_inet(m, 1001, b, 0x401, IPCT_KIND_UDP, "127.0.0.1", 53, "127.0.0.1", 40000);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_SEND, 0x400, 64, 0);
	ev_sys(m, b, b, 1300, 1400, IPCT_OP_RECV, 0x401, 64, 0);
	model__finish(m);
	cr_assert_eq(m->nchannels, 2);
	cr_assert_eq(k.ntransfers, 0);
	model__free(m);
}

Test(hosts, a_peer_named_across_machines_joins_them)
{
	struct sink k;
	struct model *m = synth_model(&k, false);
	uint32_t b = 1u << TRACE_HOST_SHIFT | 20;
	struct ipct_chan link = { 0 };

	ev_inet(m, 1000, 10, 0x300, IPCT_KIND_TCP, "10.0.0.1", 40312, "10.0.0.2", 5000);
	ev_inet(m, 1001, b, 0x301, IPCT_KIND_TCP, "10.0.0.2", 5000, "10.0.0.1", 40312);
	hdr(&link.h, IPCT_EV_CHAN, 1002, b, b);
	link.chan = 0x301;
	link.peer = 0x300;
	link.kind = IPCT_KIND_TCP;
	model__add(m, &link.h);
	ev_sys(m, 10, 10, 1100, 1200, IPCT_OP_SEND, 0x300, 1000, 0);
	ev_sys(m, b, b, 1300, 1400, IPCT_OP_RECV, 0x301, 1000, 0);
	model__finish(m);
	cr_assert_eq(m->nchannels, 1);
	cr_assert(m->channels[0].across_hosts);
	cr_assert_not(m->channels[0].remote);
	cr_assert_eq(k.ntransfers, 1);
	cr_assert_eq(k.transfers[0].dst_pid, b);
	model__free(m);
}

/* A merged trace of two machines, one connection between them, as merge would write it. */
static void *merged_trace(size_t *len, const char *second_name)
{
	static struct trace_meta meta;
	uint32_t a = 10, b = 1u << TRACE_HOST_SHIFT | 20;
	union {
		struct ipct_hdr h;
		struct ipct_task t;
		struct ipct_chan c;
		struct ipct_syscall s;
	} ev;
	int fd = memfd_create("merged", 0);
	struct trace_writer *w;
	struct stat st;
	void *buf;

	memset(&meta, 0, sizeof(meta));
	meta.start_mono_ns = 1000;
	snprintf(meta.cmdline, sizeof(meta.cmdline), "merge of a + b");
	meta.nhosts = 2;
	snprintf(meta.hosts[0].name, sizeof(meta.hosts[0].name), "a");
	snprintf(meta.hosts[1].name, sizeof(meta.hosts[1].name), "%s", second_name);
	meta.hosts[1].offset_ns = 2500000000;
	meta.hosts[1].uncertainty_ns = 20000;
	w = trace_writer__open_fd(fd, &meta, 1);
	cr_assert_not_null(w);
	for (int i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		hdr(&ev.h, IPCT_EV_TASK, 1000 + i, i ? b : a, i ? b : a);
		snprintf(ev.t.comm, sizeof(ev.t.comm), i ? "server" : "client");
		cr_assert_eq(trace_writer__add(w, &ev.h), 0);
	}
	for (int i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		hdr(&ev.h, IPCT_EV_CHAN, 1100 + i, i == 0 ? a : b, i == 0 ? a : b);
		ev.c.chan = i == 0 ? 0x300 : 0x301;
		ev.c.peer = i == 2 ? 0x300 : 0;
		ev.c.kind = IPCT_KIND_TCP;
		ev.c.family = AF_INET;
		inet_pton(AF_INET, i ? "10.0.0.2" : "10.0.0.1", ev.c.saddr);
		inet_pton(AF_INET, i ? "10.0.0.1" : "10.0.0.2", ev.c.daddr);
		ev.c.sport = i ? 80 : 40000;
		ev.c.dport = i ? 40000 : 80;
		cr_assert_eq(trace_writer__add(w, &ev.h), 0);
	}
	for (int i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		hdr(&ev.h, IPCT_EV_SYSCALL, 2000 + 500 * i, i ? b : a, i ? b : a);
		ev.s.enter_ts = 1900 + 500 * i;
		ev.s.op = i ? IPCT_OP_RECV : IPCT_OP_SEND;
		ev.s.chan = i ? 0x301 : 0x300;
		ev.s.ret = 300;
		cr_assert_eq(trace_writer__add(w, &ev.h), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc(st.st_size);
	cr_assert_eq(pread(fd, buf, st.st_size, 0), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

Test(hosts, the_svg_groups_lanes_by_machine_with_their_own_pids)
{
	size_t len, olen = 0;
	void *t = merged_trace(&len, "b<x>\x01");
	struct trace_reader *r = trace_reader__open_mem(t, len, NULL, NULL);
	char *svg = NULL;
	FILE *f = open_memstream(&svg, &olen);

	cr_assert_not_null(r);
	cr_assert_eq(svg_of_trace(r, NULL, f), 0);
	fclose(f);
	/* each machine's header, its name escaped, its clock */
	cr_assert_not_null(strstr(svg, ">a \xc2\xb7 the reference clock</text>"), "%s", svg);
	cr_assert_not_null(strstr(svg, ">b&lt;x&gt;\\x01 \xc2\xb7 clock +2.500000 s \xc2\xb1 20.0 \xc2\xb5s"));
	cr_assert_null(strstr(svg, "b<x>"));
	/* lanes and the table give the machine's own pid, the table says which machine */
	cr_assert_not_null(strstr(svg, ">server 20</text>"));
	cr_assert_not_null(strstr(svg, "server@b&lt;x&gt;\\x01 20 (r)"));
	cr_assert_not_null(strstr(svg, "between machines"));
	/* a merged pid is only in machine-readable attributes (data-pids), never in words */
	cr_assert_null(strstr(svg, " 4194324"), "a merged pid leaked into the drawing");
	free(svg);
	trace_reader__free(r);
	free(t);
}
