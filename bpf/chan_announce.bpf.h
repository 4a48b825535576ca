/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CHAN events: the first sight of a channel object (or a better name for
 * it), with its kind, name, socket addresses and unix peer.
 */
#ifndef IPCT_CHAN_ANNOUNCE_BPF_H
#define IPCT_CHAN_ANNOUNCE_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"
#include "emit.bpf.h"

/* What was last announced for a channel: its signature and a hash of its CHAN event. */
struct chan_seen {
	__u64 sig;  /* inode number, unix peer, inet ports at that time */
	__u64 desc; /* hash of the CHAN event's body; 0: none announced from a file */
};

/* Channels already announced (and unix datagram destinations already said). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct chan_seen);
} chans SEC(".maps");

/*
 * Resolving an fd. In: upath (user path for the name, 0: from the kernel),
 * kind_hint (IPCT_KIND_MMAP / _SHM), force (announce even if seen). Out:
 * channel id (0 = not a channel), fd flags, and desc: the hash of the CHAN
 * event last announced for it.
 */
struct fdres {
	__u64 upath;
	__u64 chan;
	__u64 desc;
	__u32 kind_hint;
	__u8 force;
	__u8 flags;
	__u8 _pad[2];
};

/*
 * Where file_announce builds a CHAN event before it knows the event is worth
 * the ring: most opens of a server announce a file again word for word, and a
 * reserve that is then discarded costs as much as a submit. busy: an
 * interrupt's program found the buffer in use on this CPU.
 */
struct chan_build {
	__u32 busy;
	__u32 _pad;
	struct ipct_chan ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chan_build);
} chan_builds SEC(".maps");

/* Announce a non-fd object (futex, SysV IPC) the first time it is seen; uaddr: a private futex's address. */
__noinline int obj_announce(__u64 chan, __u32 kind, __u64 ino, __u32 off, __u64 uaddr)
{
	struct chan_seen seen = {};
	struct ipct_chan *e;
	__u64 pid_tgid;

	if (!chan || bpf_map_lookup_elem(&chans, &chan))
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	bpf_map_update_elem(&chans, &chan, &seen, BPF_ANY);
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->chan = chan;
	e->ino = ino;
	e->dev = off;
	e->kind = kind;
	e->uaddr = uaddr;
	rb_submit(e);
	return 0;
}

/*
 * The end of a dentry's path: "/name" under a root, "/parent/name" one level
 * down, ".../parent/name" deeper (never a path that reads as relative);
 * the parent cut at 43 bytes, the name at 47.
 */
static __always_inline void dentry_name(char *name, struct dentry *d)
{
	struct dentry *parent = BPF_CORE_READ(d, d_parent), *gp;
	const unsigned char *pn, *dn;
	long n = 0, pre = 0;

	dn = BPF_CORE_READ(d, d_name.name);
	if (parent && parent != d) {
		gp = BPF_CORE_READ(parent, d_parent);
		if (gp && gp != parent && BPF_CORE_READ(gp, d_parent) == gp) {
			name[0] = '/';
			pre = 1;
		} else if (gp && gp != parent) {
			name[0] = name[1] = name[2] = '.';
			name[3] = '/';
			pre = 4;
		}
		pn = BPF_CORE_READ(parent, d_name.name);
		n = bpf_probe_read_kernel_str(name + pre, IPCT_NAME_LEN / 2 - 4, pn);
		if (n == 2 && name[pre] == '/') {
			n = 1;
		} else if (n > 1 && n <= IPCT_NAME_LEN / 2 - 4) {
			name[pre + n - 1] = '/';
			n += pre;
		} else {
			n = 0;
		}
	}
	if (n >= 0 && n <= IPCT_NAME_LEN / 2)
		bpf_probe_read_kernel_str(name + n, IPCT_NAME_LEN / 2, dn);
}

/* Bound path of a unix socket; abstract names are rendered "@name". */
static __always_inline bool unix_name(char *name, struct sock *sk)
{
	struct unix_address *addr;
	long len;
	char c0 = 0;

	if (!sk)
		return false;
	addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!addr)
		return false;
	len = BPF_CORE_READ(addr, len) - (long)sizeof(__kernel_sa_family_t);
	if (len <= 0)
		return false;
	bpf_probe_read_kernel(&c0, 1, &addr->name[0].sun_path[0]);
	if (c0) {
		bpf_probe_read_kernel_str(name, IPCT_NAME_LEN, &addr->name[0].sun_path[0]);
		return true;
	}
	name[0] = '@';
	len -= 1;
	if (len > IPCT_NAME_LEN - 2)
		len = IPCT_NAME_LEN - 2;
	if (len > 0)
		bpf_probe_read_kernel(name + 1, len, &addr->name[0].sun_path[1]);
	return true;
}

