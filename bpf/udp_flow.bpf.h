/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * UDP flows: an unconnected UDP socket (a DNS or statsd client, any UDP
 * server) talks to many peers through one socket. Each datagram sent to or
 * received from an address is on the flow (socket, peer address), a channel
 * of its own announced once with both addresses (IPCT_F_FLOW), so that user
 * space pairs it with the peer's mirror flow: one channel per 4-tuple.
 */
#ifndef IPCT_UDP_FLOW_BPF_H
#define IPCT_UDP_FLOW_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"
#include "syscall_nr.bpf.h"
#include "task_state.bpf.h"
#include "chan_announce.bpf.h"

/* The peer in a user sockaddr of the socket's family: its address (network order) and port. */
static __always_inline bool udp_peer(__u64 uaddr, __u16 family, __u32 *addr, __u16 *port)
{
	__u16 fam = 0, nport = 0;

	if (!uaddr || bpf_probe_read_user(&fam, sizeof(fam), (void *)uaddr) || fam != family ||
	    bpf_probe_read_user(&nport, sizeof(nport), (void *)(uaddr + 2)))
		return false;
	*port = __builtin_bswap16(nport);
	if (family == AF_INET)
		return !bpf_probe_read_user(addr, 4, (void *)(uaddr + 4));
	return !bpf_probe_read_user(addr, 16, (void *)(uaddr + 8));
}

/*
 * A send or receive of st that moved data on an unconnected UDP socket, with
 * the peer's address in user memory at st->uptr: st->chan becomes the flow.
 */
__noinline int udp_flow(struct tstate *st)
{
	struct sock_common *c;
	struct ipct_chan *e;
	struct sock *sk;
	__u32 addr[4] = {};
	struct chan_seen said = { .sig = 1 };
	__u64 uaddr, flow, pid_tgid;
	__u16 family, port = 0;

	if (!st || !st->chan || !st->uptr)
		return 0;
	sk = (struct sock *)(st->chan ^ chan_key);
	c = &sk->__sk_common;
	family = BPF_CORE_READ(c, skc_family);
	if ((family != AF_INET && family != AF_INET6) || BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM ||
	    (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP && BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDPLITE))
		return 0;
	/* a connected socket is a channel of its own, paired by its 4-tuple */
	if (BPF_CORE_READ(c, skc_dport))
		return 0;
	uaddr = st->uptr;
	if (st->nr == NR_recvmsg) {
		struct user_msghdr mh;

		if (bpf_probe_read_user(&mh, sizeof(mh), (void *)uaddr))
			return 0;
		uaddr = (__u64)mh.msg_name;
	}
	if (!udp_peer(uaddr, family, addr, &port) || !port)
		return 0;
	/* the local port too: a socket closed and another made at its address is another flow */
	flow = (st->chan ^ ((__u64)port << 32) ^ ((__u64)BPF_CORE_READ(c, skc_num) << 16) ^
		0x5bd1e9955bd1e995ULL) * GOLDEN;
	for (int i = 0; i < 4; i++)
		flow = (flow ^ addr[i]) * GOLDEN;
	st->chan = flow;
	if (bpf_map_lookup_elem(&chans, &flow))
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->h.flags = IPCT_F_FLOW;
	e->chan = flow;
	e->kind = IPCT_KIND_UDP;
	e->family = family;
	e->ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	if (family == AF_INET) {
		e->saddr[0] = BPF_CORE_READ(c, skc_rcv_saddr);
		e->daddr[0] = addr[0];
	} else {
		BPF_CORE_READ_INTO(&e->saddr, c, skc_v6_rcv_saddr.in6_u.u6_addr32);
		__builtin_memcpy(e->daddr, addr, sizeof(e->daddr));
	}
	e->sport = BPF_CORE_READ(c, skc_num);
	e->dport = port;
	bpf_map_update_elem(&chans, &flow, &said, BPF_ANY);
	rb_submit(e);
	return 0;
}

#endif /* IPCT_UDP_FLOW_BPF_H */
