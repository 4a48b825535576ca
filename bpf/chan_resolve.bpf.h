/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Channel identity: an fd, a file, a futex word or a SysV id -> channel id.
 *
 * Channel ids: kernel object address (pipe/FIFO/file/mqueue/shm inode,
 * struct sock), (kind, id) for SysV objects and signals (id = target pid),
 * (inode, offset) or (mm, address) for futexes; all XOR-ed with chan_key.
 * A CHAN event announces an id the first time it is seen; a later CHAN event
 * for the same id supersedes the earlier one (better name, peer now
 * connected, mmap kind), and one with another ino is a new object that got a
 * freed one's address. CHAN.dev is the kernel's dev_t (major << 20 | minor).
 * A futex in shared memory: CHAN.ino = the inode number of the file or
 * shared mapping it lives in (that channel's CHAN.ino); 0 for private ones.
 */
#ifndef IPCT_CHAN_RESOLVE_BPF_H
#define IPCT_CHAN_RESOLVE_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"
#include "task_state.bpf.h"
#include "chan_announce.bpf.h"

static __always_inline __u64 ipc_chan(__u32 kind, __s64 id)
{
	return (((__u64)kind << 48) | (__u32)id) ^ chan_key;
}

/*
 * struct file -> channel. Announces the channel the first time it is seen
 * or when its signature (inode number, unix peer, inet ports) changed;
 * r->force: always.
 */
__noinline int file_resolve(struct tstate *st, __u64 filep, struct fdres *r)
{
	struct file *f = (struct file *)filep, *fc;
	struct chan_seen *old, now;
	__u64 chan = 0, sig = 0;
	int seen;
	__u32 mode, fflags;

	if (!r)
		return 0;
	r->chan = 0;
	r->flags = 0;
	if (!f)
		return 0;
	/* direct (fault-safe) loads from here, cheaper than a probe_read each; ids need probe reads (no pointer math) */
	fc = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	fflags = fc->f_flags;
	if (fflags & O_NONBLOCK)
		r->flags |= IPCT_F_NONBLOCK;
	if (fflags & O_ASYNC)
		r->flags |= IPCT_F_ASYNC;
	mode = fc->f_inode->i_mode & S_IFMT;
	/* the inode number tells a new object at a recycled address from the old one */
	sig = fc->f_inode->i_ino * GOLDEN;
	if (mode == S_IFIFO || mode == S_IFREG) {
		/* a void cast loads the address as a plain number, fault-safe and inline */
		chan = *(__u64 *)((char *)bpf_rdonly_cast(f, 0) + bpf_core_field_offset(struct file, f_inode));
	} else if (mode == S_IFSOCK) {
		struct unix_sock *sk;
		__u16 family;

		chan = *(__u64 *)((char *)bpf_rdonly_cast(fc->private_data, 0) + bpf_core_field_offset(struct socket, sk));
		sk = bpf_rdonly_cast((void *)chan, bpf_core_type_id_kernel(struct unix_sock));
		family = sk->sk.__sk_common.skc_family;
		if (family == AF_UNIX) {
			sig ^= *(__u64 *)((char *)bpf_rdonly_cast((void *)chan, 0) +
					  bpf_core_field_offset(struct unix_sock, peer));
		} else if (family == AF_INET || family == AF_INET6) {
			sig ^= sk->sk.__sk_common.skc_portpair;
		} else {
			return 0;
		}
	}
	if (!chan)
		return 0;
	chan ^= chan_key;
	r->chan = chan;
	if (!r->force && st && ((st->seen_chan[0] == chan && st->seen_sig[0] == sig) ||
			     (st->seen_chan[1] == chan && st->seen_sig[1] == sig)))
		return 0;
	old = bpf_map_lookup_elem(&chans, &chan);
	/* an announcement lost to a full ring is retried at the next sight */
	if (r->force || !old || old->sig != sig) {
		seen = old && old->sig == sig;
		r->desc = seen ? old->desc : 0;
		if (file_announce((__u64)f, r, seen))
			return 0;
		/* an open announcing nothing new leaves the entry as it is: no update, no bucket lock */
		if (!seen || old->desc != r->desc) {
			now.sig = sig;
			now.desc = r->desc;
			bpf_map_update_elem(&chans, &chan, &now, BPF_ANY);
		}
	}
	if (st) {
		st->seen_chan[st->seen_next & 1] = chan;
		st->seen_sig[st->seen_next & 1] = sig;
		st->seen_next++;
	}
	return 0;
}

/* The file open at fd in task's table, NULL if none. */
static __always_inline struct file *task_fd_file(struct task_struct *task, int fd)
{
	struct fdtable *fdt;

	if (fd < 0)
		return NULL;
	fdt = task->files->fdt;
	if (!fdt || (__u32)fd >= fdt->max_fds)
		return NULL;
	return (struct file *)((__u64 *)bpf_rdonly_cast(fdt->fd, 0))[fd];
}

/* fd of the calling task -> channel, as file_resolve. */
__noinline int fd_resolve(struct tstate *st, int fd, struct fdres *r)
{
	struct file *f;

	if (!r)
		return 0;
	r->chan = 0;
	r->flags = 0;
	f = task_fd_file(bpf_get_current_task_btf(), fd);
	if (!f)
		return 0;
	return file_resolve(st, (__u64)f, r);
}

/* What bpf_find_vma tells about an address: the backing inode and offset in it. */
struct vmainfo {
	__u64 addr;
	__u64 inode; /* 0: not a shared mapping of a file (or of shared anonymous memory) */
	__u64 off;   /* byte offset of addr in the inode */
	__u64 ino;
};

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma, struct vmainfo *vi)
{
	struct file *f = vma->vm_file;

	if (!f || !(vma->vm_flags & VM_SHARED))
		return 0;
	bpf_probe_read_kernel(&vi->inode, sizeof(vi->inode), &f->f_inode);
	vi->ino = f->f_inode->i_ino;
	vi->off = (vma->vm_pgoff << 12) + (vi->addr - vma->vm_start);
	return 0;
}

/* The object behind a user address of the calling task (0 if none or mmap lock busy). */
__noinline int vma_lookup(__u64 addr, struct vmainfo *out)
{
	struct vmainfo vi = { .addr = addr };

	if (!out)
		return 0;
	bpf_find_vma(bpf_get_current_task_btf(), addr, vma_cb, &vi, 0);
	out->addr = addr;
	out->inode = vi.inode;
	out->off = vi.off;
	out->ino = vi.ino;
	return 0;
}

/*
 * Futex key as the kernel makes it: private futexes and private memory are
 * (mm, address); shared ones on a file or shared mapping are (inode, offset)
 * so that two processes waiting on one word meet on one channel.
 */
static __always_inline __u64 futex_key(const struct vmainfo *vi, __u64 uaddr, __u64 mm)
{
	if (vi->inode)
		return (vi->inode ^ ((vi->off + 1) * GOLDEN)) ^ chan_key;
	return (uaddr ^ (mm * GOLDEN)) ^ chan_key;
}

static __always_inline __u64 futex_chan(__u64 uaddr, bool private, struct vmainfo *vi)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 mm = 0;

	if (!private)
		vma_lookup(uaddr, vi);
	bpf_probe_read_kernel(&mm, sizeof(mm), &task->mm);
	return futex_key(vi, uaddr, mm);
}

#endif /* IPCT_CHAN_RESOLVE_BPF_H */