static __always_inline __u32 sock_kind(__u16 family, __u16 type, __u16 proto)
{
	if (family == AF_UNIX) {
		if (type == SOCK_STREAM)
			return IPCT_KIND_UNIX_STREAM;
		if (type == SOCK_DGRAM)
			return IPCT_KIND_UNIX_DGRAM;
		if (type == SOCK_SEQPACKET)
			return IPCT_KIND_UNIX_SEQPACKET;
		return IPCT_KIND_NONE;
	}
	if (type == SOCK_STREAM && (proto == IPPROTO_TCP || proto == IPPROTO_MPTCP))
		return IPCT_KIND_TCP;
	if (type == SOCK_DGRAM && (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE))
		return IPCT_KIND_UDP;
	return IPCT_KIND_NONE;
}

/* Hash of a CHAN event's body (all but its header): equal hashes, same announcement. */
static __always_inline __u64 chan_desc(const struct ipct_chan *e)
{
	const __u64 *w = (const __u64 *)&e->chan;
	__u64 h = 0;

	for (int i = 0; i < (sizeof(*e) - sizeof(e->h)) / 8; i++)
		h = (h ^ w[i]) * GOLDEN;
	return h | 1;
}

/*
 * Emit a CHAN event for file f, channel r->chan. r->upath: user-space path
 * to use as the name (0: name from the dentry or the socket). r->kind_hint:
 * IPCT_KIND_MMAP turns a plain file into an mmap channel; for a channel
 * already announced (seen) only that change of kind is worth an event.
 * r->desc: in, the hash of the event last announced for it when seen; out,
 * that of this one. A file announced again word for word (an open of a path
 * opened before) is discarded: the model would learn nothing from it, and
 * the recorder need not code it.
 * -1: the ring was full (the caller retries at the next sight).
 */
__noinline int file_announce(__u64 filep, struct fdres *r, int seen)
{
	struct file *f = (struct file *)filep, *fc;
	struct inode *inode;
	struct chan_build *b;
	struct ipct_chan *e, *out;
	__u64 pid_tgid, magic, chan, upath, desc;
	__u32 mode, kind_hint, zero = 0;

	if (!f || !r || !r->chan)
		return 0;
	chan = r->chan;
	upath = r->upath;
	kind_hint = r->kind_hint;
	b = bpf_map_lookup_elem(&chan_builds, &zero);
	if (!b)
		return -1;
	if (b->busy) {
		/* as if the ring were full: counted, and retried at the next sight */
		lost_inc();
		return -1;
	}
	b->busy = 1;
	e = &b->ev;
	__builtin_memset(e, 0, sizeof(*e));
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->chan = chan;

	/* direct (fault-safe) loads, as file_resolve's */
	fc = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	inode = fc->f_inode;
	mode = inode->i_mode & S_IFMT;
	magic = inode->i_sb->s_magic;
	e->ino = inode->i_ino;
	e->dev = inode->i_sb->s_dev;

	if (mode == S_IFSOCK) {
		struct socket *sock = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);
		struct sock_common *c = &sk->__sk_common;
		__u16 family = BPF_CORE_READ(c, skc_family);

		e->family = family;
		e->kind = sock_kind(family, BPF_CORE_READ(sk, sk_type), BPF_CORE_READ(sk, sk_protocol));
		if (family == AF_UNIX) {
			struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

			e->peer = peer ? (__u64)peer ^ chan_key : 0;
			/* an unnamed end connected to a named one: a client, named by its server */
			if (!unix_name(e->name, sk) && unix_name(e->name, peer))
				e->h.flags |= IPCT_F_PEER_NAME;
			if (peer) {
				e->peer_pid = BPF_CORE_READ(sk, sk_peer_pid, numbers[0].nr);
				e->peer_ino = BPF_CORE_READ(peer, sk_socket, file, f_inode, i_ino);
			}
		} else if (family == AF_INET) {
			e->saddr[0] = BPF_CORE_READ(c, skc_rcv_saddr);
			e->daddr[0] = BPF_CORE_READ(c, skc_daddr);
		} else if (family == AF_INET6) {
			BPF_CORE_READ_INTO(&e->saddr, c, skc_v6_rcv_saddr.in6_u.u6_addr32);
			BPF_CORE_READ_INTO(&e->daddr, c, skc_v6_daddr.in6_u.u6_addr32);
		}
		if (family == AF_INET || family == AF_INET6) {
			e->sport = BPF_CORE_READ(c, skc_num);
			e->dport = __builtin_bswap16(BPF_CORE_READ(c, skc_dport));
		}
	} else if (mode == S_IFIFO) {
		e->kind = magic == PIPEFS_MAGIC ? IPCT_KIND_PIPE : IPCT_KIND_FIFO;
	} else if (mode == S_IFREG) {
		e->kind = magic == MQUEUE_MAGIC ? IPCT_KIND_MQUEUE : IPCT_KIND_FILE;
	}

	if (e->kind == IPCT_KIND_PIPE || mode == S_IFSOCK) {
		/* pipes are named "pipe:[ino]" by user space, sockets above */
	} else if (upath && e->kind == IPCT_KIND_MQUEUE) {
		e->name[0] = '/';
		bpf_probe_read_user_str(e->name + 1, IPCT_NAME_LEN - 1, (const void *)upath);
	} else if (upath) {
		bpf_probe_read_user_str(e->name, IPCT_NAME_LEN, (const void *)upath);
	} else {
		dentry_name(e->name, BPF_CORE_READ(f, f_path.dentry));
	}
	/* shm: a tmpfs file that is a memfd or lives on a mount at ".../shm" (/dev/shm); other tmpfs files are files */
	if (e->kind == IPCT_KIND_FILE && magic == TMPFS_MAGIC) {
		struct vfsmount *vmnt = BPF_CORE_READ(f, f_path.mnt);
		struct mount *mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);
		char mp[8] = {};

		/* a mount stacked on another one has that one's root "/" as mountpoint: look below */
		for (int i = 0; i < 3; i++) {
			bpf_probe_read_kernel_str(mp, sizeof(mp), BPF_CORE_READ(mnt, mnt_mountpoint, d_name.name));
			if (mp[0] != '/')
				break;
			mnt = BPF_CORE_READ(mnt, mnt_parent);
		}
		if ((mp[0] == 's' && mp[1] == 'h' && mp[2] == 'm' && !mp[3]) || kind_hint == IPCT_KIND_SHM ||
		    (e->name[0] == 'm' && e->name[1] == 'e' && e->name[2] == 'm' && e->name[3] == 'f' &&
		     e->name[4] == 'd' && e->name[5] == ':'))
			e->kind = IPCT_KIND_SHM;
	}
	if (e->kind == IPCT_KIND_FILE && kind_hint == IPCT_KIND_MMAP) {
		e->kind = IPCT_KIND_MMAP;
		/* no name: the one announced before (often a full path) stays */
		if (seen)
			e->name[0] = 0;
	} else if (seen && kind_hint == IPCT_KIND_MMAP) {
		b->busy = 0;
		return 0;
	}
	desc = chan_desc(e);
	/* sockets are left alone: their announcements also rename the peer they are joined to */
	if (seen && mode != S_IFSOCK && desc == r->desc) {
		b->busy = 0;
		return 0;
	}
	out = rb_reserve(sizeof(*out));
	if (!out) {
		b->busy = 0;
		return -1;
	}
	__builtin_memcpy(out, e, sizeof(*out));
	rb_submit(out);
	b->busy = 0;
	r->desc = desc;
	return 0;
}

/*
 * An unconnected unix datagram sent to an address: say where chan sends (once
 * per socket and address), so the model meets the receiver bound there.
 */
__noinline int unix_dest_announce(__u64 chan, __u64 uaddr, __u32 len)
{
	struct ipct_chan *e;
	struct chan_seen said = { .sig = 1 };
	__u64 pid_tgid, h = 0, key;
	__u16 family = 0;

	if (!chan || !uaddr || len <= sizeof(family) || len > sizeof(struct sockaddr_un))
		return 0;
	if (bpf_probe_read_user(&family, sizeof(family), (void *)uaddr) || family != AF_UNIX)
		return 0;
	e = rb_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	len -= sizeof(family);
	if (len > IPCT_NAME_LEN - 1)
		len = IPCT_NAME_LEN - 1;
	/* abstract names ("\0name") are rendered "@name", as unix_name() does */
	if (bpf_probe_read_user(e->name, 1, (void *)(uaddr + sizeof(family))) || e->name[0])
		bpf_probe_read_user_str(e->name, IPCT_NAME_LEN, (void *)(uaddr + sizeof(family)));
	else if (len > 1) {
		__u64 n = len - 1;

		barrier_var(n);
		if (n >= 1 && n <= IPCT_NAME_LEN - 2)
			bpf_probe_read_user(e->name + 1, n, (void *)(uaddr + sizeof(family) + 1));
	}
	if (!e->name[0])
		e->name[0] = '@';
	for (int i = 0; i < IPCT_NAME_LEN / 8; i++)
		h = (h ^ ((__u64 *)e->name)[i]) * GOLDEN;
	key = chan ^ h ^ 0xd1b54a32d192ed03ULL;
	if (bpf_map_lookup_elem(&chans, &key)) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	bpf_map_update_elem(&chans, &key, &said, BPF_ANY);
	pid_tgid = bpf_get_current_pid_tgid();
	hdr_fill(&e->h, IPCT_EV_CHAN, pid_tgid >> 32, (__u32)pid_tgid, bpf_ktime_get_ns());
	e->h.flags = IPCT_F_DEST;
	e->chan = chan;
	e->kind = IPCT_KIND_UNIX_DGRAM;
	e->family = AF_UNIX;
	rb_submit(e);
	return 0;
}

#endif /* IPCT_CHAN_ANNOUNCE_BPF_H */
